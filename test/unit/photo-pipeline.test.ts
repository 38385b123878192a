import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { marketplaces, type Marketplace, type PhotoRules } from '#shared/marketplaces.ts';
import { checkVariantAgainstRules } from '#shared/onboarding-rules.ts';
import {
  MAX_INPUT_PIXELS,
  MAX_UPLOAD_BYTES,
  PhotoRejectedError,
  THUMBNAIL_PX,
  minimumSourcePx,
  processPhoto,
  variantSpecs,
  type PhotoResult,
  type PhotoVariant,
} from '#functions/photos/photo-pipeline.ts';
import {
  BLUE,
  GREEN,
  RED,
  WHITE,
  YELLOW,
  compressiblePng,
  hevcHeic,
  jpegClaiming,
  jpegWithGpsAndProfiles,
  near,
  noiseJpeg,
  orientedJpeg,
  pixelAt,
  quadrants,
  transparentPng,
  type Rgb,
} from '#test/fixtures/photos/photo-fixtures.ts';

async function rejection(bytes: Buffer, registry: readonly Marketplace[] = marketplaces): Promise<PhotoRejectedError> {
  try {
    await processPhoto(bytes, registry);
  } catch (e) {
    if (e instanceof PhotoRejectedError) return e;
    throw e;
  }
  throw new Error('expected the photo to be rejected');
}

function rulesOf(id: string, registry: readonly Marketplace[] = marketplaces): PhotoRules {
  return registry.find((m) => m.id === id)!.photos;
}

/** Every marketplace variant meets the rules of every marketplace it serves, and what it says of itself is what its bytes are. */
async function expectVariantsMeetTheirRules(result: PhotoResult, registry: readonly Marketplace[] = marketplaces) {
  for (const v of result.variants) {
    const meta = await sharp(v.data).metadata();
    expect({ format: meta.format, width: meta.width, height: meta.height, bytes: v.data.length }).toEqual({ format: v.format, width: v.width, height: v.height, bytes: v.bytes });
    for (const id of v.marketplaces) expect(checkVariantAgainstRules(v, rulesOf(id, registry)), `${v.name} for ${id}`).toEqual([]);
  }
}

/** Centres of the four quadrants of the picture inside a variant (square variants pad it, centred). */
async function quadrantColours(v: PhotoVariant, aspect: number): Promise<Rgb[]> {
  let [cw, ch] = [v.width, v.height];
  if (v.width / v.height > aspect + 0.02) cw = v.height * aspect;
  else if (v.width / v.height < aspect - 0.02) ch = v.width / aspect;
  const [x0, y0] = [(v.width - cw) / 2, (v.height - ch) / 2];
  const at = (fx: number, fy: number) => pixelAt(v.data, x0 + cw * fx, y0 + ch * fy);
  return Promise.all([at(0.25, 0.25), at(0.75, 0.25), at(0.25, 0.75), at(0.75, 0.75)]);
}

describe('variant specs from the marketplace registry', () => {
  it('makes one variant per distinct shape, size and format, serving every marketplace exactly once, plus a WebP thumbnail', () => {
    const specs = variantSpecs();
    expect(specs.map((s) => s.name)).toEqual(['fit-1200', 'square-1024', 'square-1200', `thumb-${THUMBNAIL_PX}`]);
    expect(specs.find((s) => s.name === 'fit-1200')!.marketplaces).toEqual(['postmart', 'voso', 'portal', 'lazada', 'tiki']);
    const served = specs.flatMap((s) => s.marketplaces).sort();
    expect(served).toEqual(marketplaces.map((m) => m.id).sort());
    expect(specs.at(-1)).toMatchObject({ purpose: 'thumbnail', format: 'webp', marketplaces: [] });
  });

  it('holds a shared variant to the strictest limits of the marketplaces it serves', () => {
    const fit = variantSpecs().find((s) => s.name === 'fit-1200')!;
    expect(fit).toMatchObject({ minPx: 501, maxPx: 5000, maxBytes: 2 * 1024 * 1024, format: 'jpeg', aspect: 'any' });
  });

  it('asks the original for the largest minPx among the variants', () => {
    expect(minimumSourcePx()).toBe(600);
  });
});

