import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CfnElement } from 'aws-cdk-lib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp, type OcopApp } from '#infra/app-builder.ts';
import { ensureTable } from '#functions/local/dynamo-local.ts';
import { createDocumentClient, createTable, type Table } from '#functions/repositories/table.ts';
import { apiFunctionName } from '#infra/environment.ts';
import { createAdmin } from '../../scripts/create-admin.ts';
import { startAwsStandIns, type AwsStandIns } from './aws-stand-ins.ts';
import {
  bundledFunctions,
  httpApiEvent,
  jsonLines,
  localEnvironment,
  localValues,
  objectCreatedEvent,
  repoNodeModules,
  runInFreshNode,
  scheduledEvent,
  stageBundle,
  type BundledFunction,
  type RunResult,
} from './bundled-lambdas.ts';

// The functions as they deploy: the app is synthesized once, each function's bundled asset is
// copied out of cdk.out and imported by a fresh node process with the environment the template
// gives it (deploy-time values replaced by local ones), then called with real event shapes.
// DynamoDB is DynamoDB Local; Secrets Manager, Cognito, Lambda, S3 and the JWKS are stand-ins
// speaking their protocols. A bundling mistake (a module left out, a wrong entry, a missing
// variable) fails here, not in the cloud.

type Fn = 'Api' | 'ImportJob' | 'ScheduledJob' | 'Photo';

let outdir: string;
let ocop: OcopApp;
let fns: Record<Fn, BundledFunction>;
let staged: Record<Fn, string>;
let aws: AwsStandIns;
let table: Table;
let env: (fn: Fn) => Record<string, string>;
let adminToken: string;
let adminSub: string;

const PHOTO_BUCKET = 'photos';
const FILES_BUCKET = 'files';

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), 'ocop-built-'));
  ocop = buildApp({ envName: 'dev', nag: false, outdir });
  ocop.app.synth();
  fns = bundledFunctions(ocop, outdir);
  staged = {
    Api: stageBundle(fns.Api),
    ImportJob: stageBundle(fns.ImportJob),
    ScheduledJob: stageBundle(fns.ScheduledJob),
    Photo: stageBundle(fns.Photo, { nodeModules: repoNodeModules }),
  };

  aws = await startAwsStandIns();
  const endpoint = inject('dynamoEndpoint');
  const tableName = `t-${randomUUID()}`;
  await ensureTable(endpoint, tableName);
  table = createTable(createDocumentClient({ region: 'local', endpoint }), tableName, '38');
  const locals = localValues(aws, { tableName, photoBucket: PHOTO_BUCKET, filesBucket: FILES_BUCKET });
  env = (fn) => ({ ...localEnvironment(fns[fn], locals), ...aws.sdkEnvironment(), DYNAMO_ENDPOINT: endpoint, LOG_LEVEL: 'info' });

  // The first administrator, made the way an operator does after a deployment.
  aws.functionEnvironments.set(apiFunctionName('dev'), env('Api'));
  const client = { region: 'ap-southeast-1', endpoint: aws.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const admin = await createAdmin({ stack: 'OcopOnboard-dev', username: 'admin', email: 'admin@example.vn', password: 'Adm1n-password!', lambda: new LambdaClient(client), cognito: new CognitoIdentityProviderClient(client), dynamoEndpoint: endpoint });
  adminSub = admin.sub;
  adminToken = await aws.signToken(adminSub);
}, 300_000);

