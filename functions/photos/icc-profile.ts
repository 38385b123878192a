/**
 * Whether an embedded ICC profile describes sRGB itself — the profile most Android phones and
 * editors embed — so that converting the photo "from it to sRGB" would change no pixel and the
 * colour transform can be skipped (it costs a third of a 12 MP photo's processing). Any other
 * profile (Display P3 from iPhones, Adobe RGB, CMYK, grey, LUT-based) must be converted.
 *
 * Decided from what a colour engine uses, not from the profile's name: an RGB matrix/TRC
 * profile whose three colorants are sRGB's primaries (D50-adapted, as ICC stores them) and
 * whose three tone curves follow the sRGB curve. Pure; a malformed profile is "not sRGB".
 */
export function isSrgbProfile(icc: Uint8Array | undefined): boolean {
  if (!icc || icc.length < 132) return false;
  const view = new DataView(icc.buffer, icc.byteOffset, icc.byteLength);
  const ascii = (offset: number) => String.fromCharCode(icc[offset]!, icc[offset + 1]!, icc[offset + 2]!, icc[offset + 3]!);
  if (ascii(16) !== 'RGB ' || ascii(20) !== 'XYZ ') return false;

  const tags = new Map<string, { offset: number; size: number }>();
  const count = view.getUint32(128);
  if (count > 100 || 132 + count * 12 > icc.length) return false;
  for (let i = 0; i < count; i++) {
    const entry = 132 + i * 12;
    const offset = view.getUint32(entry + 4);
    const size = view.getUint32(entry + 8);
    if (offset + size > icc.length || size < 12) return false;
    tags.set(ascii(entry), { offset, size });
  }
  // A lookup-table transform takes precedence over the matrix in a colour engine: not judged here.
  if (['A2B0', 'A2B1', 'A2B2', 'B2A0', 'B2A1', 'B2A2'].some((t) => tags.has(t))) return false;

  const s15 = (offset: number) => view.getInt32(offset) / 65536;
  const colorantMatches = (sig: string, expected: readonly number[]) => {
    const tag = tags.get(sig);
    if (!tag || tag.size < 20 || ascii(tag.offset) !== 'XYZ ') return false;
    return expected.every((v, k) => Math.abs(s15(tag.offset + 8 + 4 * k) - v) <= PRIMARY_TOLERANCE);
  };
  const curveMatches = (sig: string) => {
    const tag = tags.get(sig);
    const curve = tag && readCurve(view, ascii, tag.offset, tag.size);
    return !!curve && CURVE_SAMPLES.every((x) => Math.abs(curve(x) - srgbToLinear(x)) <= CURVE_TOLERANCE);
  };
  return (
    colorantMatches('rXYZ', SRGB_D50.r) &&
    colorantMatches('gXYZ', SRGB_D50.g) &&
    colorantMatches('bXYZ', SRGB_D50.b) &&
    curveMatches('rTRC') &&
    curveMatches('gTRC') &&
    curveMatches('bTRC')
  );
}

/** sRGB's colorants adapted to the D50 connection space (Bradford), as sRGB profiles store them. */
const SRGB_D50 = { r: [0.4361, 0.2225, 0.0139], g: [0.3851, 0.7169, 0.0971], b: [0.1431, 0.0606, 0.7141] } as const;
/** Display P3's red (0.5151, 0.2412, 0) is 0.08 away; rounding in real sRGB profiles is under 0.001. */
const PRIMARY_TOLERANCE = 0.003;
/** Half an 8-bit step at the top of the range: below what a converted pixel could show. */
const CURVE_TOLERANCE = 0.002;
const CURVE_SAMPLES = [0.01, 0.03, 0.05, 0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 1];

function srgbToLinear(v: number): number {
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
}

/** A tone curve (`curv` table or gamma, or `para` function) as a function on 0–1, or undefined if unreadable. */
function readCurve(view: DataView, ascii: (offset: number) => string, offset: number, size: number): ((x: number) => number) | undefined {
  const type = ascii(offset);
  if (type === 'curv') {
    const n = view.getUint32(offset + 8);
    if (12 + n * 2 > size) return undefined;
    if (n === 0) return (x) => x;
    if (n === 1) {
      const gamma = view.getUint16(offset + 12) / 256;
      return (x) => x ** gamma;
    }
    return (x) => {
      const pos = x * (n - 1);
      const i = Math.min(Math.floor(pos), n - 2);
      const a = view.getUint16(offset + 12 + i * 2) / 65535;
      const b = view.getUint16(offset + 14 + i * 2) / 65535;
      return a + (b - a) * (pos - i);
    };
  }
  if (type === 'para') {
    const fn = view.getUint16(offset + 8);
    const arity = [1, 3, 4, 5, 7][fn];
    if (arity === undefined || 12 + arity * 4 > size) return undefined;
    const [g, a = 1, b = 0, c = 0, d = 0, e = 0, f = 0] = Array.from({ length: arity }, (_, k) => view.getInt32(offset + 12 + 4 * k) / 65536);
    const power = (x: number) => (a * x + b > 0 ? (a * x + b) ** g! : 0);
    switch (fn) {
      case 0:
        return (x) => x ** g!;
      case 1:
        return (x) => (x >= -b / a ? power(x) : 0);
      case 2:
        return (x) => (x >= -b / a ? power(x) + c : c);
      case 3:
        return (x) => (x >= d ? power(x) : c * x);
      default:
        return (x) => (x >= d ? power(x) + e : c * x + f);
    }
  }
  return undefined;
}