describe('processPhoto with a phone-like JPEG', () => {
  let result: PhotoResult;
  beforeAll(async () => {
    result = await processPhoto(await jpegWithGpsAndProfiles(1600, 1200));
  });

  it('describes the source and makes every variant within its marketplaces’ rules', async () => {
    expect(result.source).toMatchObject({ format: 'jpeg', width: 1600, height: 1200 });
    expect(result.variants.map((v) => `${v.name} ${v.format} ${v.width}x${v.height}`)).toEqual([
      'fit-1200 jpeg 1200x900',
      'square-1024 jpeg 1024x1024',
      'square-1200 jpeg 1200x1200',
      'thumb-320 webp 320x240',
    ]);
    await expectVariantsMeetTheirRules(result);
  });

  it('removes EXIF (with GPS), ICC, XMP and IPTC from every variant', async () => {
    const input = await sharp(await jpegWithGpsAndProfiles(1600, 1200)).metadata();
    expect(input.exif && (input.exif.includes(Buffer.from([0x88, 0x25])) || input.exif.includes(Buffer.from([0x25, 0x88])))).toBe(true);
    expect(input.icc).toBeDefined();
    expect(input.xmp).toBeDefined();
    for (const v of result.variants) {
      const meta = await sharp(v.data).metadata();
      expect({ exif: meta.exif, icc: meta.icc, xmp: meta.xmp, iptc: meta.iptc, orientation: meta.orientation }, v.name).toEqual({ exif: undefined, icc: undefined, xmp: undefined, iptc: undefined, orientation: undefined });
      expect(v.data.includes(Buffer.from('Nguyen Van A')), v.name).toBe(false);
      expect(v.data.includes(Buffer.from('TestPhone')), v.name).toBe(false);
    }
  });

  it('pads square variants with white above and below a landscape picture', async () => {
    const square = result.variants.find((v) => v.name === 'square-1024')!;
    expect(near(await pixelAt(square.data, 512, 10), WHITE, 8)).toBe(true);
    expect(near(await pixelAt(square.data, 512, 1013), WHITE, 8)).toBe(true);
  });
});

