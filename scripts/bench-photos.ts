/**
 * `npm run bench:photos` — the photo pipeline against ImageMagick, side by side in one run.
 *
 * Makes 12-megapixel phone-like JPEGs (4032×3024 stored, EXIF orientation 6, GPS, the sRGB
 * colour profile most Android phones embed — which the pipeline recognises and so needs no
 * colour transform for; a Display P3 photo costs sharp a transform ImageMagick's `-strip` never
 * does, so IM's output would show its colours wrong), then for
 * each photo, alternately:
 * - sharp: `processPhoto` in a child process (median wall time over N runs after a warm-up,
 *   and that process's peak RSS from /proc/self/status VmHWM, minus its RSS before the
 *   first photo);
 * - ImageMagick at its best: ONE `convert` per photo producing the same variants (decode
 *   once with the `-define jpeg:size=` shrink-on-load hint, `-auto-orient -strip`, the same
 *   sizes, white padding and quality), timed per process, peak RSS from `/usr/bin/time -f %M`
 *   (or by polling /proc when GNU time is missing).
 * When `magick`/`convert` is missing or is only the stand-in stub, it says so and skips the peer.
 *
 *   npm run bench:photos -- [--photos 3] [--runs 5]
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { decodeWorkingImage, processPhoto, variantSpecs } from '#functions/photos/photo-pipeline.ts';
import { configureSharpForPhotoProcessing } from '#functions/photos/sharp-runtime.ts';

const SPEED_BAR = 5;
const self = fileURLToPath(import.meta.url);

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function procStatusKb(field: 'VmHWM' | 'VmRSS', pid: number | 'self' = 'self'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

// ---- worker: one tool run in its own process, so its peak RSS is its own -------------------

async function sharpWorker(file: string, runs: number) {
  configureSharpForPhotoProcessing();
  const warm = await readFile(file);
  await processPhoto(warm);
  const baselineKb = procStatusKb('VmRSS');
  const working = Math.max(...variantSpecs().map((v) => v.targetPx));
  const decodeTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const bytes = await readFile(file);
    await decodeWorkingImage(bytes, await sharp(bytes).metadata(), working);
    decodeTimes.push(performance.now() - t);
  }
  const times: number[] = [];
  let variants: { name: string; width: number; height: number; bytes: number }[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const result = await processPhoto(await readFile(file));
    times.push(performance.now() - t);
    variants = result.variants.map(({ name, width, height, bytes }) => ({ name, width, height, bytes }));
  }
  process.stdout.write(JSON.stringify({ times, decodeTimes, peakKb: procStatusKb('VmHWM'), baselineKb, variants }));
}

// ---- the peer --------------------------------------------------------------------------

/** The real ImageMagick binary, or why there is none (absent, or only the stand-in stub). */
function findImageMagick(): { bin: string; version: string } | { missing: string } {
  const onPath = (name: string) => (process.env.PATH ?? '').split(delimiter).map((d) => join(d, name)).find((p) => existsSync(p));
  const isStub = (p: string) => readFileSync(p).subarray(0, 4096).toString('latin1').includes('Stands in for ImageMagick');
  for (const name of ['magick', 'convert']) {
    const path = onPath(name);
    if (!path) continue;
    let bin = path;
    if (isStub(path)) {
      // The stub forwards to the real binary once installed; call that directly so its start-up is not counted.
      if (!existsSync('/usr/bin/convert') || isStub('/usr/bin/convert')) return { missing: `${path} is only the stand-in stub (apt-get install -y imagemagick for the real one)` };
      bin = '/usr/bin/convert';
    }
    const v = spawnSync(bin, ['-version'], { encoding: 'utf8' });
    if (v.status === 0 && /ImageMagick/.test(v.stdout)) return { bin, version: v.stdout.split('\n')[0]!.replace(/^Version:\s*/, '') };
  }
  return { missing: 'neither magick nor convert is on PATH' };
}

/** The convert arguments that make the same variants as the pipeline, decoding once. */
function imageMagickArgs(input: string, outDir: string): string[] {
  const specs = variantSpecs();
  const working = Math.max(...specs.map((s) => s.targetPx));
  const args = ['-define', `jpeg:size=${working}x${working}`, input, '-auto-orient', '-strip', '-colorspace', 'sRGB', '-background', 'white', '-alpha', 'remove', '-alpha', 'off', '-resize', `${working}x${working}>`, '-write', 'mpr:base', '+delete'];
  specs.forEach((s, i) => {
    const out = join(outDir, `${s.name}.${s.format === 'jpeg' ? 'jpg' : s.format}`);
    args.push('mpr:base', '-resize', `${s.targetPx}x${s.targetPx}>`);
    if (s.aspect === 'square') args.push('-gravity', 'center', '-extent', `${s.targetPx}x${s.targetPx}`);
    args.push('-quality', '85');
    if (s.format === 'webp') args.push('-define', 'webp:method=2');
    if (s.format === 'jpeg') args.push('-sampling-factor', '4:2:0');
    args.push(...(i < specs.length - 1 ? ['-write', out, '+delete'] : [out]));
  });
  return args;
}

