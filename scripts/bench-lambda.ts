import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { buildApp } from '#infra/app-builder.ts';
import { ProjectFunction } from '#infra/project-function.ts';
import { startAwsStandIns } from '#test/infra/aws-stand-ins.ts';
import { bundledFunctions, localEnvironment, localValues, repoNodeModules, runInFreshNode, stageBundle, type BundledFunction } from '#test/infra/bundled-lambdas.ts';

// `npm run bench:lambda [-- --runs 9 --profile]`: each function's bundle size and module
// initialisation time — the median over fresh `node` processes importing the bundle with its
// Lambda environment (the Secrets Manager read at start goes to a local stand-in speaking its
// protocol) — side by side in one run with two references bundled by the same construct: a
// bare hono hello-world (the bar of DESIGN §6: API init within 2× of it) and hono with a
// DynamoDB client and a secret read at start (the floor of any function shaped like ours).
// `--profile` adds where the API's initialisation time goes, by source package (CPU profile
// mapped through the bundle's source map).

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '9' }, profile: { type: 'boolean', default: false }, 'profile-of': { type: 'string', default: 'Api' } } });
const runs = Math.max(5, Number(args.runs));
const outdir = mkdtempSync(join(tmpdir(), 'ocop-bench-lambda-'));
const started = performance.now();
const ocop = buildApp({ envName: 'dev', nag: false, outdir: join(outdir, 'app') });
ocop.app.synth();
const refApp = new App({ outdir: join(outdir, 'ref') });
const refStack = new Stack(refApp, 'References');
const references = {
  'hono hello (bar ref.)': new ProjectFunction(refStack, 'HonoHello', { entry: 'test/infra/fixtures/hono-hello-lambda.ts' }),
  'hono+dynamo+secret': new ProjectFunction(refStack, 'HonoDynamo', { entry: 'test/infra/fixtures/hono-dynamo-lambda.ts', environment: { SECRET_ARN: 'arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:x', TABLE_NAME: 'bench' } }),
};
refApp.synth();
console.log(`synthesized in ${((performance.now() - started) / 1000).toFixed(1)} s; node ${process.version} here (Lambda: nodejs24.x, arm64)\n`);

const refTemplate = JSON.parse(readFileSync(join(outdir, 'ref', refStack.templateFile), 'utf8')) as { Resources: Record<string, { Properties: Record<string, any> }> };
const fns: BundledFunction[] = [
  ...Object.entries(references).map(([name, fn]) => {
    const props = refTemplate.Resources[refStack.getLogicalId(fn.function.node.defaultChild as CfnElement)]!.Properties;
    return { name, assetDir: join(outdir, 'ref', `asset.${String(props.Code.S3Key).replace(/\.zip$/, '')}`), handler: props.Handler as string, environment: props.Environment.Variables as Record<string, unknown> };
  }),
  ...Object.values(bundledFunctions(ocop, join(outdir, 'app'))),
];

const aws = await startAwsStandIns();
const locals = localValues(aws, { tableName: 'bench', photoBucket: 'photos', filesBucket: 'files' });
const staged = fns.map((fn) => ({
  fn,
  // The photo asset carries sharp for linux-arm64; here it gets this machine's sharp, the bundle unchanged.
  dir: stageBundle(fn, fn.name === 'Photo' ? { nodeModules: repoNodeModules } : {}),
  env: { ...localEnvironment(fn, locals), ...aws.sdkEnvironment(), DYNAMO_ENDPOINT: 'http://127.0.0.1:9' },
  times: [] as number[],
}));

// Round-robin, so a noisy neighbour slows every function alike.
for (let i = 0; i < runs; i++) {
  for (const s of staged) s.times.push((await runInFreshNode(s.dir, s.fn.handler, s.env)).initMs);
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const dirBytes = (dir: string): number => readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? dirBytes(join(dir, e.name)) : e.name.endsWith('.map') ? 0 : statSync(join(dir, e.name)).size), 0);
const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
const hello = median(staged[0]!.times);
const floor = median(staged[1]!.times);

