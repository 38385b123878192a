import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isSrgbProfile } from '#functions/photos/icc-profile.ts';

/** The ICC profile sharp embeds for one of its built-in names ('srgb', 'p3', 'cmyk'). */
async function builtInProfile(name: string): Promise<Buffer> {
  const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).jpeg().withIccProfile(name).toBuffer();
  return (await sharp(jpeg).metadata()).icc!;
}

type Curve = { curv: number[] } | { gamma: number };

/** A minimal ICC v2 RGB matrix/TRC display profile with the given colorants and tone curve. */
function matrixProfile(colorants: { r: number[]; g: number[]; b: number[] }, curve: Curve): Buffer {
  const xyz = (v: number[]) => Buffer.concat([Buffer.from('XYZ \0\0\0\0', 'latin1'), ...v.map((n) => int32(Math.round(n * 65536)))]);
  const curvTag = 'gamma' in curve ? Buffer.concat([Buffer.from('curv\0\0\0\0', 'latin1'), uint32(1), uint16(Math.round(curve.gamma * 256)), uint16(0)]) : Buffer.concat([Buffer.from('curv\0\0\0\0', 'latin1'), uint32(curve.curv.length), ...curve.curv.map((v) => uint16(Math.round(v * 65535))), ...(curve.curv.length % 2 ? [uint16(0)] : [])]);
  const tags: [string, Buffer][] = [['wtpt', xyz([0.9642, 1, 0.8249])], ['rXYZ', xyz(colorants.r)], ['gXYZ', xyz(colorants.g)], ['bXYZ', xyz(colorants.b)], ['rTRC', curvTag], ['gTRC', curvTag], ['bTRC', curvTag]];
  let offset = 128 + 4 + tags.length * 12;
  const table: Buffer[] = [uint32(tags.length)];
  for (const [sig, data] of tags) {
    table.push(Buffer.from(sig, 'latin1'), uint32(offset), uint32(data.length));
    offset += data.length;
  }
  const header = Buffer.alloc(128);
  header.write('mntrRGB XYZ ', 12, 'latin1');
  header.writeUInt32BE(0x02100000, 8);
  header.write('acsp', 36, 'latin1');
  const body = Buffer.concat([header, ...table, ...tags.map(([, d]) => d)]);
  body.writeUInt32BE(body.length, 0);
  return body;
}
const uint32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
const int32 = (n: number) => uint32(n >>> 0);
const uint16 = (n: number) => Buffer.from([n >>> 8, n & 255]);

const SRGB = { r: [0.43607, 0.22249, 0.01392], g: [0.38515, 0.71687, 0.09708], b: [0.14307, 0.06061, 0.71410] };
const srgbTable = (n: number) => Array.from({ length: n }, (_, i) => {
  const v = i / (n - 1);
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
});

describe('isSrgbProfile', () => {
  it('recognises the sRGB profile sharp and libvips embed (parametric curves)', async () => {
    expect(isSrgbProfile(await builtInProfile('srgb'))).toBe(true);
  });

  it('recognises a v2 sRGB profile with 1024-entry tone tables, as cameras and editors embed', () => {
    expect(isSrgbProfile(matrixProfile(SRGB, { curv: srgbTable(1024) }))).toBe(true);
  });

  it('does not take Display P3 or CMYK for sRGB', async () => {
    expect(isSrgbProfile(await builtInProfile('p3'))).toBe(false);
    expect(isSrgbProfile(await builtInProfile('cmyk'))).toBe(false);
  });

  it('does not take sRGB primaries with a plain 2.2 gamma, or with a linear curve, for sRGB', () => {
    expect(isSrgbProfile(matrixProfile(SRGB, { gamma: 2.2 }))).toBe(false);
    expect(isSrgbProfile(matrixProfile(SRGB, { curv: [] }))).toBe(false);
  });

  it('does not take Adobe RGB primaries with the sRGB curve for sRGB', () => {
    const adobe = { r: [0.60974, 0.31111, 0.01947], g: [0.20528, 0.62567, 0.06087], b: [0.14919, 0.06322, 0.74457] };
    expect(isSrgbProfile(matrixProfile(adobe, { curv: srgbTable(1024) }))).toBe(false);
  });

  it('answers false, without throwing, for no profile, garbage and a cut profile', async () => {
    expect(isSrgbProfile(undefined)).toBe(false);
    expect(isSrgbProfile(Buffer.from('not a profile at all, just some text that is long enough to pass the size check'.repeat(3)))).toBe(false);
    const srgb = await builtInProfile('srgb');
    for (const cut of [100, 140, 200, srgb.length - 10]) expect(isSrgbProfile(srgb.subarray(0, cut)), `cut at ${cut}`).toBe(false);
    const lyingCount = Buffer.from(srgb);
    lyingCount.writeUInt32BE(0xffffffff, 128);
    expect(isSrgbProfile(lyingCount)).toBe(false);
  });
});
