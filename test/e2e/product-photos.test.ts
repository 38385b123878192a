import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, launchBrowser, login, pageWidth, shot, signedInPhone, startLocal, stopAll, type LocalProduct } from './support.ts';

type PhotoItem = { id: string; status: string; order: number };

let product: LocalProduct;
let browser: Browser;
let officer: BrowserContext;
let page: Page;
let token: string;
let productId = '';
let a = '';
let b = '';
let c = '';
const run = Date.now().toString().slice(-6);

/** Uploads a photo through the API as the web app's outbox does: ask for a target, PUT the file there. */
async function uploadPhoto(jpeg: Buffer): Promise<string> {
  const target = await api<{ photoId: string; uploadUrl: string; headers: Record<string, string> }>(product.url, `/products/${productId}/photos`, token, { method: 'POST', body: { contentType: 'image/jpeg', bytes: jpeg.length } });
  expect(target.status).toBe(201);
  const { 'content-length': _length, ...headers } = target.body.headers;
  const put = await fetch(new URL(target.body.uploadUrl, product.url), { method: 'PUT', headers, body: new Uint8Array(jpeg) });
  expect(put.status).toBe(200);
  return target.body.photoId;
}

const photoList = async () => (await api<{ items: PhotoItem[] }>(product.url, `/products/${productId}/photos`, token)).body.items;
const apiOrder = async () => (await photoList()).map((p) => p.id);
const shownOrder = () => page.locator('.gallery figure[data-photo-id]').evaluateAll((els) => els.map((el) => el.getAttribute('data-photo-id')));
const focusedPhoto = () => page.evaluate(() => document.activeElement?.closest('figure')?.getAttribute('data-photo-id') ?? null);
const postmart = () => page.locator('li[data-marketplace=postmart]');

beforeAll(async () => {
  [product, browser] = await Promise.all([startLocal(), launchBrowser()]);
  token = await login(product.url, 'canbo.thieuhoa');
  const producer = await api<{ id: string }>(product.url, '/producers', token, {
    method: 'POST',
    body: { kind: 'household', name: `Hộ Phạm Văn Ảnh ${run}`, phone: `09${run}11`, communeCode: '15772', legalBasis: { type: 'state_management' } },
  });
  expect(producer.status).toBe(201);
  const created = await api<{ id: string }>(product.url, '/products', token, {
    method: 'POST',
    body: { producerId: producer.body.id, name: `Chè lam Thiệu Hóa ${run}`, ocopGroup: 'food', ocopStars: 0, unit: 'hộp 300 g', priceVnd: 60000, weightGrams: 350, shelfLifeDays: 90, description: 'Chè lam truyền thống.' },
  });
  expect(created.status).toBe(201);
  productId = created.body.id;
  const photo = (background: string) => sharp({ create: { width: 1200, height: 1200, channels: 3, background } }).jpeg().toBuffer();
  a = await uploadPhoto(await photo('#a04000'));
  b = await uploadPhoto(await photo('#2060a0'));
  c = await uploadPhoto(await photo('#40a040'));
  // The local upload route processes the file before it answers; a photo still processing here is a failure.
  expect((await photoList()).map((p) => p.status)).toEqual(['ready', 'ready', 'ready']);
  ({ context: officer, page } = await signedInPhone(browser, product.url, 'canbo.thieuhoa'));
}, 120_000);

afterAll(() => stopAll(browser, product));

