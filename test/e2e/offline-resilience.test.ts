/**
 * The outbox where a phone in the field is at its worst: storage full, a slow answer arriving
 * after the officer moved on, a send that never gets an answer, another user signing in while
 * entries wait, a storage open that fails once.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { api, launchBrowser, login, phoneContext, sendProducerForm, signIn, signedInPhone, startLocal, stopAll, type LocalProduct } from './support.ts';

let product: LocalProduct;
let browser: Browser;
const run = Date.now().toString().slice(-6);
const phone = (n: number) => `08${String(Number(run) * 10 + n).padStart(8, '0').slice(-8)}`;

beforeAll(async () => {
  [product, browser] = await Promise.all([startLocal(), launchBrowser()]);
}, 120_000);
afterAll(() => stopAll(browser, product));

/** What the phone really holds in its outbox (IndexedDB), not what the screen says. */
const outboxOnPhone = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<{ kind: string; label: string; state: string }[]>((resolve, reject) => {
        const open = indexedDB.open('ocop-onboard');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const q = open.result.transaction('outbox').objectStore('outbox').getAll();
          q.onsuccess = () => resolve(q.result.map((e: { kind: string; label: string; state: string }) => ({ kind: e.kind, label: e.label, state: e.state })));
        };
      }),
  );

async function newProduct(token: string, name: string): Promise<string> {
  const producer = await api<{ id: string }>(product.url, '/producers', token, { method: 'POST', body: { kind: 'household', name: `Hộ ${name}`, communeCode: '15772', phone: phone(0), legalBasis: { type: 'state_management' }, confirmDistinct: true } });
  expect(producer.status).toBe(201);
  const made = await api<{ id: string }>(product.url, '/products', token, { method: 'POST', body: { producerId: producer.body.id, name, ocopGroup: 'food', ocopStars: 0 } });
  expect(made.status).toBe(201);
  return made.body.id;
}

async function noiseJpeg(w: number, h: number): Promise<Buffer> {
  const raw = Buffer.alloc(w * h * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 13 + Math.floor(i / (3 * w)) * 5) % 256;
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
}

const registerInThieuHoa = (page: Page, name: string, tel: string) => sendProducerForm(page, product.url, name, tel);

