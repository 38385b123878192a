/**
 * The producer and product screens on a 360 px phone, where their forms and lists meet the user
 * and the network: what they say, what they keep, and what they ask.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, launchBrowser, login, pageWidth, shot, signedInPhone, startLocal, stopAll, type LocalProduct } from './support.ts';

let product: LocalProduct;
let browser: Browser;
let token: string;
const run = Date.now().toString().slice(-6);
const phone = (n: number) => `07${String(Number(run) * 10 + n).padStart(8, '0').slice(-8)}`;

beforeAll(async () => {
  [product, browser] = await Promise.all([startLocal(), launchBrowser()]);
  token = await login(product.url, 'canbo.thieuhoa');
}, 120_000);
afterAll(() => stopAll(browser, product));

async function newProducer(name: string, n: number, extra: Record<string, unknown> = {}): Promise<{ id: string; version: number }> {
  const res = await api<{ id: string; version: number }>(product.url, '/producers', token, { method: 'POST', body: { kind: 'household', name, communeCode: '15772', phone: phone(n), legalBasis: { type: 'state_management' }, ...extra } });
  expect(res.status).toBe(201);
  return res.body;
}

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

describe('the product list on a 360 px phone', () => {
  it('folds its filters under "Lọc" so the first product shows on the first screen; they open, counted, when the address sets any', async () => {
    const owner = await newProducer(`Hộ Làm Bánh Lọc ${run}`, 5);
    expect((await api(product.url, '/products', token, { method: 'POST', body: { producerId: owner.id, name: `Bánh lọc ${run}`, ocopGroup: 'food', ocopStars: 0 } })).status).toBe(201);
    const { context, page } = await signedInPhone(browser, product.url, 'canbo.thieuhoa');
    await page.goto(`${product.url}/#/products`);
    const first = page.locator('ul.cards a.card-link').first();
    await first.waitFor({ timeout: 15_000 });
    const summary = page.getByTestId('filters');
    expect(await summary.textContent()).toBe('Lọc');
    expect(await page.getByLabel(/^Hạng sao/).isVisible()).toBe(false);
    expect((await first.boundingBox())!.y).toBeLessThan(740);
    await shot(page, 'forms-02-product-filters-folded', false);

    await summary.click();
    await page.getByLabel(/^Sàn$/).selectOption('voso');
    await expect.poll(() => summary.textContent()).toBe('Lọc (1)');
    await expect.poll(() => page.url()).toContain('marketplace=voso');
    await page.reload();
    await expect.poll(() => page.locator('details.filter-fold').evaluate((d) => (d as HTMLDetailsElement).open), { timeout: 15_000 }).toBe(true);
    expect(await page.getByLabel(/^Sàn$/).inputValue()).toBe('voso');
    expect(await summary.textContent()).toBe('Lọc (1)');
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);
    await shot(page, 'forms-03-product-filters-open', false);
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
