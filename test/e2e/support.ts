import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { freePort } from '#test/support/dynamo-global-setup.ts';

export const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export type LocalProduct = { url: string; port: number; stop: () => Promise<void>; freeze: () => void; thaw: () => void };

/** Starts the real `npm start` (functions/local/start.ts) on free ports with its own data folder. */
export async function startLocal(): Promise<LocalProduct> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ocop-e2e-'));
  const port = await freePort();
  const dynamoPort = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'functions/local/start.ts'], {
    env: { ...process.env, PORT: String(port), DYNAMO_PORT: String(dynamoPort), DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up: ${output}`)), 90_000);
    child.stdout!.on('data', (d: Buffer) => {
      output += d;
      if (output.includes('is running on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (d: Buffer) => (output += d));
    child.once('exit', (code) => reject(new Error(`start exited ${code}: ${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    /** Freezes the server process (connections are accepted, nothing answers): a phone with signal but no data moving. */
    freeze: () => void child.kill('SIGSTOP'),
    thaw: () => void child.kill('SIGCONT'),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      }),
  };
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  await mkdir(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
}

export async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
}

/** Every visible form control has a label (a <label>, or aria-label for the rare icon control). */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLInputElement>('input:not([type=hidden]), select, textarea')]
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}

/** Calls the API directly (for assertions that do not trust the screen). */
export async function api<T>(base: string, path: string, token?: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}) },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export async function login(base: string, username: string, password = 'demo1234'): Promise<string> {
  const res = await api<{ token: string }>(base, '/auth/login', undefined, { method: 'POST', body: { username, password } });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status}`);
  return res.body.token;
}

/** The page's width in CSS px: more than the viewport means sideways scrolling on a phone. */
export async function pageWidth(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

/** Signs in through the sign-in form and waits for the first page's heading (the home page's greeting unless `landing` says another). */
export async function signIn(page: Page, base: string, username: string, password = 'demo1234', landing = `Xin chào, ${username}`): Promise<void> {
  await page.goto(base);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.getByRole('heading', { level: 1, name: landing }).waitFor({ timeout: 15_000 });
}

/** A browser context like an officer's cheap Android phone: 360 px wide, touch, Vietnamese. */
export function phoneContext(browser: Browser, extra: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: 'vi-VN', ...extra });
}

/** A new phone (see phoneContext) signed in as a demo user (see signIn for `landing`). */
export async function signedInPhone(browser: Browser, base: string, username: string, opts: { landing?: string; context?: BrowserContextOptions } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await phoneContext(browser, opts.context);
  const page = await context.newPage();
  await signIn(page, base, username, undefined, opts.landing);
  return { context, page };
}

/** A browser test file's afterAll: closes the browser, then stops the local product. */
export async function stopAll(browser: Browser | undefined, product: LocalProduct | undefined): Promise<void> {
  await browser?.close();
  await product?.stop();
}

/** Fills the new-producer form for a household in Xã Thiệu Hóa and presses Lưu (online or not); does not wait for the answer. */
export async function sendProducerForm(page: Page, base: string, name: string, tel: string): Promise<void> {
  await page.goto(`${base}/#/producers/new`);
  await page.getByLabel('Tên chủ thể').fill(name);
  await page.getByRole('combobox', { name: /Xã\/phường/ }).fill('thieu hoa');
  await page.getByRole('option', { name: /Xã Thiệu Hóa/ }).click();
  await page.getByLabel('Số điện thoại').fill(tel);
  await page.getByRole('button', { name: 'Lưu' }).click();
}