describe('the outbox on a phone at its worst', () => {
  it('says a photo taken offline was NOT kept when the phone is out of storage, rather than that it was', async () => {
    const token = await login(product.url, 'canbo.thieuhoa');
    const id = await newProduct(token, `Chè lam ${run}`);
    const { context, page } = await signedInPhone(browser, product.url, 'canbo.thieuhoa');
    await page.goto(`${product.url}/#/products/${id}`);
    await page.getByRole('heading', { level: 1, name: `Chè lam ${run}` }).waitFor({ timeout: 15_000 });
    await page.getByLabel('Chọn ảnh có sẵn').waitFor();
    // The phone is nearly full: 100 KB left for this site.
    const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: product.url, quotaSize: usage + 100_000 });
    await context.setOffline(true);
    await page.getByLabel('Chọn ảnh có sẵn').setInputFiles({ name: 'che-lam.jpg', mimeType: 'image/jpeg', buffer: await noiseJpeg(3000, 2000) });
    await expect.poll(() => page.locator('main').textContent(), { timeout: 15_000 }).toContain('Máy đã hết chỗ lưu: thay đổi này CHƯA được lưu.');
    expect(await page.locator('main').textContent()).not.toContain('Ảnh đã được lưu trên máy');
    expect(await outboxOnPhone(page)).toEqual([]);
    await context.close();
  }, 90_000);

  it('keeps a new producer refused (a duplicate) after the officer left the slow screen, needing attention, and does not pull the officer back', async () => {
    const token = await login(product.url, 'canbo.thieuhoa');
    const existing = await api(product.url, '/producers', token, { method: 'POST', body: { kind: 'household', name: `Hộ Có Sẵn ${run}`, communeCode: '15772', phone: phone(3), legalBasis: { type: 'state_management' } } });
    expect(existing.status).toBe(201);
    const { context, page } = await signedInPhone(browser, product.url, 'canbo.thieuhoa');
    // A slow rural connection: the answer comes 4 s after the request.
    let posts = 0;
    await context.route('**/api/v1/producers', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      posts += 1;
      const response = await route.fetch();
      await new Promise((r) => setTimeout(r, 4000));
      await route.fulfill({ response });
    });
    const name = `Hộ Nhập Ở Ruộng ${run}`;
    await registerInThieuHoa(page, name, phone(3));
    // While "Đang lưu…" shows, the officer goes on to the product list.
    await page.waitForTimeout(500);
    await page.getByRole('navigation').getByRole('link', { name: 'Sản phẩm' }).click();
    await page.waitForTimeout(6000);
    expect(posts).toBe(1);
    // Nothing reached the server; what was typed must still be on the phone for the officer to resolve.
    expect((await api<{ items: unknown[] }>(product.url, `/producers?q=${encodeURIComponent(name)}`, token)).body.items).toEqual([]);
    expect(await outboxOnPhone(page)).toEqual([expect.objectContaining({ kind: 'producer.create', label: name, state: 'attention' })]);
    // Still where the officer went, not on the form the answer was for.
    expect(new URL(page.url()).hash).toBe('#/products');
    await context.close();
  }, 90_000);

  it('gives up on a send that never gets an answer and sends it again with its key, so the entries after it go too', async () => {
    const { context, page } = await signedInPhone(browser, product.url, 'canbo.thieuhoa');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
    await context.setOffline(true);
    await registerInThieuHoa(page, `Hộ Treo Một ${run}`, phone(4));
    await page.getByRole('heading', { name: 'Danh sách chủ thể' }).waitFor();
    await registerInThieuHoa(page, `Hộ Treo Hai ${run}`, phone(5));
    await page.getByRole('heading', { name: 'Danh sách chủ thể' }).waitFor();
    // The first send's packets are lost after a cell handover: the request never gets an answer.
    let posts = 0;
    await context.route('**/api/v1/producers', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      posts += 1;
      if (posts === 1) return new Promise<void>(() => undefined); // never answered
      return route.continue();
    });
    await context.setOffline(false);
    const counter = page.getByTestId('outbox-count');
    await page.goto(`${product.url}/#/outbox`);
    await page.getByRole('button', { name: 'Gửi ngay' }).click();
    // The dead send times out after 30 s; sent again (same key), it goes through, and the second after it.
    await expect.poll(async () => ((await counter.count()) ? await counter.getAttribute('data-waiting') : '0'), { timeout: 75_000 }).toBe('0');
    expect(posts).toBe(3);
    const token = await login(product.url, 'canbo.thieuhoa');
    for (const name of [`Hộ Treo Một ${run}`, `Hộ Treo Hai ${run}`]) expect((await api<{ items: unknown[] }>(product.url, `/producers?q=${encodeURIComponent(name)}`, token)).body.items).toHaveLength(1);
    await context.close();
  }, 150_000);

  it('never sends the entries of an officer who signed out under the next user who signs in on the phone', async () => {
    const token = await login(product.url, 'canbo.thieuhoa');
    const id = await newProduct(token, `Bánh gai ${run}`);
    const { context, page } = await signedInPhone(browser, product.url, 'canbo.thieuhoa');
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${product.url}/#/products/${id}`);
    await page.getByLabel('Chọn ảnh có sẵn').waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
    await context.setOffline(true);
    await page.getByLabel('Chọn ảnh có sẵn').setInputFiles({ name: 'banh-gai.jpg', mimeType: 'image/jpeg', buffer: await noiseJpeg(1600, 1200) });
    await expect.poll(() => page.locator('main').textContent(), { timeout: 15_000 }).toContain('Ảnh đã được lưu trên máy');
    const name = `Hộ Của Cán Bộ A ${run}`;
    await registerInThieuHoa(page, name, phone(6));
    await page.getByRole('heading', { name: 'Danh sách chủ thể' }).waitFor();
    // The photo's upload is slow (a 2G connection)…
    await context.route('**/api/v1/uploads/**', async (route) => {
      await new Promise((r) => setTimeout(r, 12_000));
      await route.continue();
    });
    await context.setOffline(false);
    await page.waitForTimeout(1500);
    // …and meanwhile officer A signs out (the app says the waiting changes stay for A) and the admin signs in on the same phone.
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    // (Signed in on the same page, as on the phone: no reload.)
    await page.getByLabel('Tên đăng nhập').fill('admin');
    await page.getByLabel('Mật khẩu').fill('admin');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('heading', { level: 1, name: 'Xin chào, admin' }).waitFor({ timeout: 15_000 });
    await page.waitForTimeout(15_000);
    const admin = await login(product.url, 'admin', 'admin');
    const found = (await api<{ items: { id: string; name: string }[] }>(product.url, `/producers?q=${encodeURIComponent(name)}`, admin)).body.items;
    const actors = found.length ? (await api<{ items: { action: string; actor: { username: string } }[] }>(product.url, `/producers/${found[0]!.id}/events`, admin)).body.items.map((e) => e.actor.username) : [];
    // A's producer must not be created until A signs in again, and never in the admin's name.
    expect({ created: found.length, actors }).toEqual({ created: 0, actors: [] });
    await context.close();
  }, 120_000);
  it('shows the producer list after the phone’s storage failed to open once, and opens it afresh next time', async () => {
    const context = await phoneContext(browser);
    // The first open of the outbox database fails (Chrome on a full or busy phone: "Internal error opening backing store"); later ones would work.
    await context.addInitScript(() => {
      const open = indexedDB.open.bind(indexedDB);
      let failed = false;
      indexedDB.open = ((name: string, version?: number) => {
        if (name === 'ocop-onboard' && !failed) {
          failed = true;
          throw new DOMException('Internal error opening backing store for indexedDB.open.', 'UnknownError');
        }
        return open(name, version);
      }) as typeof indexedDB.open;
    });
    const page = await context.newPage();
    await signIn(page, product.url, 'canbo.thieuhoa');
    await page.evaluate(() => (location.hash = '#/producers'));
    // Online, nothing waiting: the list of producers must show.
    await page.getByRole('heading', { name: 'Danh sách chủ thể' }).waitFor({ timeout: 10_000 });
    await context.close();
  }, 60_000);
  it('deletes the records saved for offline reading when the session ends, as at sign-out', async () => {
    const { context, page } = await signedInPhone(browser, product.url, 'canbo.thieuhoa');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
    await page.goto(`${product.url}/#/producers`);
    await page.getByRole('heading', { name: 'Danh sách chủ thể' }).waitFor();
    const saved = () => page.evaluate(async () => ((await caches.has('ocop-data')) ? (await (await caches.open('ocop-data')).keys()).map((r) => r.url) : []));
    await expect.poll(async () => (await saved()).some((u) => u.includes('/api/v1/producers')), { timeout: 10_000 }).toBe(true);
    // The officer signs out on another device: every session of theirs ends, this phone's too.
    await page.waitForTimeout(1100);
    const elsewhere = await login(product.url, 'canbo.thieuhoa');
    expect((await api(product.url, '/auth/logout', elsewhere, { method: 'POST' })).status).toBe(204);
    await page.goto(`${product.url}/#/products`);
    await page.getByLabel('Tên đăng nhập').waitFor({ timeout: 15_000 });
    await expect.poll(saved, { timeout: 10_000 }).toEqual([]);
    await context.close();
  }, 60_000);
});