describe('saving a marketplace’s photos on the phone', () => {
  it('saves the variant made for the chosen marketplace of each ready photo, cover first, named after the product', async () => {
    await page.goto(`${product.url}/#/products/${productId}`);
    const block = page.locator('.photo-downloads');
    await expect.poll(() => block.isVisible(), { timeout: 15_000 }).toBe(true);
    await block.getByLabel(/^Sàn/).selectOption('shopee');
    expect(await block.locator('.hint').textContent()).toBe('3 ảnh (tối đa 9 ảnh cho sàn này), 1024×1024 px, ảnh bìa trước; đã bỏ mọi thông tin vị trí.');
    const saved: Download[] = [];
    page.on('download', (d) => saved.push(d));
    await block.getByRole('button', { name: 'Tải ảnh về máy' }).click();
    await expect.poll(() => saved.length, { timeout: 15_000 }).toBe(3);
    expect(saved.map((d) => d.suggestedFilename())).toEqual([1, 2, 3].map((n) => `che-lam-thieu-hoa-${run}-shopee-0${n}.jpg`));
    const files = await Promise.all(saved.map(async (d) => sharp(await d.path())));
    const metas = await Promise.all(files.map((f) => f.metadata()));
    expect(metas.map((m) => [m.format, m.width, m.height, m.exif])).toEqual(Array(3).fill(['jpeg', 1024, 1024, undefined]));
    // In the product's order: the first file is photo a (#a04000), the last c (#40a040).
    const centre = async (f: ReturnType<typeof sharp>) => [...(await f.extract({ left: 500, top: 500, width: 1, height: 1 }).raw().toBuffer())];
    const [first, , last] = await Promise.all(files.map(centre));
    expect(first![0]).toBeGreaterThan(140);
    expect(last![1]).toBeGreaterThan(140);
    page.removeAllListeners('download');
    // Lazada takes the 1200 px variant.
    await block.getByLabel(/^Sàn/).selectOption('lazada');
    expect(await block.locator('.hint').textContent()).toContain('3 ảnh (tối đa 8 ảnh cho sàn này), 1200×1200 px');
  }, 60_000);
});

describe('photos processed after their upload was answered, as in the cloud', () => {
  it('looks again while a photo is processing, less and less often, and shows it ready without a reload', async () => {
    const { context, page: phone } = await signedInPhone(browser, product.url, 'canbo.thieuhoa', { context: { serviceWorkers: 'block' } });
    // The first two answers say every photo is still processing (no variants yet), as while the photo function works.
    let held = 0;
    await phone.route(`**/api/v1/products/${productId}/photos`, async (route) => {
      if (route.request().method() !== 'GET' || held >= 2) return route.fallback();
      held++;
      const res = await route.fetch();
      const body = (await res.json()) as { items: { status: string; variants: unknown[] }[] };
      await route.fulfill({ response: res, json: { items: body.items.map((p) => ({ ...p, status: 'processing', variants: [] })) } });
    });
    await phone.goto(`${product.url}/#/products/${productId}`);
    const chips = () => phone.locator('.gallery figure[data-photo-id] figcaption').allTextContents();
    await expect.poll(chips, { timeout: 15_000 }).toEqual(['Ảnh bìaĐang xử lý', 'Đang xử lý', 'Đang xử lý']);
    await expect.poll(chips, { timeout: 20_000 }).toEqual(['Ảnh bìaĐạt', 'Đạt', 'Đạt']);
    expect(held).toBe(2);
    await context.close();
  }, 60_000);
});

