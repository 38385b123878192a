/**
 * A product's marketplace cards and the product lists on a 360 px phone, where they meet the
 * outbox: a change the server refused after it was sent, a seller account that is missing, and
 * products registered offline.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { api, launchBrowser, login, phoneContext, sendProducerForm, shot, signIn, signedInPhone, startLocal, stopAll, type LocalProduct } from './support.ts';

let product: LocalProduct;
let browser: Browser;
let officer: BrowserContext;
let page: Page;
let token = '';
const run = Date.now().toString().slice(-6);
const phone = (n: number) => `07${String(Number(run) * 10 + n).padStart(8, '0').slice(-8)}`;

beforeAll(async () => {
  [product, browser] = await Promise.all([startLocal(), launchBrowser()]);
  ({ context: officer, page } = await signedInPhone(browser, product.url, 'canbo.thieuhoa'));
  token = await login(product.url, 'canbo.thieuhoa');
}, 120_000);
afterAll(() => stopAll(browser, product));
// Each test starts online, on a fresh tab of the same signed-in phone (whatever the one before left open).
beforeEach(async () => {
  await officer.setOffline(false);
  await page.close();
  page = await officer.newPage();
  await page.goto(product.url);
});

type Made = { id: string; name: string; version: number };

async function call<T>(path: string, method = 'GET', body?: unknown): Promise<T> {
  const res = await api<T>(product.url, path, token, { method, body });
  expect(res.status, `${method} ${path}`).toBeLessThan(300);
  return res.body;
}

const newProducer = (name: string, n: number) => call<Made>('/producers', 'POST', { kind: 'household', name, communeCode: '15772', phone: phone(n), legalBasis: { type: 'state_management' }, confirmDistinct: true });
const newProduct = (producerId: string, name: string) => call<Made>('/products', 'POST', { producerId, name, ocopGroup: 'food', ocopStars: 0 });
const listingOf = async (productId: string, marketplace: string) => (await call<{ items: { marketplace: string; status: string; url?: string; version: number }[] }>(`/products/${productId}/listings`)).items.find((l) => l.marketplace === marketplace);
const accountOf = async (producerId: string, marketplace: string) => (await call<{ items: { marketplace: string; status: string; shopUrl?: string; version: number }[] }>(`/producers/${producerId}/accounts`)).items.find((a) => a.marketplace === marketplace);

/** A product whose voso listing waits for the marketplace's review ("Đã gửi duyệt"). */
async function submittedOnVoso(label: string, n: number, account: 'registered' | null) {
  const producer = await newProducer(`Hộ ${label} ${run}`, n);
  if (account) await call(`/producers/${producer.id}/accounts/voso`, 'PUT', { status: account });
  const made = await newProduct(producer.id, `${label} ${run}`);
  const draft = await call<{ version: number }>(`/products/${made.id}/listings/voso`, 'PUT', { status: 'draft' });
  await call(`/products/${made.id}/listings/voso`, 'PUT', { status: 'submitted', version: draft.version, overrideReason: 'Hồ sơ giấy đã đủ' });
  return { producer, product: made };
}

const vosoCard = () => page.locator('li[data-marketplace=voso]');
const buttonsOf = async (card: ReturnType<typeof vosoCard>) => (await card.locator('.actions button').allTextContents()).map((s) => s.trim());
const waitingCount = async () => {
  const counter = page.getByTestId('outbox-count');
  return (await counter.count()) ? `${await counter.getAttribute('data-waiting')}/${await counter.getAttribute('data-attention')}` : '0/0';
};