/** Runs a command, returning wall time and peak RSS (kB). */
function runMeasured(bin: string, args: string[]): Promise<{ ms: number; peakKb: number }> {
  const gnuTime = existsSync('/usr/bin/time');
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = gnuTime ? spawn('/usr/bin/time', ['-f', '%M', bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] }) : spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let polled = 0;
    const poll = gnuTime ? undefined : setInterval(() => {
      try {
        polled = Math.max(polled, procStatusKb('VmHWM', child.pid!));
      } catch {
        /* exited */
      }
    }, 2);
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t;
      if (poll) clearInterval(poll);
      if (code !== 0) return reject(new Error(`${bin} failed (${code}): ${stderr.slice(0, 500)}`));
      resolve({ ms, peakKb: gnuTime ? Number(stderr.trim().split('\n').at(-1)) : polled });
    });
  });
}

function runWorker(file: string, runs: number): Promise<{ times: number[]; decodeTimes: number[]; peakKb: number; baselineKb: number; variants: { name: string; width: number; height: number; bytes: number }[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, self, '--worker', file, String(runs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`sharp worker exited ${code}`))));
  });
}

// ---- test photos ---------------------------------------------------------------------------

/** A 4032×3024 picture with gradients, shapes and sensor-like noise, stored as a phone held upright would (orientation 6). */
async function phoneJpeg(seed: number): Promise<Buffer> {
  const w = 4032;
  const h = 3024;
  const px = Buffer.alloc(w * h * 3);
  let s = seed * 2654435761;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      s = (s * 1103515245 + 12345) >>> 0;
      const n = (s >>> 24) % 24;
      const inDisc = (x - w * 0.55) ** 2 + (y - h * 0.5) ** 2 < (h * 0.3) ** 2;
      const i = (y * w + x) * 3;
      px[i] = (inDisc ? 200 : (x * 255) / w) * 0.9 + n;
      px[i + 1] = (inDisc ? 120 + 40 * Math.sin(x / 37) : (y * 255) / h) * 0.9 + n;
      px[i + 2] = (inDisc ? 60 : 128 + 60 * Math.sin((x + y) / 150)) * 0.9 + n;
    }
  }
  return sharp(px, { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 92 })
    .withMetadata({ orientation: 6 })
    .withExifMerge({ IFD0: { Make: 'BenchPhone', Model: '12MP' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '19/1 48/1 30/1', GPSLongitudeRef: 'E', GPSLongitude: '105/1 46/1 0/1' } })
    .toBuffer();
}

