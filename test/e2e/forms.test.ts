/**
 * The producer and product screens on a 360 px phone, where their forms and lists meet the user
 * and the network: what they say, what they keep, and what they ask.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, launchBrowser, login, signedInPhone, startLocal, stopAll, type LocalProduct } from './support.ts';

let product: LocalProduct;
let browser: Browser;
let token: string;
const run = Date.now().toString().slice(-6);

beforeAll(async () => {
  [product, browser] = await Promise.all([startLocal(), launchBrowser()]);
  token = await login(product.url, 'canbo.thieuhoa');
}, 120_000);
afterAll(() => stopAll(browser, product));

describe('a cooperative’s own producer', () => {
  it('is chosen already in the new-product form, and its producer list has no search or commune filter', async () => {
    const coopToken = await login(product.url, 'htx.demo');
    const own = (await api<{ producerId: string }>(product.url, '/auth/me', coopToken)).body.producerId;
    const { context, page } = await signedInPhone(browser, product.url, 'htx.demo');
    await page.goto(`${product.url}/#/products/new`);
    await expect.poll(() => page.getByLabel('Chủ thể').inputValue(), { timeout: 15_000 }).toBe(own);
    await page.goto(`${product.url}/#/producers`);
    await page.locator('ul.cards a.card-link').first().waitFor({ timeout: 15_000 });
    expect(await page.getByLabel(/^Tìm theo tên chủ thể/).count()).toBe(0);
    expect(await page.getByLabel(/^Xã\/phường/).count()).toBe(0);
    await context.close();
  }, 60_000);

  it('says a producer was not chosen, when an officer saves a product without one', async () => {
    const { context, page } = await signedInPhone(browser, product.url, 'canbo.thieuhoa');
    await page.goto(`${product.url}/#/products/new`);
    await page.getByLabel(/^Tên sản phẩm/).fill(`Không chủ ${run}`);
    await page.getByRole('button', { name: 'Lưu' }).click();
    expect(await page.locator('.field[data-path=producerId] .field-error').textContent()).toBe('Chưa chọn');
    page.once('dialog', (d) => void d.accept());
    await context.close();
  }, 60_000);
});

describe('words for what was typed wrong or found nothing', () => {
  it('says a date the calendar does not have is no such day, not that it is in the wrong format', async () => {
    const { context, page } = await signedInPhone(browser, product.url, 'canbo.thieuhoa');
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${product.url}/#/producers/new`);
    await page.getByLabel('Tên chủ thể').fill(`Hộ Ngày Sai ${run}`);
    await page.getByLabel(/^Ngày tập huấn/).fill('31/11/2025');
    await page.getByRole('button', { name: 'Lưu' }).click();
    expect(await page.locator('.field[data-path=trainingDate] .field-error').textContent()).toBe('Lịch không có ngày này: kiểm tra lại ngày và tháng');
    await page.getByLabel(/^Ngày tập huấn/).fill('31-11');
    await page.getByRole('button', { name: 'Lưu' }).click();
    expect(await page.locator('.field[data-path=trainingDate] .field-error').textContent()).toBe('Ngày theo dạng dd/mm/yyyy');
    await context.close();
  }, 60_000);

  it('says no producer or product matches a search that finds nothing', async () => {
    const { context, page } = await signedInPhone(browser, product.url, 'canbo.thieuhoa');
    await page.goto(`${product.url}/#/producers?q=${encodeURIComponent(`không ai tên này ${run}`)}`);
    await page.locator('ul.cards li.muted', { hasText: 'Không tìm thấy chủ thể phù hợp.' }).waitFor({ timeout: 15_000 });
    await page.goto(`${product.url}/#/products?q=${encodeURIComponent(`không có sản phẩm này ${run}`)}`);
    await page.locator('ul.cards li.muted', { hasText: 'Không tìm thấy sản phẩm phù hợp.' }).waitFor({ timeout: 15_000 });
    await context.close();
  }, 60_000);
});
