import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '#test/support/dynamo-global-setup.ts';

let dataDir: string;
let port: number;
let dynamoPort: number;
let server: ChildProcess | undefined;

async function start(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'functions/local/start.ts'], {
    env: { ...process.env, PORT: String(port), DYNAMO_PORT: String(dynamoPort), DATA_DIR: dataDir, ADMIN_PASSWORD: 'start-test-pw', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up: ${output}`)), 90_000);
    const onData = (d: Buffer) => {
      output += d;
      if (output.includes('is running on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d) => (output += d));
    child.once('exit', (code) => reject(new Error(`start exited ${code}: ${output}`)));
  });
  return child;
}

async function stop(child: ChildProcess) {
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGINT');
  });
}

const portOpen = (p: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(p, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

async function http(method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

async function login(username: string, password: string) {
  const res = await http('POST', '/api/v1/auth/login', undefined, { username, password });
  expect(res.status).toBe(200);
  return res.body.token as string;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ocop-start-'));
  port = await freePort();
  dynamoPort = await freePort();
  server = await start();
}, 120_000);

afterAll(async () => {
  if (server && server.exitCode === null) await stop(server);
});

describe('npm start', () => {
  it('serves the web app, the API reference and the demo data', async () => {
    const page = await http('GET', '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<main id="app">');
    expect((await http('GET', '/app.js')).status).toBe(200);
    expect((await http('GET', '/api/docs')).status).toBe(200);
    const officer = await login('canbo.thieuhoa', 'demo1234');
    const producers = await http('GET', '/api/v1/producers', officer);
    expect(producers.body.items.length).toBeGreaterThan(0);
  });

  it('answers a request Node refuses before the app (an address over the header limit, broken HTTP) in problem+json', async () => {
    const long = await fetch(`http://127.0.0.1:${port}/api/v1/producers?q=${'a'.repeat(100_000)}`);
    expect(long.status).toBe(431);
    expect(long.headers.get('content-type')).toBe('application/problem+json');
    expect(await long.json()).toMatchObject({ status: 431, code: 'HEADERS_TOO_LARGE', title: expect.any(String) });
    const raw = await new Promise<string>((resolve) => {
      let got = '';
      const s = connect(port, '127.0.0.1', () => s.write('NOT HTTP AT ALL\r\n\r\n'));
      s.on('data', (d) => (got += d));
      s.on('close', () => resolve(got));
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(JSON.parse(raw.split('\r\n\r\n')[1]!)).toMatchObject({ status: 400, code: 'MALFORMED_REQUEST' });
  });

  it('lets the admin scope an officer to two communes, and keeps everything across a restart', async () => {
    const admin = await login('admin', 'start-test-pw');
    const created = await http('POST', '/api/v1/users', admin, { username: 'canbo.hai.xa', password: 'password-123', role: 'officer', communes: ['14797', '14812'] });
    expect(created.status).toBe(201);
    const officer = await login('canbo.hai.xa', 'password-123');
    const inScope = await http('POST', '/api/v1/producers', officer, { kind: 'household', name: 'Hộ Trần Văn Nam', communeCode: '14797', legalBasis: { type: 'state_management' } });
    expect(inScope.status).toBe(201);
    const product = await http('POST', '/api/v1/products', officer, { producerId: inScope.body.id, name: 'Bánh gai', ocopGroup: 'food', ocopStars: 0 });
    expect(product.status).toBe(201);
    const outOfScope = await http('POST', '/api/v1/producers', officer, { kind: 'household', name: 'Hộ khác', communeCode: '15772', legalBasis: { type: 'state_management' } });
    expect(outOfScope.status).toBe(403);
    const list = await http('GET', '/api/v1/producers', officer);
    expect(list.body.items.map((p: { communeCode: string }) => p.communeCode)).toEqual(['14797']);

    await stop(server!);
    expect(await portOpen(port)).toBe(false);
    expect(await portOpen(dynamoPort)).toBe(false);
    server = await start();

    const again = await login('canbo.hai.xa', 'password-123');
    const after = await http('GET', `/api/v1/producers/${inScope.body.id}`, again);
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ name: 'Hộ Trần Văn Nam', productCount: 1 });
    expect((await http('GET', '/api/v1/producers', admin)).status).toBe(200);
    const demoProducers = await http('GET', '/api/v1/producers?communeCode=15772', admin);
    expect(demoProducers.body.items.filter((p: { name: string }) => p.name === 'HTX Nông nghiệp Thiệu Hóa')).toHaveLength(1);
  }, 180_000);
});