describe('colour profiles', () => {
  /** A flat 1600×1200 JPEG of one sRGB colour, stored in the colour space of one of sharp's built-in profiles and tagged with it. */
  const flatJpeg = (rgb: Rgb, profile: string) =>
    sharp({ create: { width: 1600, height: 1200, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).jpeg({ quality: 95 }).withIccProfile(profile).toBuffer();
  const ORANGE: Rgb = [200, 100, 50];

  it('converts a Display P3 photo to sRGB, so its colours look the same on a marketplace as on the phone', async () => {
    const p3 = await flatJpeg(ORANGE, 'p3');
    const stored = await pixelAt(await sharp(p3, { ignoreIcc: true }).png().toBuffer(), 800, 600);
    expect(near(stored, ORANGE, 6), `P3 stores this orange as other numbers (${stored})`).toBe(false);
    const { variants } = await processPhoto(p3);
    for (const v of variants) expect(near(await pixelAt(v.data, v.width / 2, v.height / 2), ORANGE, 3), v.name).toBe(true);
  });

  it('leaves the pixels of an sRGB-tagged photo as they are (its conversion to sRGB would change nothing)', async () => {
    const { variants } = await processPhoto(await flatJpeg(ORANGE, 'srgb'));
    for (const v of variants) expect(near(await pixelAt(v.data, v.width / 2, v.height / 2), ORANGE, 3), v.name).toBe(true);
  });
});

describe('EXIF orientation', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('turns a photo stored with orientation %i upright in every variant', async (n) => {
    const input = await orientedJpeg(n);
    expect((await sharp(input).metadata()).orientation).toBe(n);
    const result = await processPhoto(input);
    expect(result.source).toMatchObject({ width: 900, height: 600 });
    for (const v of result.variants) {
      if (v.purpose === 'thumbnail' || v.name.startsWith('fit')) expect(v.width).toBeGreaterThan(v.height);
      const [tl, tr, bl, br] = await quadrantColours(v, 900 / 600);
      expect({ variant: v.name, ok: [near(tl!, RED), near(tr!, GREEN), near(bl!, BLUE), near(br!, YELLOW)] }).toEqual({ variant: v.name, ok: [true, true, true, true] });
    }
  });
});

describe('transparency', () => {
  it('flattens a transparent PNG on white in every variant', async () => {
    const result = await processPhoto(await transparentPng());
    expect(result.source.format).toBe('png');
    await expectVariantsMeetTheirRules(result);
    for (const v of result.variants) {
      expect(near(await pixelAt(v.data, 1, 1), WHITE, 6), `${v.name} corner`).toBe(true);
      expect(near(await pixelAt(v.data, v.width / 2, v.height / 2), RED), `${v.name} centre`).toBe(true);
      expect((await sharp(v.data).metadata()).hasAlpha, v.name).toBe(false);
    }
  });
});

describe('other accepted inputs', () => {
  it('accepts WebP', async () => {
    const webp = await sharp(quadrants(1000, 800), { raw: { width: 1000, height: 800, channels: 3 } }).webp().toBuffer();
    const result = await processPhoto(webp);
    expect(result.source.format).toBe('webp');
    await expectVariantsMeetTheirRules(result);
  });

  it('accepts AV1-coded HEIF (AVIF), which this sharp build decodes', async () => {
    const avif = await sharp(quadrants(1000, 800), { raw: { width: 1000, height: 800, channels: 3 } }).avif({ quality: 60, effort: 0 }).toBuffer();
    const result = await processPhoto(avif);
    expect(result.source.format).toBe('heif');
    await expectVariantsMeetTheirRules(result);
  });

  it('pads the short side of a panorama up to the marketplaces’ minimum', async () => {
    const pano = await sharp(quadrants(3000, 200), { raw: { width: 3000, height: 200, channels: 3 } }).jpeg().toBuffer();
    const result = await processPhoto(pano);
    const fit = result.variants.find((v) => v.name === 'fit-1200')!;
    expect([fit.width, fit.height]).toEqual([1200, 501]);
    expect(near(await pixelAt(fit.data, 600, 5), WHITE, 8)).toBe(true);
    await expectVariantsMeetTheirRules(result);
  });

  it('never enlarges: a 700 px original gives 700 px marketplace variants', async () => {
    const small = await sharp(quadrants(700, 500), { raw: { width: 700, height: 500, channels: 3 } }).jpeg().toBuffer();
    const result = await processPhoto(small);
    expect(result.variants.filter((v) => v.purpose === 'marketplace').map((v) => [v.width, v.height])).toEqual([
      [700, 501],
      [700, 700],
      [700, 700],
    ]);
    await expectVariantsMeetTheirRules(result);
  });

  it('steps quality down until each variant fits its byte limit', async () => {
    const tight: Marketplace[] = [{ ...marketplaces[0]!, id: 'tight', photos: { ...rulesOf('postmart'), maxBytes: 150_000 } }];
    const result = await processPhoto(await noiseJpeg(1600, 1200), tight);
    const fit = result.variants.find((v) => v.marketplaces.includes('tight'))!;
    expect(fit.bytes).toBeLessThanOrEqual(150_000);
    expect(fit.quality).toBeLessThan(85);
    await expectVariantsMeetTheirRules(result, tight);
  });
});

describe('refused input', () => {
  it('refuses zero bytes as EMPTY', async () => {
    expect((await rejection(Buffer.alloc(0))).reason).toBe('EMPTY');
  });

  it('refuses a text file named .jpg as NOT_AN_IMAGE', async () => {
    expect((await rejection(Buffer.from('product-photo.jpg: this is not really a picture\n'))).reason).toBe('NOT_AN_IMAGE');
  });

  it('refuses a video container as NOT_AN_IMAGE', async () => {
    const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42\0\0\0\0isommp42'), Buffer.alloc(64)]);
    expect((await rejection(mp4)).reason).toBe('NOT_AN_IMAGE');
  });

  it('refuses GIF as UNSUPPORTED_FORMAT', async () => {
    const gif = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#0a0' } }).gif().toBuffer();
    expect((await rejection(gif)).reason).toBe('UNSUPPORTED_FORMAT');
  });

  it('refuses an HEVC-coded HEIC as UNSUPPORTED_FORMAT because this sharp build cannot decode HEVC', async () => {
    const heic = hevcHeic();
    expect((await sharp(heic).metadata()).compression).toBe('hevc');
    const e = await rejection(heic);
    expect(e.reason).toBe('UNSUPPORTED_FORMAT');
    expect(e.message).toMatch(/HEIC/);
  });

  it('refuses a truncated JPEG as TRUNCATED', async () => {
    const whole = await noiseJpeg(1200, 900);
    expect((await rejection(whole.subarray(0, Math.floor(whole.length * 0.6)))).reason).toBe('TRUNCATED');
  });

  it('refuses a JPEG cut inside its header as TRUNCATED', async () => {
    const whole = await noiseJpeg(1200, 900);
    expect((await rejection(whole.subarray(0, 40))).reason).toBe('TRUNCATED');
  });

  it('refuses a real 20000×20000 PNG decompression bomb as TOO_MANY_PIXELS from its header', async () => {
    const bomb = compressiblePng(20_000);
    expect(bomb.length).toBeLessThan(200_000);
    const meta = await sharp(bomb, { limitInputPixels: false }).metadata();
    expect(meta.width! * meta.height!).toBeGreaterThan(MAX_INPUT_PIXELS);
    const rssBefore = process.memoryUsage().rss;
    expect((await rejection(bomb)).reason).toBe('TOO_MANY_PIXELS');
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
  });

  it('refuses a JPEG whose header claims 20000×20000 pixels as TOO_MANY_PIXELS', async () => {
    expect((await rejection(await jpegClaiming(20_000, 20_000))).reason).toBe('TOO_MANY_PIXELS');
  });

  it('refuses more than MAX_UPLOAD_BYTES as TOO_LARGE_BYTES before looking inside', async () => {
    const oversize = Buffer.alloc(MAX_UPLOAD_BYTES + 1);
    oversize.set([0xff, 0xd8, 0xff], 0);
    expect(MAX_UPLOAD_BYTES).toBe(25 * 1024 * 1024);
    expect((await rejection(oversize)).reason).toBe('TOO_LARGE_BYTES');
  });

  it('refuses an original smaller than the marketplaces need as TOO_SMALL', async () => {
    const tiny = await sharp(quadrants(400, 300), { raw: { width: 400, height: 300, channels: 3 } }).jpeg().toBuffer();
    expect((await rejection(tiny)).reason).toBe('TOO_SMALL');
  });
});

describe('checkVariantAgainstRules', () => {
  const shopee = rulesOf('shopee');

  it('passes a variant that meets every rule', () => {
    expect(checkVariantAgainstRules({ width: 1024, height: 1024, bytes: 300_000, format: 'jpeg' }, shopee)).toEqual([]);
  });

  it('names each rule a variant breaks', () => {
    const failures = checkVariantAgainstRules({ width: 6000, height: 400, bytes: 3 * 1024 * 1024, format: 'webp' }, shopee);
    expect(failures.map((f) => f.rule).sort()).toEqual(['aspect', 'format', 'maxBytes', 'maxPx', 'minPx']);
  });
});