describe('deleting and reordering a product’s photos on a 360 px phone', () => {
  it('marks the first photo as the cover and offers each photo its own move and delete buttons', async () => {
    await page.goto(`${product.url}/#/products/${productId}`);
    await expect.poll(shownOrder, { timeout: 15_000 }).toEqual([a, b, c]);
    const first = page.locator(`.gallery figure[data-photo-id="${a}"]`);
    expect(await first.locator('.chip-cover').textContent()).toBe('Ảnh bìa');
    expect(await page.locator('.gallery .chip-cover').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Chuyển ảnh số 1 lên trước' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Chuyển ảnh số 3 ra sau' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Đặt ảnh số 1 làm ảnh bìa' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Xoá ảnh số \d$/ }).count()).toBe(3);
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);
    await shot(page, '20-photos-manage');
  }, 60_000);

  it('makes the last photo the cover, in the API and on the page, with focus kept on that photo', async () => {
    await page.getByRole('button', { name: 'Đặt ảnh số 3 làm ảnh bìa' }).click();
    await expect.poll(shownOrder, { timeout: 15_000 }).toEqual([c, a, b]);
    expect(await apiOrder()).toEqual([c, a, b]);
    expect(await page.locator(`.gallery figure[data-photo-id="${c}"] .chip-cover`).textContent()).toBe('Ảnh bìa');
    expect(await page.locator('.gallery .chip-cover').count()).toBe(1);
    expect(await page.locator('#toasts').textContent()).toContain('Ảnh số 3 giờ là ảnh bìa.');
    expect(await focusedPhoto()).toBe(c);
  }, 60_000);

  it('moves a photo later and earlier from the keyboard', async () => {
    await page.getByRole('button', { name: 'Chuyển ảnh số 1 ra sau' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(shownOrder, { timeout: 15_000 }).toEqual([a, c, b]);
    expect(await apiOrder()).toEqual([a, c, b]);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Chuyển ảnh số 2 ra sau');
    await page.getByRole('button', { name: 'Chuyển ảnh số 2 lên trước' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(shownOrder, { timeout: 15_000 }).toEqual([c, a, b]);
    expect(await apiOrder()).toEqual([c, a, b]);
    expect(await focusedPhoto()).toBe(c);
  }, 60_000);

  it('says a connection is needed when offline, and deletes nothing', async () => {
    await officer.setOffline(true);
    try {
      await page.getByRole('button', { name: /^Xoá ảnh số 2$/ }).click();
      await expect.poll(() => page.locator('#toasts').textContent()).toContain('cần có kết nối mạng');
      expect(await page.getByRole('dialog').count()).toBe(0);
    } finally {
      await officer.setOffline(false);
    }
    expect(await apiOrder()).toEqual([c, a, b]);
  }, 60_000);

  it('asks before deleting a photo: cancelling keeps it, confirming deletes it', async () => {
    await page.getByRole('button', { name: /^Xoá ảnh số 2$/ }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('heading').textContent()).toContain('Xoá ảnh số 2?');
    await dialog.getByRole('button', { name: 'Huỷ' }).click();
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(await apiOrder()).toEqual([c, a, b]);
    expect(await shownOrder()).toEqual([c, a, b]);

    await page.getByRole('button', { name: /^Xoá ảnh số 2$/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Xoá' }).click();
    await expect.poll(shownOrder, { timeout: 15_000 }).toEqual([c, b]);
    expect(await apiOrder()).toEqual([c, b]);
    expect(await page.locator('#toasts').textContent()).toContain('Đã xoá ảnh.');
    // Focus moves to the photo now in the deleted one's place.
    expect(await focusedPhoto()).toBe(b);
  }, 60_000);

  it('refreshes without an error when the photo was already deleted elsewhere', async () => {
    expect((await api(product.url, `/products/${productId}/photos/${b}`, token, { method: 'DELETE' })).status).toBe(204);
    await page.getByRole('button', { name: /^Xoá ảnh số 2$/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Xoá' }).click();
    await expect.poll(shownOrder, { timeout: 15_000 }).toEqual([c]);
    expect(await page.locator('#toasts').textContent()).toContain('đã được xoá trước đó');
  }, 60_000);

  it('is read-only for the department', async () => {
    const { context, page: desk } = await signedInPhone(browser, product.url, 'sct', { landing: 'Tổng quan tiến độ' });
    await desk.goto(`${product.url}/#/products/${productId}`);
    await expect.poll(() => desk.locator('.gallery figure[data-photo-id]').count(), { timeout: 15_000 }).toBe(1);
    expect(await desk.locator('.gallery .chip-cover').count()).toBe(1);
    expect(await desk.locator('.gallery button').count()).toBe(0);
    await context.close();
  }, 60_000);

  it('deleting the last photo leaves none, and the marketplaces’ readiness says photos are missing', async () => {
    await expect.poll(() => postmart().textContent(), { timeout: 15_000 }).not.toContain('Chưa đủ ảnh sản phẩm');
    // A single photo has nothing to move past.
    expect(await page.getByRole('button', { name: /Chuyển ảnh/ }).count()).toBe(0);
    await page.getByRole('button', { name: /^Xoá ảnh số 1$/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Xoá' }).click();
    await expect.poll(() => page.locator('.gallery').textContent(), { timeout: 15_000 }).toBe('Chưa có ảnh.');
    expect(await photoList()).toEqual([]);
    await expect.poll(() => postmart().textContent(), { timeout: 15_000 }).toContain('Chưa đủ ảnh sản phẩm');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Ảnh sản phẩm');
  }, 60_000);
});

describe('a photo the browser cannot decode', () => {
  it('is refused on the phone in words that say what to do, and nothing is sent: a HEIC this browser cannot read, a file that is no photo', async () => {
    // Chromium here, like most browsers, decodes no HEIC (and the server's prebuilt sharp reads no HEVC either).
    const heic = await readFile(new URL('../fixtures/photos/hevc-800x600.heic', import.meta.url));
    await page.goto(`${product.url}/#/products/${productId}`);
    await page.getByLabel('Chọn ảnh có sẵn').waitFor({ state: 'attached', timeout: 15_000 });
    const before = (await photoList()).length;
    for (const file of [{ name: 'IMG_0001.HEIC', mimeType: 'image/heic', buffer: heic }, { name: 'khong-phai-anh.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('this is a text file, not a photo') }]) {
      await page.getByLabel('Chọn ảnh có sẵn').setInputFiles(file);
      await expect.poll(() => page.locator('[role=alert]').filter({ hasText: 'Máy không đọc được tệp này như một ảnh' }).count(), { timeout: 15_000 }).toBe(1);
      expect(await photoList()).toHaveLength(before);
    }
  }, 60_000);
});

describe('what the photo section says, and the history under it', () => {
  it('says an upload is done once its photo is processed, drops an upload’s refusal at the next action, and shows each photo change in the history without a reload', async () => {
    await page.goto(`${product.url}/#/products/${productId}`);
    await page.reload();
    const history = page.locator('ol.timeline > li');
    await expect.poll(() => history.count(), { timeout: 15_000 }).toBeGreaterThan(0);
    let seen = await history.count();
    // Fewer than a page of 50: each change adds one on screen.
    expect(seen).toBeLessThan(45);
    const changed = async () => {
      await expect.poll(() => history.count(), { timeout: 15_000 }).toBeGreaterThan(seen);
      seen = await history.count();
    };
    for (const background of ['#a04000', '#2060a0']) {
      const jpeg = await sharp({ create: { width: 1200, height: 1200, channels: 3, background } }).jpeg().toBuffer();
      await page.getByLabel('Chọn ảnh có sẵn').setInputFiles({ name: 'anh.jpg', mimeType: 'image/jpeg', buffer: jpeg });
      await changed();
    }
    await expect.poll(() => page.locator('.gallery figure[data-photo-id] .chip', { hasText: 'Đạt' }).count(), { timeout: 15_000 }).toBe(2);
    expect(await page.locator('main').textContent()).not.toContain('máy chủ đang xử lý');

    const refused = page.locator('[role=alert]').filter({ hasText: 'Máy không đọc được tệp này như một ảnh' });
    await page.getByLabel('Chọn ảnh có sẵn').setInputFiles({ name: 'khong-phai-anh.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not a photo') });
    await expect.poll(() => refused.count(), { timeout: 15_000 }).toBe(1);
    await page.getByRole('button', { name: 'Đặt ảnh số 2 làm ảnh bìa' }).click();
    await expect.poll(() => page.locator('#toasts').textContent(), { timeout: 15_000 }).toContain('Ảnh số 2 giờ là ảnh bìa.');
    expect(await refused.count()).toBe(0);
    await changed();

    await page.getByRole('button', { name: /^Xoá ảnh số 1$/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Xoá' }).click();
    await changed();
  }, 60_000);
});
