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
const productsNamed = async (token: string, name: string) => (await api<{ items: Product[] }>(product.url, `/products?q=${encodeURIComponent(name)}`, token)).body.items.filter((p) => p.name === name);

/** Registers a product for `producerId` on the phone, which is offline: it waits in the outbox. */
async function registerOffline(page: Page, producerId: string, name: string, price: string): Promise<void> {
  await page.goto(`${product.url}/#/products/new?producer=${producerId}`);
  await page.getByLabel('Tên sản phẩm').fill(name);
  await page.getByLabel('Giá bán (đồng)').fill(price);
  await page.getByRole('button', { name: 'Lưu' }).click();
  await page.waitForURL(/#\/products$/);
}

describe('correcting or dropping what waits in the outbox', () => {
  it('corrects a product registered offline before it is sent: the server gets the corrected one, once', async () => {
    const token = await login(product.url, 'canbo.thieuhoa');
    const producer = await api<{ id: string }>(product.url, '/producers', token, { method: 'POST', body: { kind: 'household', name: `Hộ làm nem ${run}`, communeCode: '15772', legalBasis: { type: 'state_management' }, confirmDistinct: true } });
    expect(producer.status).toBe(201);
    const { context, page } = await signedInPhone(browser, product.url, 'canbo.thieuhoa');
    // Seen once online, as an officer does before leaving for the village.
    await page.goto(`${product.url}/#/products/new?producer=${producer.body.id}`);
    await page.getByLabel('Tên sản phẩm').waitFor();
    await context.setOffline(true);

    const name = `Nem chua ${run}`;
    await registerOffline(page, producer.body.id, name, '9000000');
    await page.goto(`${product.url}/#/outbox`);
    const entry = page.locator('li[data-state]', { hasText: `Đăng ký sản phẩm: ${name}` });
    await entry.getByRole('button', { name: 'Sửa trước khi gửi' }).click();
    await page.waitForURL(/#\/products\/new\?outbox=/);
    const price = page.getByLabel('Giá bán (đồng)');
    expect(await price.inputValue()).toMatch(/^9\.?000\.?000$/);
    await price.fill('90000');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.waitForURL(/#\/outbox$/);

    await context.setOffline(false);
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await expect.poll(() => productsNamed(token, name), { timeout: 20_000 }).toEqual([expect.objectContaining({ name, priceVnd: 90000 })]);
    await expect.poll(() => page.locator('li[data-state]', { hasText: `Đăng ký sản phẩm: ${name}` }).count()).toBe(0);
    await context.close();
  }, 90_000);

  it('drops a product registered offline after confirming: nothing reaches the server', async () => {
    const token = await login(product.url, 'canbo.thieuhoa');
    const producer = await api<{ id: string }>(product.url, '/producers', token, { method: 'POST', body: { kind: 'household', name: `Hộ làm giò ${run}`, communeCode: '15772', legalBasis: { type: 'state_management' }, confirmDistinct: true } });
    const { context, page } = await signedInPhone(browser, product.url, 'canbo.thieuhoa');
    await page.goto(`${product.url}/#/products/new?producer=${producer.body.id}`);
    await page.getByLabel('Tên sản phẩm').waitFor();
    await context.setOffline(true);

    const name = `Giò lụa ${run}`;
    const kept = `Giò bò ${run}`;
    await registerOffline(page, producer.body.id, name, '120000');
    await registerOffline(page, producer.body.id, kept, '150000');
    await page.goto(`${product.url}/#/outbox`);
    const entry = page.locator('li[data-state]', { hasText: `Đăng ký sản phẩm: ${name}` });
    await entry.getByRole('button', { name: 'Bỏ thay đổi này' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Bỏ thay đổi này' }).click();
    await expect.poll(() => entry.count()).toBe(0);

    await context.setOffline(false);
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    // The outbox sends in order: once the later product is there, the dropped one would have been too.
    await expect.poll(() => productsNamed(token, kept), { timeout: 20_000 }).toHaveLength(1);
    expect(await productsNamed(token, name)).toEqual([]);
    await context.close();
  }, 90_000);
});
