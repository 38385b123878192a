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
});