afterAll(async () => {
  await aws?.close();
  for (const dir of Object.values(staged ?? {})) rmSync(dir, { recursive: true, force: true });
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

async function run(fn: Fn, events: unknown[]): Promise<RunResult> {
  const result = await runInFreshNode(staged[fn], fns[fn].handler, env(fn), events);
  for (const r of result.results) if (!r.ok) throw new Error(`${fn} handler threw: ${r.error}\n${result.stderr.slice(-2000)}`);
  return result;
}

/** The API's answers, with bodies parsed. */
async function api(...events: ReturnType<typeof httpApiEvent>[]) {
  const result = await run('Api', events);
  return {
    ...result,
    responses: result.results.map((r) => {
      const v = r.value as { statusCode: number; headers: Record<string, string>; body: string; isBase64Encoded: boolean };
      const text = v.isBase64Encoded ? Buffer.from(v.body, 'base64').toString('utf8') : v.body;
      let body: any = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: v.statusCode, headers: v.headers, body };
    }),
  };
}

const item = async (PK: string, SK = 'META') => (await table.doc.send(new GetCommand({ TableName: table.name, Key: { PK, SK }, ConsistentRead: true }))).Item;

function producerBody(phone: string) {
  return { kind: 'household', name: `Hộ Lê Thị Hoa ${randomUUID().slice(0, 6)}`, phone, communeCode: '15772', legalBasis: { type: 'state_management' } };
}

describe('the bundled API function', () => {
  it('serves the OpenAPI document and the reference page without a token, and nothing else', async () => {
    const { responses } = await api(httpApiEvent('GET', '/api/v1/openapi.json'), httpApiEvent('GET', '/api/docs', { routeKey: 'GET /api/docs' }), httpApiEvent('GET', '/api/v1/marketplaces'));
    expect(responses[0]).toMatchObject({ status: 200, body: { openapi: '3.1.0' } });
    expect(Object.keys(responses[0]!.body.paths)).toEqual(expect.arrayContaining(['/producers', '/marketplaces', '/products/{id}/photos']));
    expect(responses[1]!.status).toBe(200);
    expect(responses[1]!.body).toContain('ocop-onboard API reference');
    expect(responses[2]).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
  });

  it('gzips a larger answer for a client that accepts it, base64-encoded for API Gateway', async () => {
    const { results } = await run('Api', [httpApiEvent('GET', '/api/v1/openapi.json', { headers: { 'accept-encoding': 'gzip, br' } })]);
    const v = results[0]!.value as { statusCode: number; headers: Record<string, string>; body: string; isBase64Encoded: boolean };
    expect(v).toMatchObject({ statusCode: 200, isBase64Encoded: true, headers: expect.objectContaining({ 'content-encoding': 'gzip' }) });
    expect(JSON.parse(gunzipSync(Buffer.from(v.body, 'base64')).toString('utf8'))).toMatchObject({ openapi: '3.1.0' });
  });

  it('accepts a Cognito access token of the web client and refuses ID tokens, other clients and other keys', async () => {
    const { privateKey } = await import('jose').then((j) => j.generateKeyPair('RS256'));
    const { responses } = await api(
      httpApiEvent('GET', '/api/v1/marketplaces', { token: adminToken }),
      httpApiEvent('GET', '/api/v1/marketplaces', { token: await aws.signToken(adminSub, { tokenUse: 'id' }) }),
      httpApiEvent('GET', '/api/v1/marketplaces', { token: await aws.signToken(adminSub, { clientId: 'another-client' }) }),
      httpApiEvent('GET', '/api/v1/marketplaces', { token: await aws.signToken(adminSub, { key: privateKey }) }),
      httpApiEvent('GET', '/api/v1/marketplaces', { token: await aws.signToken(randomUUID()) }),
    );
    expect(responses[0]!.status).toBe(200);
    expect(JSON.stringify(responses[0]!.body)).toContain('shopee');
    expect(responses.slice(1).map((r) => r.status)).toEqual([401, 401, 401, 401]);
    expect(aws.calls).toContain('secretsmanager.GetSecretValue');
    expect(aws.calls).toContain('jwks');
  });

  it('creates a producer in DynamoDB with its coverage counters, replays a retried write, and logs JSON with the gateway request id but no phone number', async () => {
    const phone = `09${String(Date.now()).slice(-8)}`;
    const post = httpApiEvent('POST', '/api/v1/producers', { token: adminToken, body: producerBody(phone), headers: { 'idempotency-key': randomUUID() } });
    const { responses, stdout, stderr } = await api(post, post);
    expect(responses[0]!.status).toBe(201);
    const id = responses[0]!.body.id as string;
    expect(responses[1]).toMatchObject({ status: 201, body: { id }, headers: { 'idempotent-replayed': 'true' } });
    expect(await item(`P#38#PRODUCER#${id}`)).toMatchObject({ id, communeCode: '15772', type: 'producer' });
    expect(await item('P#38#COVERAGE', 'M#all#C#15772')).toMatchObject({ producers: 1 });
    const requestLog = jsonLines(stdout).find((l) => l.message === 'request' && l.method === 'POST');
    expect(requestLog).toMatchObject({ level: 'info', requestId: post.requestContext.requestId, status: 201 });
    expect(`${stdout}${stderr}`).not.toContain(phone);
  });

  it('creates a user in Cognito and in the table, and leaves nothing behind when Cognito refuses the password', async () => {
    const { responses } = await api(
      httpApiEvent('POST', '/api/v1/users', { token: adminToken, body: { username: 'canbo.built', password: 'Strong-passw0rd', role: 'officer', communes: ['15772'] } }),
      httpApiEvent('POST', '/api/v1/users', { token: adminToken, body: { username: 'canbo.weak', password: 'password-123', role: 'officer', communes: ['15772'] } }),
    );
    expect(responses[0]).toMatchObject({ status: 201, body: { username: 'canbo.built', role: 'officer' } });
    const sub = aws.users.get('canbo.built')!.sub;
    expect(responses[0]!.body.id).toBe(sub);
    expect(await item(`P#38#USER#${sub}`)).toMatchObject({ username: 'canbo.built', role: 'officer', communes: ['15772'] });
    expect(aws.users.get('canbo.built')).toMatchObject({ enabled: true, password: 'Strong-passw0rd' });
    expect(responses[1]).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', errors: [{ path: 'password' }] } });
    expect(aws.users.has('canbo.weak')).toBe(false);
    expect(await item('P#38#USERNAME#canbo.weak')).toBeUndefined();
  });
  it('disables a user in the table and in Cognito (its token stops working at once), refuses an admin disabling itself, and enables it again (for new sign-ins only)', async () => {
    const created = (await api(httpApiEvent('POST', '/api/v1/users', { token: adminToken, body: { username: 'canbo.off', password: 'Strong-passw0rd', role: 'department' } }))).responses[0]!;
    const sub = created.body.id as string;
    const userToken = await aws.signToken(sub, { issuedAt: Math.floor(Date.now() / 1000) - 60 });
    const disable = httpApiEvent('PATCH', `/api/v1/users/${sub}`, { token: adminToken, body: { disabled: true } });
    const { responses } = await api(
      httpApiEvent('GET', '/api/v1/auth/me', { token: userToken }),
      disable,
      httpApiEvent('GET', '/api/v1/auth/me', { token: userToken }),
      httpApiEvent('PATCH', `/api/v1/users/${adminSub}`, { token: adminToken, body: { disabled: true } }),
      httpApiEvent('PATCH', '/api/v1/users/not-a-user', { token: adminToken, body: { disabled: true } }),
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200, 401, 403, 400]);
    expect(responses[1]!.body).toMatchObject({ id: sub, disabled: true });
    expect(aws.users.get('canbo.off')).toMatchObject({ enabled: false });
    expect(aws.calls).toContain('AWSCognitoIdentityProviderService.AdminUserGlobalSignOut');
    expect(await item(`P#38#USER#${sub}`)).toMatchObject({ disabled: true });
    expect(aws.users.get('admin')).toMatchObject({ enabled: true });

    const enabled = await api(
      httpApiEvent('PATCH', `/api/v1/users/${sub}`, { token: adminToken, body: { disabled: false } }),
      httpApiEvent('GET', '/api/v1/auth/me', { token: userToken }),
      httpApiEvent('GET', '/api/v1/auth/me', { token: await aws.signToken(sub) }),
    );
    expect(enabled.responses.map((r) => r.status)).toEqual([200, 401, 200]);
    expect(enabled.responses[1]!.body).toMatchObject({ code: 'SESSION_ENDED' });
    expect(aws.users.get('canbo.off')).toMatchObject({ enabled: true });
  });

  it('signs a user out everywhere: Cognito global sign-out, its earlier tokens refused with SESSION_ENDED, a new one accepted, no token logged', async () => {
    const created = (await api(httpApiEvent('POST', '/api/v1/users', { token: adminToken, body: { username: 'canbo.out', password: 'Strong-passw0rd', role: 'department' } }))).responses[0]!;
    const sub = created.body.id as string;
    const earlier = await aws.signToken(sub, { issuedAt: Math.floor(Date.now() / 1000) - 60 });
    const callsBefore = aws.calls.length;
    const { responses, stdout, stderr } = await api(httpApiEvent('POST', '/api/v1/auth/logout', { token: earlier }), httpApiEvent('GET', '/api/v1/auth/me', { token: earlier }));
    expect(responses[0]).toMatchObject({ status: 204 });
    expect(`${stdout}${stderr}`).not.toContain(earlier.split('.')[2]);
    expect(responses[1]).toMatchObject({ status: 401, body: { code: 'SESSION_ENDED' } });
    expect(aws.calls.slice(callsBefore)).toContain('AWSCognitoIdentityProviderService.AdminUserGlobalSignOut');
    expect((await api(httpApiEvent('GET', '/api/v1/auth/me', { token: await aws.signToken(sub) }))).responses[0]!.status).toBe(200);
  });

  it('deletes the Cognito user again when the table write after it fails', async () => {
    // A username the table already holds but Cognito does not: Cognito creates, the transaction refuses.
    await table.doc.send(new PutCommand({ TableName: table.name, Item: { PK: 'P#38#USERNAME#canbo.ghost', SK: 'META', type: 'username', userId: randomUUID() } }));
    const { responses } = await api(httpApiEvent('POST', '/api/v1/users', { token: adminToken, body: { username: 'canbo.ghost', password: 'Strong-passw0rd', role: 'department' } }));
    expect(responses[0]).toMatchObject({ status: 409, body: { code: 'USERNAME_TAKEN' } });
    expect(aws.calls).toContain('AWSCognitoIdentityProviderService.AdminCreateUser');
    expect(aws.users.has('canbo.ghost')).toBe(false);
  });
});

