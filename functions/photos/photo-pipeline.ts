import sharp, { type Metadata, type OutputInfo, type Sharp } from 'sharp';
import { marketplaces, type Marketplace, type PhotoFormat, type PhotoRules } from '#shared/marketplaces.ts';
import { MAX_UPLOAD_BYTES, type PhotoRejectionReason } from '#shared/schemas/photo.ts';
import { isSrgbProfile } from './icc-profile.ts';

export { MAX_UPLOAD_BYTES };

/**
 * Largest image decoded (width × height of the original): 100 MP covers the 48–64 MP
 * full-resolution modes of current phones; a 20000×20000 "decompression bomb" (400 MP,
 * 1.2 GB of pixels from a few kB of PNG) is refused from its header, before any decoding.
 */
export const MAX_INPUT_PIXELS = 100_000_000;

/** Long edge of the web app's thumbnail (WebP). */
export const THUMBNAIL_PX = 320;
const THUMBNAIL_MAX_BYTES = 100 * 1024;

/** Quality steps tried in turn until a variant fits its byte limit. */
const QUALITY_STEPS = [85, 78, 70, 62, 54, 46, 38] as const;
const WHITE = { r: 255, g: 255, b: 255, alpha: 1 };

/** A photo the pipeline refuses, with a stable reason code the web app explains. */
export class PhotoRejectedError extends Error {
  constructor(
    readonly reason: PhotoRejectionReason,
    message: string,
  ) {
    super(message);
    this.name = 'PhotoRejectedError';
  }
}

export type SourceFormat = 'jpeg' | 'png' | 'webp' | 'heif';

/** One output the pipeline makes; several marketplaces with compatible rules share one. */
export type VariantSpec = {
  name: string;
  purpose: 'marketplace' | 'thumbnail';
  aspect: PhotoRules['aspect'];
  format: PhotoFormat | 'webp';
  /** Long edge (or side, for `square`) the variant is made at, never enlarging the original. */
  targetPx: number;
  /** The strictest limits of the marketplaces served. */
  minPx: number;
  maxPx: number;
  maxBytes: number;
  marketplaces: string[];
};

export type PhotoVariant = {
  name: string;
  purpose: VariantSpec['purpose'];
  format: VariantSpec['format'];
  width: number;
  height: number;
  bytes: number;
  /** Encoder quality used (the first step that fit `maxBytes`). */
  quality: number;
  marketplaces: string[];
  data: Buffer;
};

export type PhotoResult = {
  /** The original as decoded: format, upright size and byte count. */
  source: { format: SourceFormat; width: number; height: number; bytes: number };
  variants: PhotoVariant[];
};

/**
 * The outputs the registry asks for. Marketplaces whose rules want the same shape, size and
 * format share one variant made to the strictest of their limits (largest minPx, smallest
 * maxPx and maxBytes); a WebP thumbnail for the web app is always added.
 */
export function variantSpecs(registry: readonly Marketplace[] = marketplaces): VariantSpec[] {
  const groups = new Map<string, VariantSpec>();
  for (const m of registry) {
    const r = m.photos;
    const format: PhotoFormat = r.formats.includes('jpeg') ? 'jpeg' : r.formats[0]!;
    const targetPx = Math.min(r.targetPx, r.maxPx);
    const key = `${r.aspect}|${format}|${targetPx}`;
    const existing = groups.get(key);
    if (existing) {
      existing.minPx = Math.max(existing.minPx, r.minPx);
      existing.maxPx = Math.min(existing.maxPx, r.maxPx);
      existing.maxBytes = Math.min(existing.maxBytes, r.maxBytes);
      existing.marketplaces.push(m.id);
      continue;
    }
    const name = `${r.aspect === 'square' ? 'square' : 'fit'}-${targetPx}${format === 'jpeg' ? '' : `-${format}`}`;
    groups.set(key, { name, purpose: 'marketplace', aspect: r.aspect, format, targetPx, minPx: r.minPx, maxPx: r.maxPx, maxBytes: r.maxBytes, marketplaces: [m.id] });
  }
  const thumbnail: VariantSpec = { name: `thumb-${THUMBNAIL_PX}`, purpose: 'thumbnail', aspect: 'any', format: 'webp', targetPx: THUMBNAIL_PX, minPx: 1, maxPx: THUMBNAIL_PX, maxBytes: THUMBNAIL_MAX_BYTES, marketplaces: [] };
  return [...groups.values(), thumbnail];
}

