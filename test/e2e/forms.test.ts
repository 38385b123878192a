/**
 * The producer and product screens on a 360 px phone, where their forms and lists meet the user
 * and the network: what they say, what they keep, and what they ask.
 */
import type { Browser, Page } from 'playwright-core';
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

const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();
const go = (page: Page, hash: string) => page.evaluate((h) => (location.hash = h), hash);

/** A phone that opened the producer list online, then lost the connection and opened it again: from the copy saved on the phone. */
async function offlineOnSavedList() {
  const { context, page } = await signedInPhone(browser, product.url, 'canbo.thieuhoa');
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
  const list = page.locator('ul.cards a.card-link').first();
  await page.goto(`${product.url}/#/producers`);
  await list.waitFor({ timeout: 15_000 });
  await context.setOffline(true);
  await go(page, '#/');
  await expect.poll(() => heading(page)).toBe('Xin chào, canbo.thieuhoa');
  await go(page, '#/producers');
  await list.waitFor({ timeout: 15_000 });
  return { context, page };
}

describe('when the connection comes back', () => {
  it('loads the page it could not load offline, and stops saying the data is the saved copy once the server answers', async () => {
    const name = `Hộ Chưa Mở ${run}`;
    const { id } = await newProducer(name, 1);
    const { context, page } = await offlineOnSavedList();
    // Never opened online: nothing saved on the phone to show.
    await go(page, `#/producers/${id}`);
    await expect.poll(() => page.locator('main').textContent(), { timeout: 15_000 }).toContain('Dữ liệu sẽ hiện khi có mạng');
    await context.setOffline(false);
    await expect.poll(() => heading(page), { timeout: 15_000 }).toBe(name);
    await expect.poll(() => page.getByTestId('saved-copy').count(), { timeout: 15_000 }).toBe(0);
    expect(await page.locator('main').textContent()).not.toContain('Dữ liệu sẽ hiện khi có mạng');
    await context.close();
  }, 60_000);

  it('keeps a form being typed into as it is, and still stops saying the data is the saved copy', async () => {
    const { context, page } = await offlineOnSavedList();
    await go(page, '#/producers/new');
    await page.getByLabel('Tên chủ thể').fill(`Hộ Đang Nhập ${run}`);
    await page.locator('main form').evaluate((f) => (f.dataset.drawn = 'offline'));
    await context.setOffline(false);
    await page.getByTestId('saved-copy').waitFor({ state: 'detached', timeout: 15_000 });
    expect(await page.getByLabel('Tên chủ thể').inputValue()).toBe(`Hộ Đang Nhập ${run}`);
    expect(await page.locator('main form').getAttribute('data-drawn')).toBe('offline');
    page.once('dialog', (d) => void d.accept());
    await context.close();
  }, 60_000);
});

