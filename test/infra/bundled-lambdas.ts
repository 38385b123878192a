import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CfnElement, Stack } from 'aws-cdk-lib';
import type { OcopApp } from '#infra/app-builder.ts';
import type { ProjectFunction } from '#infra/project-function.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** One function as synthesized: its bundled asset folder, handler and environment (values may be CloudFormation intrinsics). */
export type BundledFunction = { name: string; assetDir: string; handler: string; environment: Record<string, unknown> };

/** The app's functions, read from the synthesized templates in `outdir` (call `app.synth()` first). */
export function bundledFunctions(app: OcopApp, outdir: string): Record<'Api' | 'ImportJob' | 'ScheduledJob' | 'Photo', BundledFunction> {
  const read = (name: string, fn: ProjectFunction): BundledFunction => {
    const stack = fn.function.stack as Stack;
    const template = JSON.parse(readFileSync(join(outdir, stack.templateFile), 'utf8')) as { Resources: Record<string, { Properties: Record<string, any> }> };
    const props = template.Resources[stack.getLogicalId(fn.function.node.defaultChild as CfnElement)]!.Properties;
    return { name, assetDir: join(outdir, `asset.${String(props.Code.S3Key).replace(/\.zip$/, '')}`), handler: props.Handler, environment: props.Environment?.Variables ?? {} };
  };
  return {
    Api: read('Api', app.api.apiFunction),
    ImportJob: read('ImportJob', app.api.importJobFunction),
    ScheduledJob: read('ScheduledJob', app.api.scheduledJobFunction),
    Photo: read('Photo', app.photos.photoFunction),
  };
}

/**
 * The function's environment as Lambda would set it, with every value CloudFormation fills in
 * at deploy time (table name, bucket names, ARNs, user pool ids) replaced by the local value of
 * the same variable. A deploy-time variable with no local value is an error: the environment
 * contract changed and the caller must say what the variable means locally.
 */
export function localEnvironment(fn: BundledFunction, locals: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(fn.environment)) {
    if (typeof value === 'string') env[name] = value;
    else if (name in locals) env[name] = locals[name]!;
    else throw new Error(`${fn.name}: no local value for the deploy-time variable ${name}`);
  }
  return env;
}

/**
 * What each deploy-time variable of the app's functions means locally, against the AWS
 * stand-ins: the one list the built-artifact test and `bench:lambda` both use, so a variable
 * added to a function fails the test (and is then filled in here for both) instead of
 * surfacing first in the benchmark.
 */
export function localValues(aws: { jwksUrl: string; issuer: string; clientId: string; userPoolId: string }, opts: { tableName: string; photoBucket: string; filesBucket: string }): Record<string, string> {
  return {
    TABLE_NAME: opts.tableName,
    SECRET_ARN: 'arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:AppSecret-abc',
    JWKS_URL: aws.jwksUrl,
    JWT_ISSUER: aws.issuer,
    JWT_AUDIENCE: aws.clientId,
    USER_POOL_ID: aws.userPoolId,
    PHOTO_BUCKET: opts.photoBucket,
    FILES_BUCKET: opts.filesBucket,
    JOB_FUNCTION_NAME: 'OcopOnboard-dev-Api-ImportJob',
    SCHEDULED_FUNCTION_NAME: 'OcopOnboard-dev-Api-ScheduledJob',
  };
}

/**
 * Copies a bundled asset out of the repository (so nothing can resolve from the repo's
 * node_modules by accident) and returns the folder. `nodeModules` links a node_modules
 * folder next to the bundle — for the photo function, whose asset carries sharp built for
 * linux-arm64: locally it gets this machine's sharp instead, the bundle itself unchanged.
 */