async function main() {
  const photos = arg('photos', 3);
  const runs = arg('runs', 5);
  const { PHOTO_FUNCTION_MEMORY_MB } = await import('#infra/photo-stack.ts');
  const dir = await mkdtemp(join(tmpdir(), 'bench-photos-'));
  try {
    const files: string[] = [];
    for (let p = 0; p < photos; p++) {
      const file = join(dir, `phone-${p}.jpg`);
      await writeFile(file, await phoneJpeg(p + 1));
      files.push(file);
    }
    const meta = await sharp(files[0]).metadata();
    console.log(`photo pipeline benchmark: ${photos} generated phone JPEGs ${meta.width}×${meta.height} (${((meta.width! * meta.height!) / 1e6).toFixed(1)} MP, orientation ${meta.orientation}, GPS EXIF), ${(await stat(files[0]!)).size} bytes each, ${runs} runs per tool per photo after a warm-up`);
    console.log(`variants: ${variantSpecs().map((s) => `${s.name} (${s.format}${s.marketplaces.length ? `; ${s.marketplaces.join(', ')}` : '; web thumbnail'})`).join(', ')}`);

    const im = findImageMagick();
    if ('missing' in im) console.log(`ImageMagick: skipped — ${im.missing}`);
    else console.log(`ImageMagick: ${im.bin} — ${im.version}`);

    const rows: { photo: string; sharpMs: number; sharpDecodeMs: number; sharpPeakKb: number; sharpDeltaKb: number; imMs?: number; imDecodeMs?: number; imPeakKb?: number; imBytes?: number; sharpBytes: number }[] = [];
    for (const file of files) {
      const s = await runWorker(file, runs);
      const row: (typeof rows)[number] = { photo: file.slice(dir.length + 1), sharpMs: median(s.times), sharpDecodeMs: median(s.decodeTimes), sharpPeakKb: s.peakKb, sharpDeltaKb: s.peakKb - s.baselineKb, sharpBytes: s.variants.reduce((a, v) => a + v.bytes, 0) };
      if (!('missing' in im)) {
        const out = join(dir, `im-${row.photo}`);
        await mkdir(out, { recursive: true });
        await runMeasured(im.bin, imageMagickArgs(file, out));
        const measured = [];
        for (let i = 0; i < runs; i++) measured.push(await runMeasured(im.bin, imageMagickArgs(file, out)));
        row.imMs = median(measured.map((m) => m.ms));
        row.imPeakKb = Math.max(...measured.map((m) => m.peakKb));
        const working = Math.max(...variantSpecs().map((v) => v.targetPx));
        const decodeOnly = [];
        for (let i = 0; i < runs; i++) decodeOnly.push((await runMeasured(im.bin, ['-define', `jpeg:size=${working}x${working}`, file, 'null:'])).ms);
        row.imDecodeMs = median(decodeOnly);
        let bytes = 0;
        for (const f of await readdir(out)) bytes += (await stat(join(out, f))).size;
        row.imBytes = bytes;
        const check = await sharp(join(out, 'square-1024.jpg')).metadata();
        if (check.width !== 1024 || check.height !== 1024 || check.exif) throw new Error('ImageMagick did not make the same square variant');
      }
      rows.push(row);
    }

    console.log('');
    console.log(['photo'.padEnd(14), 'sharp median'.padStart(13), 'sharp peak RSS'.padStart(15), '(Δ over idle)'.padStart(14), 'IM median'.padStart(10), 'IM peak RSS'.padStart(12), 'IM / sharp'.padStart(11), 'output bytes sharp / IM'.padStart(25)].join(' '));
    for (const r of rows) {
      console.log(
        [
          r.photo.padEnd(14),
          `${r.sharpMs.toFixed(0)} ms`.padStart(13),
          mb(r.sharpPeakKb).padStart(15),
          `+${mb(r.sharpDeltaKb)}`.padStart(14),
          (r.imMs === undefined ? '—' : `${r.imMs.toFixed(0)} ms`).padStart(10),
          (r.imPeakKb === undefined ? '—' : mb(r.imPeakKb)).padStart(12),
          (r.imMs === undefined ? '—' : `${(r.imMs / r.sharpMs).toFixed(1)}×`).padStart(11),
          `${r.sharpBytes} / ${r.imBytes ?? '—'}`.padStart(25),
        ].join(' '),
      );
    }
    const sharpMs = median(rows.map((r) => r.sharpMs));
    const peakKb = Math.max(...rows.map((r) => r.sharpPeakKb));
    console.log('');
    if (rows[0]!.imMs !== undefined) {
      const ratio = median(rows.map((r) => r.imMs!)) / sharpMs;
      const imMs = median(rows.map((r) => r.imMs!));
      console.log(`speed: sharp ${sharpMs.toFixed(0)} ms vs ImageMagick ${imMs.toFixed(0)} ms per photo — ratio ${ratio.toFixed(1)}× (bar ≥ ${SPEED_BAR}×: ${ratio >= SPEED_BAR ? 'met' : 'NOT met'})`);
      const sharpDecode = median(rows.map((r) => r.sharpDecodeMs));
      console.log(
        `decode floor: the pipeline's one shrink-on-load decode (upright, sRGB, raw) alone takes sharp ${sharpDecode.toFixed(0)} ms and ImageMagick ${median(rows.map((r) => r.imDecodeMs!)).toFixed(0)} ms (process included); ` +
          `even with every step after decoding free, sharp could be at most ${(imMs / sharpDecode).toFixed(1)}× faster here`,
      );
    } else {
      console.log(`speed: sharp ${sharpMs.toFixed(0)} ms per photo; no ImageMagick to compare with, so no ratio`);
    }
    const share = peakKb / 1024 / PHOTO_FUNCTION_MEMORY_MB;
    console.log(`memory: sharp peak RSS ${mb(peakKb)} (Node and all) against the photo Lambda's ${PHOTO_FUNCTION_MEMORY_MB} MB — ${(share * 100).toFixed(0)}% (${share < 0.5 ? 'room to spare' : 'TOO CLOSE'})`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--worker') await sharpWorker(process.argv[3]!, Number(process.argv[4]));
else await main();
