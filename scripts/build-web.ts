import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Builds the static web app into `outDir` (default `dist/web`) with the local esbuild. */
export async function buildWeb(outDir = join(repo, 'dist', 'web')): Promise<string> {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: { app: join(repo, 'web/src/main.ts') },
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    outdir: outDir,
    entryNames: '[name]',
    logLevel: 'warning',
  });
  await copyFile(join(repo, 'web/index.html'), join(outDir, 'index.html'));
  return outDir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`web app built in ${await buildWeb(process.argv[2])}`);
}
