/**
 * An officer who registered a product offline with a slip (a price ten times too high) corrects
 * it, or drops it, before the phone is back online: what reaches the server is the corrected one,
 * once, or nothing.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, launchBrowser, login, signedInPhone, startLocal, stopAll, type LocalProduct } from './support.ts';

let product: LocalProduct;
let browser: Browser;
const run = Date.now().toString().slice(-6);

beforeAll(async () => {
  [product, browser] = await Promise.all([startLocal(), launchBrowser()]);
}, 120_000);
afterAll(() => stopAll(browser, product));

type Product = { id: string; name: string; priceVnd?: number };
/** How long a screen may take to come up offline, from what the phone keeps, when the machine is busy (CI runs every test file at once). */
const SLOW = 60_000;
const productsNamed = async (token: string, name: string) => (await api<{ items: Product[] }>(product.url, `/products?q=${encodeURIComponent(name)}`, token)).body.items.filter((p) => p.name === name);

/** Opens the new-product form for `producerId` while the phone is online, as an officer does before leaving for the village. */
async function openForm(page: Page, producerId: string): Promise<void> {
  await page.goto(`${product.url}/#/products/new?producer=${producerId}`);
  await page.getByLabel('Tên sản phẩm').waitFor({ timeout: SLOW });
}

/** Fills the open form and saves it; the phone is offline, so it waits in the outbox. */
async function registerOffline(page: Page, name: string, price: string): Promise<void> {
  await page.getByLabel('Tên sản phẩm').fill(name);
  await page.getByLabel('Giá bán (đồng)').fill(price);
  await page.getByRole('button', { name: 'Lưu' }).click();
  await page.waitForURL(/#\/products$/, { timeout: SLOW });
}

describe('correcting or dropping what waits in the outbox', () => {
  it('corrects a product registered offline before it is sent: the server gets the corrected one, once', async () => {
    const token = await login(product.url, 'canbo.thieuhoa');
    const producer = await api<{ id: string }>(product.url, '/producers', token, { method: 'POST', body: { kind: 'household', name: `Hộ làm nem ${run}`, communeCode: '15772', legalBasis: { type: 'state_management' }, confirmDistinct: true } });
    expect(producer.status).toBe(201);
    const { context, page } = await signedInPhone(browser, product.url, 'canbo.thieuhoa');
    await openForm(page, producer.body.id);
    await context.setOffline(true);

    const name = `Nem chua ${run}`;
    await registerOffline(page, name, '9000000');
    await page.goto(`${product.url}/#/outbox`);
    const entry = page.locator('li[data-state]', { hasText: `Đăng ký sản phẩm: ${name}` });
    // A phone offline on a busy machine can take a while to draw a screen from what it keeps.
    await entry.waitFor({ timeout: SLOW });
    await entry.getByRole('button', { name: 'Sửa trước khi gửi' }).click();
    await page.waitForURL(/#\/products\/new\?outbox=/, { timeout: SLOW });
    const price = page.getByLabel('Giá bán (đồng)');
    await price.waitFor({ timeout: SLOW });
    expect(await price.inputValue()).toMatch(/^9\.?000\.?000$/);
    await price.fill('90000');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.waitForURL(/#\/outbox$/, { timeout: SLOW });

    await context.setOffline(false);
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await expect.poll(() => productsNamed(token, name), { timeout: 20_000 }).toEqual([expect.objectContaining({ name, priceVnd: 90000 })]);
    await expect.poll(() => page.locator('li[data-state]', { hasText: `Đăng ký sản phẩm: ${name}` }).count()).toBe(0);
    await context.close();
  }, 240_000);

  it('drops a product registered offline after confirming: nothing reaches the server', async () => {
    const token = await login(product.url, 'canbo.thieuhoa');
    const producer = await api<{ id: string }>(product.url, '/producers', token, { method: 'POST', body: { kind: 'household', name: `Hộ làm giò ${run}`, communeCode: '15772', legalBasis: { type: 'state_management' }, confirmDistinct: true } });
    const { context, page } = await signedInPhone(browser, product.url, 'canbo.thieuhoa');
    // Two forms open before leaving: one product to drop, one to keep.
    const second = await context.newPage();
    await openForm(page, producer.body.id);
    await openForm(second, producer.body.id);
    await context.setOffline(true);

    const name = `Giò lụa ${run}`;
    const kept = `Giò bò ${run}`;
    await registerOffline(page, name, '120000');
    await registerOffline(second, kept, '150000');
    await page.goto(`${product.url}/#/outbox`);
    const entry = page.locator('li[data-state]', { hasText: `Đăng ký sản phẩm: ${name}` });
    // A phone offline on a busy machine can take a while to draw a screen from what it keeps.
    await entry.waitFor({ timeout: SLOW });
    await entry.getByRole('button', { name: 'Bỏ thay đổi này' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Bỏ thay đổi này' }).click();
    await expect.poll(() => entry.count()).toBe(0);

    await context.setOffline(false);
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    // The outbox sends in order: once the later product is there, the dropped one would have been too.
    await expect.poll(() => productsNamed(token, kept), { timeout: 20_000 }).toHaveLength(1);
    expect(await productsNamed(token, name)).toEqual([]);
    await context.close();
  }, 240_000);
});