describe('leaving a half-filled form', () => {
  it('asks before a new producer typed into is left by a tab, "Huỷ" or Back, and staying keeps what was typed; untouched or saved, it leaves without asking', async () => {
    const { context, page } = await signedInPhone(browser, product.url, 'canbo.thieuhoa');
    const asked: string[] = [];
    const answer = (how: 'dismiss' | 'accept') => page.once('dialog', (d) => void (asked.push(d.message()), d[how]()));
    const hash = () => new URL(page.url()).hash;
    await page.goto(`${product.url}/#/producers`);
    await page.getByRole('link', { name: 'Đăng ký chủ thể', exact: true }).click();
    await expect.poll(() => heading(page)).toBe('Đăng ký chủ thể');
    await page.getByRole('navigation').getByRole('link', { name: 'Sản phẩm' }).click();
    await expect.poll(() => heading(page)).toBe('Danh sách sản phẩm');
    await page.goBack();
    await expect.poll(() => heading(page)).toBe('Đăng ký chủ thể');
    expect(asked).toEqual([]);

    const name = `Hộ Bỏ Dở ${run}`;
    await page.getByLabel('Tên chủ thể').fill(name);
    answer('dismiss');
    await page.getByRole('navigation').getByRole('link', { name: 'Sản phẩm' }).click();
    await expect.poll(() => asked).toEqual(['Những gì bạn vừa nhập chưa được lưu. Rời trang này thì sẽ mất. Vẫn rời trang?']);
    await expect.poll(hash).toBe('#/producers/new');
    answer('dismiss');
    await page.getByRole('link', { name: 'Huỷ' }).click();
    await expect.poll(() => asked).toHaveLength(2);
    await expect.poll(hash).toBe('#/producers/new');
    answer('dismiss');
    await page.evaluate(() => history.back());
    await expect.poll(() => asked).toHaveLength(3);
    await expect.poll(hash).toBe('#/producers/new');
    expect(await heading(page)).toBe('Đăng ký chủ thể');
    expect(await page.getByLabel('Tên chủ thể').inputValue()).toBe(name);

    await page.getByRole('combobox', { name: /Xã\/phường/ }).fill('thieu hoa');
    await page.getByRole('option', { name: /Xã Thiệu Hóa/ }).click();
    await page.getByLabel('Số điện thoại').fill(phone(2));
    await page.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => heading(page), { timeout: 15_000 }).toBe(name);
    expect(asked).toHaveLength(3);
    await context.close();
  }, 60_000);

  it('asks before a changed product is left, and leaves when the user agrees', async () => {
    const owner = await newProducer(`Hộ Có Sản Phẩm ${run}`, 3);
    const made = await api<{ id: string }>(product.url, '/products', token, { method: 'POST', body: { producerId: owner.id, name: `Mắm tép ${run}`, ocopGroup: 'food', ocopStars: 0 } });
    const { context, page } = await signedInPhone(browser, product.url, 'canbo.thieuhoa');
    const asked: string[] = [];
    await page.goto(`${product.url}/#/products/${made.body.id}/edit`);
    await page.getByLabel('Giá bán (đồng)').fill('45000');
    page.once('dialog', (d) => void (asked.push(d.message()), d.accept()));
    await page.getByRole('link', { name: 'Huỷ' }).click();
    await expect.poll(() => heading(page)).toBe(`Mắm tép ${run}`);
    expect(asked).toHaveLength(1);
    await context.close();
  }, 60_000);
});

describe('an edit someone else saved first', () => {
  it('loads the record as it now is into the form, keeping the user’s changes and saying where the other saved something else, and saves on top of it', async () => {
    const name = `Hộ Hai Người Sửa ${run}`;
    const made = await newProducer(name, 4, { representative: 'Lê An', address: 'Thôn 1' });
    const { context, page } = await signedInPhone(browser, product.url, 'canbo.thieuhoa');
    await page.goto(`${product.url}/#/producers/${made.id}/edit`);
    await page.getByLabel('Người đại diện').fill('Lê Bình');
    await page.getByLabel('Mã số thuế').fill('2801234567');
    // Meanwhile, on another phone:
    const other = await api(product.url, `/producers/${made.id}`, token, { method: 'PATCH', body: { version: made.version, representative: 'Lê Cường', address: 'Thôn 2' } });
    expect(other.status).toBe(200);
    await page.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => page.locator('main [role=alert]').textContent(), { timeout: 15_000 }).toContain('người khác đã lưu bản ghi này');

    await page.getByRole('button', { name: 'Tải bản mới nhất, giữ thay đổi của tôi' }).click();
    await page.getByTestId('loaded-latest').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('loaded-latest').textContent()).toContain('1 ô người khác cũng vừa sửa khác đi');
    expect(await page.getByLabel('Địa chỉ (thôn, xóm)').inputValue()).toBe('Thôn 2');
    expect(await page.getByLabel('Người đại diện').inputValue()).toBe('Lê Bình');
    expect(await page.getByLabel('Mã số thuế').inputValue()).toBe('2801234567');
    expect(await page.locator('.field[data-path=representative] [data-testid=theirs]').textContent()).toBe('Người khác vừa lưu: Lê Cường');
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);
    await shot(page, 'forms-01-loaded-latest', false);
    await page.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => heading(page), { timeout: 15_000 }).toBe(name);
    expect((await api<Record<string, unknown>>(product.url, `/producers/${made.id}`, token)).body).toMatchObject({ representative: 'Lê Bình', address: 'Thôn 2', taxCode: '2801234567' });
    await context.close();
  }, 60_000);
});

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