describe('a product’s marketplace cards', () => {
  it('name the moves of a listing waiting for review as verbs, show the seller account there, and say at once that live needs one', async () => {
    const { producer, product: made } = await submittedOnVoso('Chè lam', 1, null);
    await page.goto(`${product.url}/#/products/${made.id}`);
    const card = vosoCard();
    await page.locator('li[data-marketplace=voso][data-status=submitted]').waitFor({ timeout: 15_000 });
    expect(await buttonsOf(card)).toEqual(['Đánh dấu đang bán', 'Ghi bị từ chối', 'Lịch sử']);
    // Every marketplace says how the producer's seller account stands there, an account or not.
    expect(await card.getByTestId('seller-account').textContent()).toBe('Tài khoản bán hàng: Chưa có');
    expect(await page.locator('li[data-marketplace=postmart]').getByTestId('seller-account').textContent()).toBe('Tài khoản bán hàng: Chưa có');

    await card.getByRole('button', { name: 'Đánh dấu đang bán', exact: true }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain('Chủ thể cần có tài khoản bán hàng (ít nhất “Đã đăng ký”) trên sàn này trước.');
    // No address is asked for that could not be used yet.
    expect(await dialog.getByLabel('Địa chỉ sản phẩm trên sàn').count()).toBe(0);
    await shot(page, 'board-01-account-needed');
    await dialog.getByRole('button', { name: 'Ghi tài khoản bán hàng' }).click();
    await page.getByRole('heading', { level: 1, name: producer.name }).waitFor({ timeout: 15_000 });
    const account = page.locator('[data-testid=accounts] li[data-marketplace=voso]');
    await account.getByRole('button', { name: /Đã đăng ký/ }).click();
    // A shop address typed without https:// is taken as one.
    await page.getByRole('dialog').getByLabel(/Địa chỉ gian hàng/).fill(`voso.vn/shop/che-lam-${run}`);
    await page.getByRole('dialog').getByRole('button', { name: 'Xác nhận' }).click();
    await expect.poll(() => account.getAttribute('data-status'), { timeout: 15_000 }).toBe('registered');
    expect(await accountOf(producer.id, 'voso')).toMatchObject({ status: 'registered', shopUrl: `https://voso.vn/shop/che-lam-${run}` });

    // Back on the product, the account is there and the listing goes live with its link typed without https:// either.
    await page.goto(`${product.url}/#/products/${made.id}`);
    await expect.poll(() => card.getByTestId('seller-account').textContent().catch(() => ''), { timeout: 15_000 }).toBe('Tài khoản bán hàng: Đã đăng ký');
    await card.getByRole('button', { name: 'Đánh dấu đang bán', exact: true }).click();
    await dialog.getByLabel('Địa chỉ sản phẩm trên sàn').fill(`voso.vn/san-pham/che-lam-${run}`);
    await dialog.getByRole('button', { name: 'Xác nhận' }).click();
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 15_000 }).toBe('live');
    expect(await buttonsOf(card)).toEqual(['Tạm dừng', 'Gỡ khỏi sàn', 'Lịch sử']);
    expect(await listingOf(made.id, 'voso')).toMatchObject({ status: 'live', url: `https://voso.vn/san-pham/che-lam-${run}` });
  }, 90_000);

  it('shows a listing’s history with its creation in words, date and time, and one button to close it', async () => {
    const { product: made } = await submittedOnVoso('Mật ong', 4, null);
    await page.goto(`${product.url}/#/products/${made.id}`);
    await vosoCard().getByRole('button', { name: 'Lịch sử' }).click();
    const dialog = page.getByRole('dialog');
    const entries = dialog.locator('ol.timeline > li');
    await expect.poll(() => entries.count(), { timeout: 15_000 }).toBe(2);
    expect(await entries.first().locator('strong').textContent()).toBe('Tạo: Nháp');
    expect(await entries.nth(1).locator('strong').textContent()).toBe('Nháp → Đã gửi duyệt');
    expect(await entries.first().locator('time').textContent()).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
    expect((await dialog.getByRole('button').allTextContents()).map((s) => s.trim())).toEqual(['Đóng']);
    await shot(page, 'board-02-history');
    await dialog.getByRole('button', { name: 'Đóng' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
  }, 60_000);

  it('shows a listing move the server refused after it was sent as not made: the real status, its moves, and the way to the outbox', async () => {
    const { producer, product: made } = await submittedOnVoso('Bánh gai', 2, 'registered');
    await page.goto(`${product.url}/#/products/${made.id}`);
    const card = vosoCard();
    await expect.poll(() => card.getByTestId('seller-account').textContent().catch(() => ''), { timeout: 15_000 }).toBe('Tài khoản bán hàng: Đã đăng ký');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
    await officer.setOffline(true);
    await card.getByRole('button', { name: 'Đánh dấu đang bán', exact: true }).click();
    await page.getByRole('dialog').getByLabel('Địa chỉ sản phẩm trên sàn').fill(`https://voso.vn/san-pham/banh-gai-${run}`);
    await page.getByRole('dialog').getByRole('button', { name: 'Xác nhận' }).click();
    await expect.poll(() => card.textContent(), { timeout: 15_000 }).toContain('Thay đổi đang chờ gửi');
    expect(await card.getAttribute('data-status')).toBe('live');
    // Meanwhile the seller account is closed on the server: the move will be refused (SELLER_ACCOUNT_REQUIRED).
    const account = await accountOf(producer.id, 'voso');
    await call(`/producers/${producer.id}/accounts/voso`, 'PUT', { status: 'none', version: account!.version });
    await officer.setOffline(false);

    await expect.poll(waitingCount, { timeout: 30_000 }).toBe('0/1');
    // Redrawn without a reload: the listing is as the server kept it, with the moves from there.
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 15_000 }).toBe('submitted');
    expect(await card.locator('.chip').textContent()).toBe('Đã gửi duyệt');
    expect(await card.textContent()).not.toContain('Thay đổi đang chờ gửi');
    expect(await card.getByTestId('held-change').textContent()).toContain('Máy chủ đã từ chối thay đổi, đang chờ bạn xử lý.');
    expect(await buttonsOf(card)).toEqual(['Đánh dấu đang bán', 'Ghi bị từ chối', 'Lịch sử']);
    expect(await card.getByTestId('seller-account').textContent()).toBe('Tài khoản bán hàng: Chưa có');
    await shot(page, 'board-03-refused-move');
    await page.reload();
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 15_000 }).toBe('submitted');
    expect(await card.getByTestId('held-change').count()).toBe(1);

    // The account recorded again, the next move goes at once: it does not wait behind the refused one.
    await call(`/producers/${producer.id}/accounts/voso`, 'PUT', { status: 'registered', version: (await accountOf(producer.id, 'voso'))!.version });
    await page.reload();
    await expect.poll(() => card.getByTestId('seller-account').textContent().catch(() => ''), { timeout: 15_000 }).toBe('Tài khoản bán hàng: Đã đăng ký');
    await card.getByRole('button', { name: 'Đánh dấu đang bán', exact: true }).click();
    await page.getByRole('dialog').getByLabel('Địa chỉ sản phẩm trên sàn').fill(`https://voso.vn/san-pham/banh-gai-${run}`);
    await page.getByRole('dialog').getByRole('button', { name: 'Xác nhận' }).click();
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 15_000 }).toBe('live');
    expect(await listingOf(made.id, 'voso')).toMatchObject({ status: 'live' });
    expect(await card.textContent()).not.toContain('Thay đổi đang chờ gửi');

    // The refused change is in the outbox, one tap away, for the officer to drop.
    await card.getByTestId('held-change').getByRole('link', { name: 'Mở Hàng chờ' }).click();
    const held = page.locator('[data-testid=outbox-list] li[data-state=attention]');
    await held.waitFor({ timeout: 15_000 });
    expect(await held.textContent()).toContain(`Bánh gai ${run}`);
    await held.getByRole('button', { name: 'Bỏ thay đổi này' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Bỏ thay đổi này' }).click();
    await page.getByTestId('outbox-empty').waitFor({ timeout: 15_000 });
  }, 120_000);

  it('says on a producer’s page that an edit of it was refused, and shows the producer as the server kept it', async () => {
    const producer = await newProducer(`Hộ Sửa Bị Từ Chối ${run}`, 3);
    await page.goto(`${product.url}/#/producers/${producer.id}`);
    await page.getByRole('heading', { level: 1, name: producer.name }).waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
    await officer.setOffline(true);
    await page.goto(`${product.url}/#/producers/${producer.id}/edit`);
    await page.getByLabel('Người đại diện').fill('Người Sửa Offline');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.getByTestId('pending-changes').waitFor();
    // Someone else changes it meanwhile: the waiting edit is stale and will be refused.
    await call(`/producers/${producer.id}`, 'PATCH', { version: producer.version, address: 'Thôn Đông' });
    await officer.setOffline(false);
    await expect.poll(waitingCount, { timeout: 30_000 }).toBe('0/1');
    // Opened again (the page on screen is as it was drawn).
    await page.reload();
    await page.getByTestId('held-changes').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('pending-changes').count()).toBe(0);
    const facts = await page.locator('.facts').textContent();
    expect(facts).toContain('Thôn Đông');
    expect(facts).not.toContain('Người Sửa Offline');
    await page.getByTestId('held-changes').getByRole('link', { name: 'Mở Hàng chờ' }).click();
    const held = page.locator('[data-testid=outbox-list] li[data-state=attention]');
    await held.getByRole('button', { name: 'Bỏ thay đổi này' }).click({ timeout: 15_000 });
    await page.getByRole('dialog').getByRole('button', { name: 'Bỏ thay đổi này' }).click();
    await page.getByTestId('outbox-empty').waitFor({ timeout: 15_000 });
  }, 90_000);
});