console.log(`module initialisation: median of ${runs} fresh node processes each\n`);
console.log(['function'.padEnd(22), 'bundle'.padStart(9), 'gzip'.padStart(8), 'asset'.padStart(9), 'init ms'.padStart(8), 'min–max'.padStart(10), '× hello'.padStart(8), '× floor'.padStart(8)].join(' '));
for (const s of staged) {
  const code = readFileSync(join(s.fn.assetDir, 'index.mjs'));
  const m = median(s.times);
  console.log(
    [
      s.fn.name.padEnd(22),
      kb(code.length).padStart(9),
      kb(gzipSync(code).length).padStart(8),
      kb(dirBytes(s.fn.assetDir)).padStart(9),
      m.toFixed(0).padStart(8),
      `${Math.min(...s.times).toFixed(0)}–${Math.max(...s.times).toFixed(0)}`.padStart(10),
      `${(m / hello).toFixed(1)}×`.padStart(8),
      `${(m / floor).toFixed(1)}×`.padStart(8),
    ].join(' '),
  );
}
const api = median(staged.find((s) => s.fn.name === 'Api')!.times);
console.log(`\nbar (DESIGN §6): API init within 2× of a bare hono hello-world — ${(api / hello).toFixed(1)}× ${api <= 2 * hello ? 'PASS' : 'FAIL'}`);
console.log(`API init against the hono+DynamoDB+secret floor: ${(api / floor).toFixed(1)}×`);
console.log('bundle = index.mjs; asset = what Lambda unpacks, without source maps (the photo asset includes sharp and libvips for linux-arm64)');

if (args.profile) {
  const api = staged.find((s) => s.fn.name === args['profile-of'])!;
  const profDir = mkdtempSync(join(tmpdir(), 'ocop-prof-'));
  await runInFreshNode(api.dir, api.fn.handler, api.env, [], ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--cpu-prof-interval=100']);
  type Node = { id: number; callFrame: { url: string; functionName: string; lineNumber: number; columnNumber: number } };
  const profile = JSON.parse(readFileSync(join(profDir, readdirSync(profDir)[0]!), 'utf8')) as { nodes: Node[]; samples: number[]; startTime: number; endTime: number };
  const map = new SourceMap(JSON.parse(readFileSync(join(api.dir, 'index.mjs.map'), 'utf8')));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const msPerSample = (profile.endTime - profile.startTime) / profile.samples.length / 1000;
  const bySource = new Map<string, number>();
  for (const id of profile.samples) {
    const { url, functionName, lineNumber, columnNumber } = nodes.get(id)!.callFrame;
    let key = url ? (url.startsWith('node:internal/modules') ? 'node: loading and compiling modules' : url) : `(${functionName || 'native'})`;
    if (url.endsWith('index.mjs')) {
      const source = (map.findEntry(lineNumber, columnNumber) as { originalSource?: string }).originalSource;
      key = source ? (source.includes('node_modules/') ? source.replace(/^.*node_modules\//, '').split('/').slice(0, source.includes('node_modules/@') ? 2 : 1).join('/') : source.replace(/^.*?\/(functions|shared)\//, '$1/').split('/').slice(0, 2).join('/')) : 'bundle (unmapped: JSON data, esbuild helpers)';
    }
    bySource.set(key, (bySource.get(key) ?? 0) + msPerSample);
  }
  console.log(`\nwhere ${api.fn.name}'s initialisation goes (one profiled run, ${((profile.endTime - profile.startTime) / 1000).toFixed(0)} ms, self time by source):`);
  for (const [key, ms] of [...bySource].sort((a, b) => b[1] - a[1]).slice(0, 16)) console.log(`${ms.toFixed(1).padStart(8)} ms  ${key}`);
  rmSync(profDir, { recursive: true, force: true });
}

await aws.close();
for (const s of staged) rmSync(s.dir, { recursive: true, force: true });
rmSync(outdir, { recursive: true, force: true });