describe('the first administrator (create-admin)', () => {
  it('is a Cognito user with a verified email and a user item with role admin, keyed by its sub, in the API function’s table', async () => {
    expect(aws.users.get('admin')).toMatchObject({ sub: adminSub, attributes: { email: 'admin@example.vn', email_verified: 'true' }, password: 'Adm1n-password!' });
    expect(await item(`P#38#USER#${adminSub}`)).toMatchObject({ id: adminSub, username: 'admin', role: 'admin', disabled: false });
    expect(await item('P#38#USERNAME#admin')).toMatchObject({ userId: adminSub });
    expect(aws.calls).toContain(`lambda.GetFunctionConfiguration ${apiFunctionName('dev')}`);
  });
});

describe('the bundled import job function', () => {
  it('previews and commits a file sent through the API’s own route, invoked with the job payloads the API sent', async () => {
    const csv = ['Ten chu the,So dien thoai,Xa,Huyen', 'Hộ Phan Văn Built,0356000911,Thiệu Tiến,Thiệu Hóa', 'Hộ Phan Thị Bundle,0356000922,Thiệu Ngọc,Thiệu Hóa'].join('\r\n');
    const created = (await api(httpApiEvent('POST', '/api/v1/imports', { token: adminToken, body: { kind: 'producers', fileName: 'list.csv', bytes: Buffer.byteLength(csv) } }))).responses[0]!;
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const before = aws.invocations.length;
    const sent = (await api(httpApiEvent('PUT', `/api/v1/imports/${id}/file`, { token: adminToken, rawBody: Buffer.from(csv), contentType: 'text/csv' }))).responses[0]!;
    expect(sent.status).toBe(202);
    const previewJob = aws.invocations.slice(before);
    expect(previewJob).toEqual([{ functionName: 'OcopOnboard-dev-Api-ImportJob', invocationType: 'Event', payload: { type: 'import-preview', id } }]);
    expect([...aws.objects.keys()].some((k) => k.startsWith(`${FILES_BUCKET}/imports/${id}/`))).toBe(true);

    await run('ImportJob', [previewJob[0]!.payload]);
    const previewed = (await api(httpApiEvent('GET', `/api/v1/imports/${id}`, { token: adminToken }))).responses[0]!;
    expect(previewed.body).toMatchObject({ status: 'previewed', counts: { new: 2 } });

    const commit = (await api(httpApiEvent('POST', `/api/v1/imports/${id}/commit`, { token: adminToken, body: {} }))).responses[0]!;
    expect(commit.status).toBe(202);
    const commitJob = aws.invocations.at(-1)!;
    expect(commitJob.payload).toEqual({ type: 'import-commit', id });
    await run('ImportJob', [commitJob.payload]);
    const done = (await api(httpApiEvent('GET', `/api/v1/imports/${id}`, { token: adminToken }), httpApiEvent('GET', `/api/v1/producers?q=${encodeURIComponent('phan van built')}`, { token: adminToken }))).responses;
    expect(done[0]!.body.status).toBe('committed');
    expect(done[1]!.body.items).toEqual([expect.objectContaining({ name: 'Hộ Phan Văn Built', communeCode: '15778' })]);
  });

  it('previews a file the browser PUT straight into the files bucket when S3’s Object Created event arrives, once', async () => {
    const csv = Buffer.from(['Ten chu the;So dien thoai;Xa;Huyen', 'Hộ Trịnh Văn Thẳng,0356000933,Thiệu Tiến,Thiệu Hóa', 'Hộ Trịnh Thị Lên,0356000944,Thiệu Ngọc,Thiệu Hóa', 'Hộ Sai Số,12345,Thiệu Ngọc,Thiệu Hóa'].join('\r\n').replaceAll(',', ';'));
    const created = (await api(httpApiEvent('POST', '/api/v1/imports', { token: adminToken, body: { kind: 'producers', fileName: 'direct.csv', bytes: csv.length, contentType: 'text/csv' } }))).responses[0]!;
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const key = `imports/${id}/source`;
    expect(created.body.uploadUrl).toMatch(new RegExp(`^${aws.endpoint}/${FILES_BUCKET}/${key}\\?.*X-Amz-Expires=900.*X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost`));
    expect(created.body.headers).toEqual({ 'content-type': 'text/csv', 'content-length': String(csv.length) });
    const invoked = aws.invocations.length;
    const put = await fetch(created.body.uploadUrl, { method: 'PUT', headers: created.body.headers, body: csv });
    expect(put.status).toBe(200);
    expect(aws.objects.get(`${FILES_BUCKET}/${key}`)?.body.equals(csv)).toBe(true);
    expect((await api(httpApiEvent('GET', `/api/v1/imports/${id}`, { token: adminToken }))).responses[0]!.body.status).toBe('awaiting_file');

    const event = objectCreatedEvent(FILES_BUCKET, key, csv.length);
    const { results } = await run('ImportJob', [event, event, objectCreatedEvent(FILES_BUCKET, `imports/${id}/rows.json`, 10)]);
    expect(results.map((r) => r.value)).toEqual([{ imports: [{ importId: id, outcome: 'previewed' }] }, { imports: [{ importId: id, outcome: 'ignored' }] }, { imports: [] }]);
    const previewed = (await api(httpApiEvent('GET', `/api/v1/imports/${id}`, { token: adminToken }))).responses[0]!;
    expect(previewed.body).toMatchObject({ status: 'previewed', totalRows: 3, counts: { new: 2, invalid: 1 } });
    expect(aws.invocations.length).toBe(invoked);

    const late = await run('ImportJob', [{ ...event, detail: { ...event.detail, object: { ...event.detail.object, sequencer: '00617F0801A3C8C8FF' } } }]);
    expect(late.results[0]!.value).toEqual({ imports: [{ importId: id, outcome: 'ignored' }] });
  });

  it('refuses a payload that is not a job, so Lambda retries it and then keeps it in the dead-letter queue', async () => {
    const result = await runInFreshNode(staged.ImportJob, fns.ImportJob.handler, env('ImportJob'), [{ type: 'import-everything', id: 'x' }]);
    expect(result.results[0]).toMatchObject({ ok: false });
  });
});

