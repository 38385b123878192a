/**
 * `npm run bench:web`: builds the web app into a temporary folder with buildWeb and prints what
 * a first visit downloads — the JavaScript and CSS that index.html references and the chunks
 * they import statically — raw and gzip-compressed, against the 100 KB gzip budget for
 * JavaScript (DESIGN §6). Code and data loaded on demand (dashboard, map, boundaries) are listed
 * separately and not counted.
 */
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildWeb } from './build-web.ts';

export const FIRST_LOAD_JS_BUDGET_GZIP = 100 * 1024;

export type AssetSize = { path: string; raw: number; gzip: number };
export type WebSizes = { firstLoadJs: AssetSize[]; firstLoadCss: AssetSize[]; onDemand: AssetSize[] };

async function size(dir: string, path: string): Promise<AssetSize> {
  const bytes = await readFile(join(dir, path));
  return { path, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

/** Files the first load fetches: scripts and stylesheets in index.html and the static imports of those scripts. */
export async function measureWeb(dir: string): Promise<WebSizes> {
  const html = await readFile(join(dir, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/<script[^>]+src="([^"]+)"/g), ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)].map((m) => m[1]!);
  const styles = [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g)].map((m) => m[1]!);
  const js = new Set<string>();
  const queue = [...scripts];
  while (queue.length) {
    const p = queue.shift()!;
    if (js.has(p)) continue;
    js.add(p);
    const code = await readFile(join(dir, p), 'utf8');
    // Static imports only (`import … from "./x.js"` / `import "./x.js"`); `import("…")` is on demand.
    for (const m of code.matchAll(/(?:^|[;}\s])import\s*(?:[\w$*{},\s]+?from\s*)?["']([^"']+\.js)["']/g)) queue.push(new URL(m[1]!, `http://x${p}`).pathname);
  }
  const all: string[] = [];
  const walk = async (sub: string) => {
    for (const e of await readdir(join(dir, sub), { withFileTypes: true })) {
      const p = `${sub}/${e.name}`;
      if (e.isDirectory()) await walk(p);
      else if (/\.(js|geojson)$/.test(e.name) && e.name !== 'sw.js') all.push(p);
    }
  };
  await walk('');
  return {
    firstLoadJs: await Promise.all([...js].map((p) => size(dir, p))),
    firstLoadCss: await Promise.all(styles.map((p) => size(dir, p))),
    onDemand: await Promise.all(all.filter((p) => !js.has(p)).map((p) => size(dir, p))),
  };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const sum = (xs: AssetSize[], k: 'raw' | 'gzip') => xs.reduce((a, x) => a + x[k], 0);

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = await mkdtemp(join(tmpdir(), 'ocop-web-bench-'));
  try {
    const started = performance.now();
    await buildWeb(dir);
    const ms = Math.round(performance.now() - started);
    const sizes = await measureWeb(dir);
    const row = (a: AssetSize) => `  ${a.path.padEnd(44)} ${kb(a.raw).padStart(10)} ${kb(a.gzip).padStart(10)}`;
    console.log(`web build (buildWeb into a temp dir): ${ms} ms`);
    console.log(`  ${'file'.padEnd(44)} ${'raw'.padStart(10)} ${'gzip'.padStart(10)}`);
    console.log('first load, JavaScript:');
    sizes.firstLoadJs.forEach((a) => console.log(row(a)));
    console.log('first load, CSS:');
    sizes.firstLoadCss.forEach((a) => console.log(row(a)));
    console.log('on demand (not in the first load):');
    sizes.onDemand.forEach((a) => console.log(row(a)));
    console.log(`sw.js: ${kb((await stat(join(dir, 'sw.js'))).size)} raw`);
    const jsGz = sum(sizes.firstLoadJs, 'gzip');
    console.log(`\nFIRST-LOAD JS:  ${kb(sum(sizes.firstLoadJs, 'raw'))} raw, ${kb(jsGz)} gzip  (budget ${kb(FIRST_LOAD_JS_BUDGET_GZIP)} gzip: ${jsGz <= FIRST_LOAD_JS_BUDGET_GZIP ? 'within' : 'OVER'})`);
    console.log(`FIRST-LOAD CSS: ${kb(sum(sizes.firstLoadCss, 'raw'))} raw, ${kb(sum(sizes.firstLoadCss, 'gzip'))} gzip`);
    if (jsGz > FIRST_LOAD_JS_BUDGET_GZIP) process.exitCode = 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
