import { build, type Metafile } from 'esbuild';
import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(repo, 'web');

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(p)));
    else out.push(p);
  }
  return out;
}

/**
 * Builds the static web app into `outDir` (default `dist/web`) with the local esbuild:
 * - `app.js` + `app.css`, the first load; code loaded on demand (dashboard, map) goes to
 *   `chunks/` with content-hashed names;
 * - `web/public/**` copied as is (manifest, icon, the commune boundaries for the map);
 * - `index.html` with module preloads of the chunks `app.js` imports statically;
 * - `sw.js`, the service worker, with the list of shell files to cache and a build id made
 *   from their contents (a new build replaces the old cache).
 */
export async function buildWeb(outDir = join(repo, 'dist', 'web')): Promise<string> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const result = await build({
    entryPoints: { app: join(web, 'src/main.ts') },
    bundle: true,
    splitting: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    outdir: outDir,
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    assetNames: 'assets/[name]-[hash]',
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  await cp(join(web, 'public'), outDir, { recursive: true });

  const outputs = Object.keys(result.metafile.outputs).map((p) => `/${relative(outDir, join(repo, p)).split('\\').join('/')}`);
  const staticImports = staticImportsOf(result.metafile, outDir, 'app.js');
  const preload = staticImports.map((p) => `  <link rel="modulepreload" href="${p}">`).join('\n');
  const html = (await readFile(join(web, 'index.html'), 'utf8')).replace('</head>', `${preload ? `${preload}\n` : ''}</head>`);
  await writeFile(join(outDir, 'index.html'), html);

  const publicFiles = (await listFiles(join(web, 'public'))).map((p) => `/${relative(join(web, 'public'), p).split('\\').join('/')}`).filter((p) => !p.startsWith('/geo/'));
  const shell = ['/', '/index.html', ...outputs.filter((p) => !p.endsWith('.map')), ...publicFiles];
  const hash = createHash('sha256');
  for (const p of shell.filter((x) => x !== '/')) hash.update(p).update(await readFile(join(outDir, p)));
  await build({
    entryPoints: [join(web, 'src/sw.ts')],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    outfile: join(outDir, 'sw.js'),
    define: { __SHELL__: JSON.stringify(shell), __BUILD__: JSON.stringify(hash.digest('hex').slice(0, 12)) },
    logLevel: 'warning',
  });
  return outDir;
}

/** The chunks an output imports statically (transitively): what the browser fetches before the app runs. */
function staticImportsOf(meta: Metafile, outDir: string, entry: string): string[] {
  const key = (p: string) => `/${relative(outDir, join(repo, p)).split('\\').join('/')}`;
  const byKey = new Map(Object.entries(meta.outputs).map(([p, o]) => [key(p), o]));
  const seen = new Set<string>();
  const visit = (k: string) => {
    for (const imp of byKey.get(k)?.imports ?? []) {
      if (imp.kind !== 'import-statement' || imp.external) continue;
      const ik = key(imp.path);
      if (seen.has(ik)) continue;
      seen.add(ik);
      visit(ik);
    }
  };
  visit(`/${entry}`);
  return [...seen];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`web app built in ${await buildWeb(process.argv[2])}`);
}