describe('the bundled scheduled job function', () => {
  const transformerOf = (job: 'coverage-snapshot' | 'coverage-reconcile') => {
    const stack = ocop.api;
    const template = JSON.parse(readFileSync(join(outdir, stack.templateFile), 'utf8')) as { Resources: Record<string, { Properties: { Targets: { InputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string } }[] } }> };
    return template.Resources[stack.getLogicalId(ocop.api.schedules[job].node.defaultChild as CfnElement)]!.Properties.Targets[0]!.InputTransformer;
  };

  it('takes the month-end snapshot of the month that just ended in Vietnam, from the rule’s own input transformer', async () => {
    const { results } = await run('ScheduledJob', [scheduledEvent('2026-01-31T17:05:00Z', transformerOf('coverage-snapshot'))]);
    expect(results[0]!.value).toMatchObject({ job: 'coverage-snapshot', month: '2026-01' });
    expect(await item('P#38#COVSNAP', 'MONTH#2026-01')).toMatchObject({ type: 'coverage-snapshot-marker', month: '2026-01' });
    const rows = await table.doc.send(new QueryCommand({ TableName: table.name, KeyConditionExpression: 'PK = :p AND begins_with(SK, :s)', ExpressionAttributeValues: { ':p': 'P#38#COVSNAP', ':s': 'M#all#2026-01#C#' } }));
    expect(rows.Items!.length).toBeGreaterThan(0);
  });

  it('publishes the reconciliation’s differences as an embedded metric: none, then one after a counter drifts', async () => {
    const reconcile = scheduledEvent('2026-02-10T19:00:00Z', transformerOf('coverage-reconcile'));
    const emf = (stdout: string) => jsonLines(stdout).find((l) => l._aws)!;
    const clean = await run('ScheduledJob', [reconcile]);
    expect(clean.results[0]!.value).toMatchObject({ job: 'coverage-reconcile', differences: 0 });
    expect(emf(clean.stdout)).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'OcopOnboard/dev', Dimensions: [['Province']], Metrics: [{ Name: 'CoverageDifferences', Unit: 'Count' }] }] },
      Province: '38',
      CoverageDifferences: 0,
    });

    await table.doc.send(new UpdateCommand({ TableName: table.name, Key: { PK: 'P#38#COVERAGE', SK: 'M#all#C#15772' }, UpdateExpression: 'ADD producers :one', ExpressionAttributeValues: { ':one': 1 } }));
    const drifted = await run('ScheduledJob', [reconcile]);
    expect(drifted.results[0]!.value).toMatchObject({ differences: 1 });
    expect(emf(drifted.stdout)).toMatchObject({ CoverageDifferences: 1, level: 'warn' });
    expect(jsonLines(drifted.stderr).find((l) => l.message === 'coverage counters differ from a recount')).toMatchObject({ differences: [{ communeCode: '15772', metric: 'producers', marketplace: 'all' }] });
    await table.doc.send(new UpdateCommand({ TableName: table.name, Key: { PK: 'P#38#COVERAGE', SK: 'M#all#C#15772' }, UpdateExpression: 'ADD producers :minus', ExpressionAttributeValues: { ':minus': -1 } }));
  });
});