describe('the product lists', () => {
  const same = `Nem chua Thanh Hóa ${run}`;

  it('name each product’s producer, and over the whole province its commune, so products of one name can be told apart', async () => {
    const [first, second] = [await newProducer(`Hộ Nem Thiệu Hóa ${run}`, 5), await newProducer(`HTX Nem Làng Trung ${run}`, 6)];
    for (const p of [first, second]) await newProduct(p.id, same);
    await page.goto(`${product.url}/#/products?q=${encodeURIComponent(same)}`);
    const owners = page.locator('ul.cards li:not(.pending) [data-testid=product-owner]');
    await expect.poll(async () => (await owners.allTextContents()).sort(), { timeout: 15_000 }).toEqual([first.name, second.name].sort());

    const context = await phoneContext(browser);
    const desk = await context.newPage();
    await signIn(desk, product.url, 'admin', 'admin');
    await desk.goto(`${product.url}/#/products?q=${encodeURIComponent(same)}`);
    const seen = desk.locator('ul.cards li:not(.pending) [data-testid=product-owner]');
    await expect.poll(async () => (await seen.allTextContents()).sort(), { timeout: 15_000 }).toEqual([`${first.name} · Xã Thiệu Hóa`, `${second.name} · Xã Thiệu Hóa`].sort());
    await shot(desk, 'board-04-same-name');
    await context.close();
  }, 90_000);

  it('list on a producer’s page opened offline the products registered for it offline, as waiting', async () => {
    const first = await newProducer(`Hộ Giò Chả ${run}`, 7);
    await newProduct(first.id, same);
    await page.goto(`${product.url}/#/producers/${first.id}`);
    await page.getByRole('heading', { level: 1, name: first.name }).waitFor({ timeout: 15_000 });
    const products = page.locator('section.card', { has: page.getByRole('heading', { name: 'Sản phẩm của chủ thể' }) });
    await expect.poll(() => products.textContent(), { timeout: 15_000 }).toContain(same);
    await page.getByRole('link', { name: 'Thêm sản phẩm' }).click();
    await expect.poll(() => page.getByLabel('Chủ thể').inputValue(), { timeout: 15_000 }).toBe(first.id);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
    await officer.setOffline(true);
    await page.getByLabel('Tên sản phẩm').fill(`Giò lụa ${run}`);
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.getByTestId('pending-product').filter({ hasText: `Giò lụa ${run}` }).waitFor({ timeout: 15_000 });
    await page.goto(`${product.url}/#/producers/${first.id}`);
    await page.getByRole('heading', { level: 1, name: first.name }).waitFor({ timeout: 15_000 });
    const waiting = products.getByTestId('pending-product');
    await expect.poll(() => waiting.allTextContents(), { timeout: 15_000 }).toEqual([expect.stringContaining(`Giò lụa ${run}`)]);
    expect(await waiting.textContent()).toContain('Chờ gửi');
    expect(await products.textContent()).toContain(same);
    await shot(page, 'board-05-producer-offline');
    await officer.setOffline(false);
    await expect.poll(waitingCount, { timeout: 45_000 }).toBe('0/0');
  }, 90_000);

  it('name the producer of a waiting product registered offline too, from its own outbox entry', async () => {
    const producerName = `Hộ Mới Ngoài Đồng ${run}`;
    await page.goto(`${product.url}/#/producers`);
    await page.getByRole('heading', { name: 'Danh sách chủ thể' }).waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
    await officer.setOffline(true);
    await sendProducerForm(page, product.url, producerName, phone(8));
    await page.getByTestId('pending-producer').filter({ hasText: producerName }).getByRole('link', { name: 'Thêm sản phẩm' }).click();
    await page.getByLabel('Tên sản phẩm').fill(`Chả tôm ${run}`);
    await page.getByRole('button', { name: 'Lưu' }).click();
    const card = page.getByTestId('pending-product').filter({ hasText: `Chả tôm ${run}` });
    await card.waitFor({ timeout: 15_000 });
    expect(await card.getByTestId('product-owner').textContent()).toBe(`${producerName} (Chờ gửi)`);
    await shot(page, 'board-06-waiting-owner');
    await officer.setOffline(false);
    await expect.poll(waitingCount, { timeout: 45_000 }).toBe('0/0');
  }, 90_000);
});