/** The shortest long edge an original may have: every marketplace variant is made without enlarging. */
export function minimumSourcePx(registry: readonly Marketplace[] = marketplaces): number {
  return Math.max(0, ...variantSpecs(registry).filter((s) => s.purpose === 'marketplace').map((s) => s.minPx));
}

type Sniffed = { kind: 'image'; format: SourceFormat } | { kind: 'other-image'; name: string } | { kind: 'unknown' };

const heifBrands = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'mif2', 'msf1', 'miaf', 'avif', 'avis']);
const bmpHeaderSizes = new Set([12, 40, 52, 56, 64, 108, 124]);

/** Identifies the container from its first bytes; the file name and declared type are never trusted. */
export function sniffFormat(bytes: Buffer): Sniffed {
  const at = (offset: number, ...values: number[]) => values.every((v, i) => bytes[offset + i] === v);
  const ascii = (offset: number, length: number) => bytes.subarray(offset, offset + length).toString('latin1');
  if (at(0, 0xff, 0xd8, 0xff)) return { kind: 'image', format: 'jpeg' };
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return { kind: 'image', format: 'png' };
  if (ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WEBP') return { kind: 'image', format: 'webp' };
  if (bytes.length >= 16 && ascii(4, 4) === 'ftyp') {
    const boxSize = Math.min(bytes.readUInt32BE(0), bytes.length, 256);
    const brands = [ascii(8, 4)];
    for (let o = 16; o + 4 <= boxSize; o += 4) brands.push(ascii(o, 4));
    return brands.some((b) => heifBrands.has(b)) ? { kind: 'image', format: 'heif' } : { kind: 'unknown' };
  }
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return { kind: 'other-image', name: 'GIF' };
  if (at(0, 0x49, 0x49, 0x2a, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2a)) return { kind: 'other-image', name: 'TIFF or camera RAW' };
  if (ascii(0, 2) === 'BM' && bytes.length >= 18 && bmpHeaderSizes.has(bytes.readUInt32LE(14))) return { kind: 'other-image', name: 'BMP' };
  if (at(0, 0x00, 0x00, 0x01, 0x00)) return { kind: 'other-image', name: 'ICO' };
  if (at(0, 0xff, 0x0a) || at(0, 0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20)) return { kind: 'other-image', name: 'JPEG XL' };
  if (at(0, 0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20)) return { kind: 'other-image', name: 'JPEG 2000' };
  if (ascii(0, 4) === '8BPS') return { kind: 'other-image', name: 'Photoshop' };
  if (/<svg[\s>]/i.test(ascii(0, 1024))) return { kind: 'other-image', name: 'SVG' };
  return { kind: 'unknown' };
}

/**
 * From the bytes of an uploaded original to every variant the marketplaces ask for, plus a
 * thumbnail. Pure: no I/O beyond the CPU.
 *
 * Checks before decoding: size, magic bytes (JPEG, PNG, WebP, HEIF), then the header's pixel
 * count. Decodes once — shrink-on-load straight to the largest size needed, EXIF orientation
 * applied, transparency flattened on white, converted to sRGB through the embedded colour
 * profile (skipped when that profile is sRGB itself, where it would change nothing) — into raw pixels that carry no
 * metadata at all (EXIF, GPS, ICC, XMP, IPTC are gone by construction); every variant is
 * then encoded from those pixels, stepping quality down until it fits its byte limit.
 *
 * @throws PhotoRejectedError with a stable `reason` for input that is not a usable photo.
 */
export async function processPhoto(bytes: Buffer, registry: readonly Marketplace[] = marketplaces): Promise<PhotoResult> {
  if (bytes.length === 0) throw new PhotoRejectedError('EMPTY', 'The file is empty');
  if (bytes.length > MAX_UPLOAD_BYTES) throw new PhotoRejectedError('TOO_LARGE_BYTES', `The file is larger than ${MAX_UPLOAD_BYTES} bytes`);

  const sniffed = sniffFormat(bytes);
  if (sniffed.kind === 'unknown') throw new PhotoRejectedError('NOT_AN_IMAGE', 'The file is not an image');
  if (sniffed.kind === 'other-image') throw new PhotoRejectedError('UNSUPPORTED_FORMAT', `${sniffed.name} images are not accepted; send JPEG, PNG, WebP or HEIF`);

  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw new PhotoRejectedError('TRUNCATED', 'The image file is incomplete or damaged');
  }
  if (sniffed.format === 'heif' && meta.compression !== 'av1') {
    // The prebuilt libvips in sharp decodes AV1 (AVIF) only; HEVC (HEIC) needs a patent-encumbered decoder it leaves out.
    throw new PhotoRejectedError('UNSUPPORTED_FORMAT', "HEIC photos cannot be read here; set the phone camera to 'Most Compatible' (JPEG) or send JPEG");
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width * height > MAX_INPUT_PIXELS) {
    throw new PhotoRejectedError('TOO_MANY_PIXELS', `The image has ${width}×${height} pixels; at most ${MAX_INPUT_PIXELS} are accepted`);
  }
  const upright = (meta.orientation ?? 1) >= 5 ? { width: height, height: width } : { width, height };
  const sourceLong = Math.max(upright.width, upright.height);
  const minSource = minimumSourcePx(registry);
  if (sourceLong < minSource) throw new PhotoRejectedError('TOO_SMALL', `The image is ${upright.width}×${upright.height}; its longer side must be at least ${minSource} px`);

  const specs = variantSpecs(registry);
  const workingLong = Math.min(sourceLong, Math.max(...specs.map((s) => s.targetPx)));
  let base: RawImage;
  try {
    base = await decodeWorkingImage(bytes, meta, workingLong);
  } catch {
    throw new PhotoRejectedError('TRUNCATED', 'The image file is incomplete or damaged');
  }

  const variants = await Promise.all(specs.map((spec) => makeVariant(base, sourceLong, spec)));
  return { source: { format: sniffed.format, width: upright.width, height: upright.height, bytes: bytes.length }, variants };
}