describe('an administrator’s recount in the cloud', () => {
  it('is handed by the bundled API to the scheduled job function (202), which runs the payload the API sent', async () => {
    const before = aws.invocations.length;
    const started = (await api(httpApiEvent('POST', '/api/v1/coverage/reconcile', { token: adminToken }))).responses[0]!;
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ job: 'coverage-reconcile' });
    const sent = aws.invocations.slice(before);
    expect(sent).toEqual([{ functionName: 'OcopOnboard-dev-Api-ScheduledJob', invocationType: 'Event', payload: { job: 'coverage-reconcile' } }]);
    const { results } = await run('ScheduledJob', [sent[0]!.payload]);
    expect(results[0]!.value).toMatchObject({ job: 'coverage-reconcile', differences: 0 });
  });
});

describe('the bundled photo function', () => {
  it('turns an upload made through the bundled API into variants when S3’s Object Created event arrives, and refreshes the product', async () => {
    const producer = (await api(httpApiEvent('POST', '/api/v1/producers', { token: adminToken, body: producerBody(`09${String(Date.now() + 7).slice(-8)}`) }))).responses[0]!;
    const product = (await api(httpApiEvent('POST', '/api/v1/products', { token: adminToken, body: { producerId: producer.body.id, name: 'Mật ong rừng', description: 'Mật ong hoa rừng Thiệu Hóa', unit: 'chai 500 ml', weightGrams: 650, ocopGroup: 'food', ocopStars: 3, certificateNo: '12/QĐ-UBND', certificateDate: '2024-02-29', priceVnd: 150000 } }))).responses[0]!;
    expect(product.status).toBe(201);
    const jpeg = await sharp({ create: { width: 1600, height: 1600, channels: 3, background: { r: 200, g: 120, b: 40 } } }).jpeg({ quality: 90 }).toBuffer();
    const target = (await api(httpApiEvent('POST', `/api/v1/products/${product.body.id}/photos`, { token: adminToken, body: { contentType: 'image/jpeg', bytes: jpeg.length } }))).responses[0]!;
    expect(target.status).toBe(201);
    expect(target.body.uploadUrl).toMatch(new RegExp(`^${aws.endpoint}/${PHOTO_BUCKET}/uploads/${product.body.id}/${target.body.photoId}\\?.*X-Amz-Signature=`));
    const put = await fetch(target.body.uploadUrl, { method: 'PUT', headers: target.body.headers, body: jpeg });
    expect(put.status).toBe(200);
    const uploadKey = `uploads/${product.body.id}/${target.body.photoId}`;
    expect((await item(`P#38#PRODUCT#${product.body.id}`))!.readyMarketplaces).not.toContain('postmart');
    const readyBefore = (await item('P#38#COVERAGE', 'M#postmart#C#15772'))?.productsReady ?? 0;

    const { results, stdout } = await run('Photo', [objectCreatedEvent(PHOTO_BUCKET, uploadKey, jpeg.length)]);
    expect(results[0]!.value).toEqual({ processed: [{ photoId: target.body.photoId, status: 'ready' }] });
    // Its log line carries the invocation's request id.
    expect(jsonLines(stdout).find((l) => l.message === 'photo processed')).toMatchObject({ photoId: target.body.photoId, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(aws.objects.has(`${PHOTO_BUCKET}/${uploadKey}`)).toBe(false);
    expect([...aws.objects.keys()].filter((k) => k.startsWith(`${PHOTO_BUCKET}/variants/${product.body.id}/${target.body.photoId}/`)).length).toBeGreaterThan(0);
    // The services' onPhotosChanged hook ran in the photo function: readiness and coverage moved with the photo.
    expect((await item(`P#38#PRODUCT#${product.body.id}`))!.readyMarketplaces).toContain('postmart');
    expect((await item('P#38#COVERAGE', 'M#postmart#C#15772'))!.productsReady).toBe(readyBefore + 1);

    const listed = (await api(httpApiEvent('GET', `/api/v1/products/${product.body.id}/photos`, { token: adminToken }))).responses[0]!;
    expect(listed.body.items).toEqual([expect.objectContaining({ id: target.body.photoId, status: 'ready' })]);
  });
});