export function stageBundle(fn: BundledFunction, opts: { nodeModules?: string } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), `ocop-${fn.name.toLowerCase()}-`));
  cpSync(join(fn.assetDir, 'index.mjs'), join(dir, 'index.mjs'));
  cpSync(join(fn.assetDir, 'index.mjs.map'), join(dir, 'index.mjs.map'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  if (opts.nodeModules) symlinkSync(opts.nodeModules, join(dir, 'node_modules'), 'dir');
  return dir;
}

export const repoNodeModules = join(repoRoot, 'node_modules');

/** Runs in a fresh `node`: imports the bundle (timing the module initialisation, top-level awaits included), then calls the handler with each event in turn. */
const RUNNER = `
import { readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
const [bundle, handlerName, callsFile, outFile] = process.argv.slice(2);
const started = performance.now();
let mod;
try { mod = await import(pathToFileURL(bundle).href); }
catch (e) { writeFileSync(outFile, JSON.stringify({ initError: String(e && e.stack || e) })); process.exit(0); }
const initMs = performance.now() - started;
const results = [];
for (const event of JSON.parse(readFileSync(callsFile, 'utf8'))) {
  const context = { awsRequestId: randomUUID(), functionName: 'local', getRemainingTimeInMillis: () => 30000 };
  try { results.push({ ok: true, value: await mod[handlerName](event, context) ?? null }); }
  catch (e) { results.push({ ok: false, error: String(e && e.stack || e) }); }
}
writeFileSync(outFile, JSON.stringify({ initMs, results }));
`;

export type RunResult = { initMs: number; results: { ok: boolean; value?: any; error?: string }[]; stdout: string; stderr: string };

/** Imports `bundleDir/index.mjs` in a fresh node process with exactly `env` (plus PATH), runs `events` through its handler. */
export async function runInFreshNode(bundleDir: string, handler: string, env: Record<string, string>, events: unknown[] = [], nodeArgs: string[] = []): Promise<RunResult> {
  const work = mkdtempSync(join(tmpdir(), 'ocop-run-'));
  writeFileSync(join(work, 'runner.mjs'), RUNNER);
  writeFileSync(join(work, 'calls.json'), JSON.stringify(events));
  const handlerName = handler.split('.').pop()!;
  const child = spawn(process.execPath, [...nodeArgs, join(work, 'runner.mjs'), join(bundleDir, 'index.mjs'), handlerName, join(work, 'calls.json'), join(work, 'out.json')], {
    cwd: bundleDir,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  let out: { initMs?: number; initError?: string; results?: RunResult['results'] };
  try {
    out = JSON.parse(readFileSync(join(work, 'out.json'), 'utf8'));
  } catch {
    throw new Error(`the bundle's process exited ${code} without a result:\n${stderr.slice(-3000)}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (out.initError) throw new Error(`the bundle failed to initialise: ${out.initError}\n${stderr.slice(-2000)}`);
  return { initMs: out.initMs!, results: out.results!, stdout, stderr };
}

/** The JSON lines a function wrote (its structured logs and EMF records). */
export function jsonLines(output: string): Record<string, any>[] {
  return output.split('\n').flatMap((line) => {
    try {
      const parsed = JSON.parse(line) as unknown;
      return parsed && typeof parsed === 'object' ? [parsed as Record<string, any>] : [];
    } catch {
      return [];
    }
  });
}

/** An API Gateway HTTP API (payload 2.0) event as the `ANY /api/v1/{proxy+}` route delivers it. */
export function httpApiEvent(method: string, pathAndQuery: string, opts: { token?: string; body?: unknown; rawBody?: Buffer; contentType?: string; headers?: Record<string, string>; routeKey?: string } = {}) {
  const [path, query = ''] = pathAndQuery.split('?') as [string, string?];
  const headers: Record<string, string> = {
    host: 'abc123.execute-api.ap-southeast-1.amazonaws.com',
    'user-agent': 'Mozilla/5.0 (Linux; Android 13) test',
    'x-forwarded-for': '203.0.113.7',
    'x-forwarded-proto': 'https',
    accept: 'application/json',
    ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
    ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...(opts.contentType ? { 'content-type': opts.contentType } : {}),
    ...opts.headers,
  };
  const requestId = `req-${Math.random().toString(36).slice(2, 10)}`;
  const body = opts.rawBody ? opts.rawBody.toString('base64') : opts.body !== undefined ? JSON.stringify(opts.body) : undefined;
  const proxy = path.startsWith('/api/v1/') ? path.slice('/api/v1/'.length) : undefined;
  return {
    version: '2.0',
    routeKey: opts.routeKey ?? (proxy ? 'ANY /api/v1/{proxy+}' : `${method} ${path}`),
    rawPath: path,
    rawQueryString: query,
    headers,
    ...(query ? { queryStringParameters: Object.fromEntries(new URLSearchParams(query)) } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: headers.host,
      domainPrefix: 'abc123',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: headers['user-agent'] },
      requestId,
      routeKey: opts.routeKey ?? (proxy ? 'ANY /api/v1/{proxy+}' : `${method} ${path}`),
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(proxy ? { pathParameters: { proxy } } : {}),
    ...(body !== undefined ? { body, isBase64Encoded: !!opts.rawBody } : { isBase64Encoded: false }),
  };
}

/** EventBridge's "Scheduled Event", then the rule target's input transformer applied to it (as EventBridge does before invoking). */
export function scheduledEvent(time: string, inputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string }) {
  const event = { version: '0', id: `evt-${Math.random().toString(36).slice(2)}`, 'detail-type': 'Scheduled Event', source: 'aws.events', account: '123456789012', time, region: 'ap-southeast-1', resources: ['arn:aws:events:ap-southeast-1:123456789012:rule/x'], detail: {} };
  let text = inputTransformer.InputTemplate;
  for (const [name, path] of Object.entries(inputTransformer.InputPathsMap)) {
    const value = path.replace(/^\$\./, '').split('.').reduce<any>((o, k) => o?.[k], event);
    text = text.replaceAll(`<${name}>`, JSON.stringify(value));
  }
  return JSON.parse(text) as unknown;
}

/** EventBridge's "Object Created" event from S3 (EventBridge notifications on the bucket). */
export function objectCreatedEvent(bucket: string, key: string, size: number) {
  return {
    version: '0',
    id: `evt-${Math.random().toString(36).slice(2)}`,
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'ap-southeast-1',
    resources: [`arn:aws:s3:::${bucket}`],
    detail: { version: '0', bucket: { name: bucket }, object: { key, size, etag: 'd41d8cd98f00b204e9800998ecf8427e', sequencer: '00617F0801A3C8C8E5' }, 'request-id': 'N4N7GDK58NMKJ12R', requester: '123456789012', reason: 'PutObject' },
  };
}