type RawImage = { data: Buffer; info: OutputInfo };

/**
 * The one decode of a photo: upright, shrunk on load to `workingLong` on its long edge, flat on
 * white, in sRGB, as raw pixels. Exported for the benchmark, which reports it as the floor.
 */
export function decodeWorkingImage(bytes: Buffer, meta: Pick<Metadata, 'icc'>, workingLong: number): Promise<RawImage> {
  return sharp(bytes, { failOn: 'truncated', limitInputPixels: MAX_INPUT_PIXELS, autoOrient: true, ignoreIcc: isSrgbProfile(meta.icc) })
    .resize({ width: workingLong, height: workingLong, fit: 'inside', withoutEnlargement: true })
    .flatten({ background: WHITE })
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
}

function fromRaw(base: RawImage) {
  return sharp(base.data, { raw: { width: base.info.width, height: base.info.height, channels: base.info.channels as 3 } });
}

async function makeVariant(base: RawImage, sourceLong: number, spec: VariantSpec): Promise<PhotoVariant> {
  let long = Math.min(spec.targetPx, spec.maxPx, sourceLong);
  for (;;) {
    for (const quality of QUALITY_STEPS) {
      const { data, info } = await encode(shape(base, spec, long), spec.format, quality).toBuffer({ resolveWithObject: true });
      if (data.length <= spec.maxBytes) {
        return { name: spec.name, purpose: spec.purpose, format: spec.format, width: info.width, height: info.height, bytes: data.length, quality, marketplaces: [...spec.marketplaces], data };
      }
    }
    // Only pathological noise misses the byte limit at the lowest quality: shrink while the rules allow it.
    const smaller = Math.floor(long * 0.85);
    if (smaller < spec.minPx) throw new Error(`Variant ${spec.name} cannot fit ${spec.maxBytes} bytes`);
    long = smaller;
  }
}

/** Square: contained and padded white. Any: fitted to the long edge, the short side padded white up to minPx if it falls short. */
function shape(base: RawImage, spec: VariantSpec, long: number): Sharp {
  const image = fromRaw(base);
  if (spec.aspect === 'square') return image.resize({ width: long, height: long, fit: 'contain', background: WHITE });
  const { width: bw, height: bh } = base.info;
  const landscape = bw >= bh;
  const short = Math.round((long * Math.min(bw, bh)) / Math.max(bw, bh));
  if (short >= spec.minPx) return image.resize({ width: long, height: long, fit: 'inside', withoutEnlargement: true });
  const box = landscape ? { width: long, height: Math.min(spec.minPx, long) } : { width: Math.min(spec.minPx, long), height: long };
  return image.resize({ ...box, fit: 'contain', background: WHITE });
}

function encode(image: Sharp, format: VariantSpec['format'], quality: number): Sharp {
  switch (format) {
    case 'jpeg':
      return image.jpeg({ quality, chromaSubsampling: '4:2:0' });
    case 'webp':
      return image.webp({ quality, effort: 2 });
    case 'png':
      return quality === QUALITY_STEPS[0] ? image.png({ compressionLevel: 6 }) : image.png({ palette: true, quality, compressionLevel: 6 });
  }
}
