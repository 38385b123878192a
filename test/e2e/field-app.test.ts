import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { api, launchBrowser, login, pageWidth, sendProducerForm, shot, startLocal, unlabelledControls, phoneContext, signIn, stopAll, type LocalProduct } from './support.ts';

let product: LocalProduct;
let browser: Browser;
let officer: BrowserContext;
let page: Page;
const run = Date.now().toString().slice(-6);
const producerName = `Hộ Lê Văn An ${run}`;
const offlineProducerName = `Hộ Trịnh Thị Bình ${run}`;
const duplicateName = `Lê Văn An (nhập lại) ${run}`;
const productName = `Mật ong rừng Pù Luông ${run}`;
const phone = (n: number) => `09${String(Number(run) * 10 + n).padStart(8, '0').slice(-8)}`;
let productId = '';

/** Registers a producer in Xã Thiệu Hóa through the form (online or not), leaving the officer on the producer list. */
async function registerInThieuHoa(name: string, tel: string): Promise<void> {
  await sendProducerForm(page, product.url, name, tel);
  await page.getByRole('heading', { name: 'Danh sách chủ thể' }).waitFor();
}

beforeAll(async () => {
  [product, browser] = await Promise.all([startLocal(), launchBrowser()]);
  officer = await phoneContext(browser);
  page = await officer.newPage();
}, 120_000);

afterAll(() => stopAll(browser, product));

describe('field app on a 360 px phone (officer)', () => {
  it('signs in and shows the user, role and scope in the header', async () => {
    await page.goto(product.url);
    await page.getByLabel('Tên đăng nhập').fill('canbo.thieuhoa');
    await page.getByLabel('Mật khẩu').fill('demo1234');
    await shot(page, '01-login');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Xin chào, canbo.thieuhoa');
    const who = page.getByTestId('who');
    await expect.poll(() => who.textContent()).toContain('Xã Thiệu Hóa, Xã Thiệu Trung');
    expect(await who.textContent()).toContain('Cán bộ');
    await shot(page, '02-home');

    await page.getByRole('button', { name: 'Switch to English' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Hello, canbo.thieuhoa');
    await page.getByRole('button', { name: 'Chuyển sang tiếng Việt' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Xin chào, canbo.thieuhoa');
  }, 60_000);

  it('registers a producer, finding the commune by typing "thieu hoa"', async () => {
    await page.getByRole('link', { name: 'Đăng ký chủ thể mới' }).click();
    await page.getByLabel('Tên chủ thể').fill(producerName);
    await page.getByRole('combobox', { name: /Xã\/phường/ }).fill('thieu hoa');
    await page.getByRole('option', { name: /Xã Thiệu Hóa/ }).click();
    await page.getByLabel('Số điện thoại').fill(phone(1));
    await page.getByLabel('Người đại diện').fill('Lê Văn An');
    expect(await unlabelledControls(page)).toEqual([]);
    await shot(page, '03-producer-form');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 15_000 }).toBe(producerName);
    expect(await page.locator('.facts').textContent()).toContain('Xã Thiệu Hóa');
  }, 60_000);

  it('records a seller account and registers a product with its readiness per marketplace', async () => {
    const postmart = page.locator('[data-testid=accounts] li[data-marketplace=postmart]');
    await postmart.getByRole('button', { name: /Đã đăng ký/ }).click();
    // A shop address on another marketplace is caught in the dialog, with what was typed kept.
    const shopUrl = page.getByRole('dialog').getByLabel(/Địa chỉ gian hàng/);
    await shopUrl.fill('https://shopee.vn/hoptacxa');
    await page.getByRole('dialog').getByRole('button', { name: 'Xác nhận' }).click();
    expect(await page.getByRole('dialog').locator('.field-error').textContent()).toContain('postmart.vn');
    expect(await shopUrl.inputValue()).toBe('https://shopee.vn/hoptacxa');
    await shopUrl.fill('');
    await page.getByRole('dialog').getByRole('button', { name: 'Xác nhận' }).click();
    await expect.poll(() => postmart.locator('.chip').textContent(), { timeout: 15_000 }).toBe('Đã đăng ký');
    await shot(page, '04-producer-page');

    await page.getByRole('link', { name: 'Thêm sản phẩm' }).click();
    await page.getByLabel('Tên sản phẩm').fill(productName);
    await page.getByLabel('Quy cách đóng gói / đơn vị tính').fill('chai 500 ml');
    await page.getByLabel('Giá bán (đồng)').fill('185000');
    await page.getByLabel('Khối lượng cả bao bì (gam)').fill('700');
    await page.getByLabel('Hạn sử dụng (ngày)').fill('365');
    await page.getByLabel('Mô tả sản phẩm').fill('Mật ong hoa rừng khai thác tự nhiên ở Pù Luông.');
    expect(await page.getByText('185.000 ₫').count()).toBe(1);
    expect(await unlabelledControls(page)).toEqual([]);
    await shot(page, '05-product-form');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 15_000 }).toBe(productName);
    productId = new URL(page.url()).hash.split('/').at(-1)!;
    const card = page.locator('li[data-marketplace=postmart]');
    await expect.poll(() => card.textContent(), { timeout: 15_000 }).toContain('Chưa đủ ảnh sản phẩm');
    expect((await page.locator('.facts').textContent())?.replace(/\u00a0/g, ' ')).toContain('185.000 ₫');
  }, 60_000);

  it('takes the Postmart listing from draft through submitted to live', async () => {
    const card = (status: string) => page.locator(`li[data-marketplace=postmart][data-status=${status}]`);
    await card('none').getByRole('button', { name: 'Tạo nháp' }).click();
    await card('draft').getByRole('button', { name: 'Gửi duyệt' }).click();
    await page.getByRole('dialog').getByLabel('Lý do vẫn gửi khi chưa đủ điều kiện').fill('Ảnh sẽ chụp bổ sung tại cơ sở');
    await page.getByRole('dialog').getByRole('button', { name: 'Xác nhận' }).click();
    await card('submitted').getByRole('button', { name: 'Đánh dấu đang bán' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Địa chỉ sản phẩm trên sàn').fill('https://shopee.vn/mat-ong');
    await dialog.getByRole('button', { name: 'Xác nhận' }).click();
    expect(await dialog.locator('.field-error').textContent()).toBe('Địa chỉ sản phẩm không thuộc sàn này.');
    await dialog.getByLabel('Địa chỉ sản phẩm trên sàn').fill(`https://postmart.vn/san-pham/mat-ong-${run}`);
    await dialog.getByRole('button', { name: 'Xác nhận' }).click();
    await card('live').waitFor({ timeout: 15_000 });
    expect(await card('live').locator('.chip').textContent()).toBe('Đang bán');
    // The card was redrawn; keyboard focus is back on it, not at the top of the page.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-marketplace'))).toBe('postmart');
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);
    await shot(page, '06-product-live');

    const token = await login(product.url, 'canbo.thieuhoa');
    const listings = await api<{ items: { marketplace: string; status: string; url?: string }[] }>(product.url, `/products/${productId}/listings`, token);
    expect(listings.body.items.find((l) => l.marketplace === 'postmart')).toMatchObject({ status: 'live', url: `https://postmart.vn/san-pham/mat-ong-${run}` });

    // Taking a live product off the marketplace asks first; cancelling changes nothing.
    await card('live').getByRole('button', { name: 'Tạm dừng' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Huỷ' }).click();
    expect(await card('live').count()).toBe(1);

    // Offline, the listing's history says there is no connection, not that the server lacks the feature.
    await officer.setOffline(true);
    try {
      await card('live').getByRole('button', { name: 'Lịch sử' }).click();
      await expect.poll(() => page.getByRole('dialog').textContent().catch(() => ''), { timeout: 15_000 }).toContain('Không kết nối được máy chủ');
      await page.getByRole('dialog').getByRole('button', { name: 'Đóng' }).click();
    } finally {
      await officer.setOffline(false);
    }
  }, 60_000);

  it('shows each marketplace’s requirements from the product page, readable on the phone', async () => {
    await page.getByRole('link', { name: 'Xem yêu cầu của từng sàn' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 15_000 }).toBe('Yêu cầu của các sàn');
    const shopee = page.getByTestId('marketplace-shopee');
    await expect.poll(() => shopee.textContent(), { timeout: 15_000 }).toContain('Mỗi cạnh từ 500 đến 5.000 px, ảnh vuông');
    expect(await shopee.textContent()).toContain('Tối đa 2 MB mỗi ảnh, định dạng JPG, PNG');
    expect(await shopee.textContent()).toContain('Từ 1 đến 9 ảnh');
    const lazada = await page.getByTestId('marketplace-lazada').textContent();
    expect(lazada).toContain('Mã số thuế của chủ thể');
    expect(lazada).toContain('Tối đa 3 MB mỗi ảnh');
    expect(await page.getByTestId('marketplace-postmart').textContent()).toContain('Chương trình của nhà nước');
    // How the registry changes is the administrator's business.
    expect(await page.getByText('Danh mục sàn do bộ phận kỹ thuật cập nhật', { exact: false }).count()).toBe(0);
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);
    expect(await unlabelledControls(page)).toEqual([]);
    await shot(page, '07-marketplaces');
  }, 60_000);

  it('shows the copy saved on the phone within seconds when the network stalls, and says it may not be the latest', async () => {
    await page.goto(`${product.url}/#/products/${productId}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 15_000 }).toBe(productName);
    await page.evaluate(() => (location.hash = '#/producers'));
    await page.getByRole('heading', { name: 'Danh sách chủ thể' }).waitFor({ timeout: 15_000 });
    product.freeze();
    try {
      // The frozen server never answers: the page can only come from the saved copy.
      await page.evaluate((id) => (location.hash = `#/products/${id}`), productId);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 15_000 }).toBe(productName);
      await page.getByTestId('saved-copy').waitFor({ timeout: 5_000 });
    } finally {
      product.thaw();
    }
    // Once answers come from the network again, the notice goes away.
    await page.evaluate(() => (location.hash = '#/producers'));
    await page.getByRole('heading', { name: 'Danh sách chủ thể' }).waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('saved-copy').count(), { timeout: 15_000 }).toBe(0);
    // Back where the next steps continue: the product's page.
    await page.evaluate((id) => (location.hash = `#/products/${id}`), productId);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 15_000 }).toBe(productName);
  }, 60_000);

  it('scales a 12-megapixel photo down to 2000 px in the browser, uploads it, and the missing photo disappears from readiness', async () => {
    const [w, h] = [4000, 3000];
    const raw = Buffer.alloc(w * h * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 7 + Math.floor(i / (3 * w)) * 3) % 256;
    const jpeg = await sharp(raw, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
    await page.getByLabel('Chọn ảnh có sẵn').setInputFiles({ name: 'mat-ong.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    await page.locator('.gallery .chip', { hasText: 'Đạt' }).waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('li[data-marketplace=postmart]').textContent(), { timeout: 15_000 }).toContain('100% · Đủ điều kiện đăng bán');
    await shot(page, '06b-product-photo');

    const token = await login(product.url, 'canbo.thieuhoa');
    const photos = await api<{ items: { status: string; source?: { width: number; height: number } }[] }>(product.url, `/products/${productId}/photos`, token);
    expect(photos.body.items).toEqual([expect.objectContaining({ status: 'ready', source: expect.objectContaining({ width: 2000, height: 1500 }) })]);
  }, 60_000);

  it('keeps a photo taken offline on the phone and uploads it when the connection returns', async () => {
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
    const [w, h] = [3000, 2000];
    const raw = Buffer.alloc(w * h * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 13 + Math.floor(i / (3 * w)) * 5) % 256;
    const jpeg = await sharp(raw, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
    await officer.setOffline(true);
    await page.getByLabel('Chọn ảnh có sẵn').setInputFiles({ name: 'mat-ong-2.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    await expect.poll(() => page.locator('main').textContent(), { timeout: 15_000 }).toContain('Ảnh đã được lưu trên máy');
    const counter = page.getByTestId('outbox-count');
    await expect.poll(() => counter.getAttribute('data-waiting'), { timeout: 15_000 }).toBe('1');
    // The waiting photo is on the product's page, shown from the phone.
    await expect.poll(() => page.getByTestId('waiting-photo').count(), { timeout: 15_000 }).toBe(1);
    const serverPhotos = () => page.locator('.gallery figure:not([data-testid=waiting-photo])').count();
    expect(await serverPhotos()).toBe(1);
    await shot(page, '06c-photo-queued-offline');

    // The connection drops during the first upload: the resend gets the same photo's link again (same key) and uploads once more.
    let puts = 0;
    let photoPosts = 0;
    await officer.route('**/api/v1/uploads/**', async (route) => {
      puts += 1;
      return puts === 1 ? route.abort('connectionreset') : route.continue();
    });
    await officer.route('**/api/v1/products/*/photos', async (route) => {
      if (route.request().method() === 'POST') photoPosts += 1;
      return route.continue();
    });
    await officer.setOffline(false);
    // The outbox counter leaves the bar once nothing waits.
    await expect.poll(async () => ((await counter.count()) ? await counter.getAttribute('data-waiting') : '0'), { timeout: 45_000 }).toBe('0');
    const token = await login(product.url, 'canbo.thieuhoa');
    await expect
      .poll(async () => (await api<{ items: { status: string; source?: { width: number } }[] }>(product.url, `/products/${productId}/photos`, token)).body.items.map((p) => `${p.status}:${p.source?.width}`), { timeout: 30_000 })
      .toEqual(['ready:2000', 'ready:2000']);
    expect([puts, photoPosts]).toEqual([2, 2]);
    // Sent in the background: the page now shows it from the server, without a reload.
    await expect.poll(() => page.getByTestId('waiting-photo').count(), { timeout: 15_000 }).toBe(0);
    await expect.poll(serverPhotos, { timeout: 15_000 }).toBe(2);
    await officer.unroute('**/api/v1/uploads/**');
    await officer.unroute('**/api/v1/products/*/photos');
  }, 90_000);

  it('redraws a seller account moved offline once it is sent, so the next move starts from the new state', async () => {
    await page.goto(`${product.url}/#/producers`);
    await page.getByRole('link', { name: new RegExp(producerName) }).first().click();
    const tiki = page.locator('[data-testid=accounts] li[data-marketplace=tiki]');
    await tiki.waitFor({ timeout: 15_000 });
    await officer.setOffline(true);
    await tiki.getByRole('button', { name: /Đã đăng ký/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Xác nhận' }).click();
    await expect.poll(() => tiki.textContent(), { timeout: 15_000 }).toContain('Thay đổi đang chờ gửi');
    await officer.setOffline(false);
    await expect.poll(() => tiki.textContent(), { timeout: 30_000 }).not.toContain('Thay đổi đang chờ gửi');
    expect(await tiki.locator('.chip').textContent()).toBe('Đã đăng ký');
    await tiki.getByRole('button', { name: /Đã xác minh/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Xác nhận' }).click();
    await expect.poll(() => tiki.locator('.chip').textContent(), { timeout: 15_000 }).toBe('Đã xác minh');
  }, 60_000);

  it('keeps producers registered offline in the outbox, syncs them exactly once even when an answer is lost, and holds a duplicate for the officer', async () => {
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
    await officer.setOffline(true);
    await page.goto(`${product.url}/#/producers/new`);
    const register = async (name: string, commune: string, communeName: RegExp, tel: string) => {
      await page.getByRole('heading', { name: 'Đăng ký chủ thể' }).waitFor();
      await page.getByLabel('Tên chủ thể').fill(name);
      await page.getByRole('combobox', { name: /Xã\/phường/ }).fill(commune);
      await page.getByRole('option', { name: communeName }).click();
      await page.getByLabel('Số điện thoại').fill(tel);
      await page.getByRole('button', { name: 'Lưu' }).click();
      await page.getByRole('heading', { name: 'Danh sách chủ thể' }).waitFor();
    };
    await register(offlineProducerName, 'thieu trung', /Xã Thiệu Trung/, phone(2));
    await page.getByRole('link', { name: 'Đăng ký chủ thể', exact: true }).click();
    await register(duplicateName, 'thieu hoa', /Xã Thiệu Hóa/, phone(1));
    const counter = page.getByTestId('outbox-count');
    await expect.poll(() => counter.getAttribute('data-waiting'), { timeout: 15_000 }).toBe('2');
    expect(await page.getByTestId('pending-producer').allTextContents()).toEqual([expect.stringContaining(offlineProducerName), expect.stringContaining(duplicateName)]);
    await shot(page, '07-offline-waiting');

    // The first send reaches the server but its answer is lost: the app must resend with the same key.
    let posts = 0;
    await officer.route('**/api/v1/producers', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      posts += 1;
      if (posts === 1) {
        await route.fetch();
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    await officer.setOffline(false);
    await expect.poll(() => counter.getAttribute('data-attention'), { timeout: 30_000 }).toBe('1');
    expect(await counter.getAttribute('data-waiting')).toBe('0');
    expect(posts).toBe(3);

    const token = await login(product.url, 'canbo.thieuhoa');
    const named = async (name: string) => (await api<{ items: { name: string; communeCode: string }[] }>(product.url, `/producers?q=${encodeURIComponent(name)}`, token)).body.items.filter((p) => p.name === name);
    expect(await named(offlineProducerName)).toEqual([expect.objectContaining({ communeCode: '15835' })]);
    expect(await named(duplicateName)).toEqual([]);

    await counter.click();
    const held = page.locator('[data-testid=outbox-list] li[data-state=attention]');
    await held.waitFor();
    expect(await held.textContent()).toContain('Chủ thể này có thể đã được đăng ký.');
    expect(await held.textContent()).toContain(producerName);
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);
    await shot(page, '08-outbox-duplicate');
    await held.getByRole('button', { name: 'Dùng chủ thể này' }).click();
    await page.getByTestId('outbox-empty').waitFor({ timeout: 15_000 });
    expect(await page.locator('main').textContent()).toContain('(máy chủ đã nhận từ lần gửi trước)');
    expect(await named(duplicateName)).toEqual([]);
    await shot(page, '09-outbox-synced');
    await officer.unroute('**/api/v1/producers');
  }, 90_000);

  let last = '';
  it('offers every producer of a big commune in the product form, and the one it was opened for already chosen', async () => {
    const token = await login(product.url, 'canbo.thieuhoa');
    for (let i = 0; i < 105; i++) {
      const res = await api<{ id: string }>(product.url, '/producers', token, { method: 'POST', body: { kind: 'household', name: `Hộ Thử Nhiều ${run}-${String(i).padStart(3, '0')}`, phone: `03${String(Number(run) * 1000 + i).padStart(8, '0').slice(-8)}`, communeCode: '15772', legalBasis: { type: 'state_management' } } });
      expect(res.status).toBe(201);
      last = res.body.id;
    }
    await page.goto(`${product.url}/#/producers/${last}`);
    await page.getByRole('link', { name: 'Thêm sản phẩm' }).click();
    const picker = page.getByLabel('Chủ thể');
    await expect.poll(() => picker.inputValue(), { timeout: 15_000 }).toBe(last);
    expect(await picker.locator('option').count()).toBeGreaterThan(105);

    // Registered offline, the product is listed as waiting until it is sent.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
    await officer.setOffline(true);
    await page.getByLabel('Tên sản phẩm').fill(`Gạo nếp cái hoa vàng ${run}`);
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.goto(`${product.url}/#/products`);
    await expect.poll(() => page.getByTestId('pending-product').allTextContents(), { timeout: 15_000 }).toEqual([expect.stringContaining(`Gạo nếp cái hoa vàng ${run}`)]);
    await officer.setOffline(false);
    const counter = page.getByTestId('outbox-count');
    await expect.poll(async () => ((await counter.count()) ? await counter.getAttribute('data-waiting') : '0'), { timeout: 45_000 }).toBe('0');
    const products = await api<{ items: { name: string }[] }>(product.url, `/products?producerId=${last}`, token);
    expect(products.body.items.map((p) => p.name)).toEqual([`Gạo nếp cái hoa vàng ${run}`]);
  }, 90_000);

  it('lets the officer correct a waiting producer the server held back, and sends it', async () => {
    const name = `Hộ Sửa Lại ${run}`;
    await officer.setOffline(true);
    await registerInThieuHoa(name, phone(1));
    await officer.setOffline(false);
    await page.goto(`${product.url}/#/outbox`);
    const held = page.locator('[data-testid=outbox-list] li[data-state=attention]', { hasText: name });
    await held.getByRole('link', { name: 'Sửa rồi gửi lại' }).click({ timeout: 30_000 });
    await expect.poll(() => page.getByLabel('Số điện thoại').inputValue()).toBe(phone(1));
    await page.getByLabel('Số điện thoại').fill(phone(8));
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.getByTestId('outbox-empty').waitFor({ timeout: 30_000 });
    const token = await login(product.url, 'canbo.thieuhoa');
    const found = await api<{ items: { name: string; phone: string }[] }>(product.url, `/producers?q=${encodeURIComponent(name)}`, token);
    expect(found.body.items).toEqual([expect.objectContaining({ name, phone: phone(8) })]);
  }, 90_000);

  it('builds offline edits of one producer on each other and sends them in order', async () => {
    await page.goto(`${product.url}/#/producers/${last}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    const token = await login(product.url, 'canbo.thieuhoa');
    const before = (await api<{ version: number }>(product.url, `/producers/${last}`, token)).body.version;
    await officer.setOffline(true);
    const edit = async (representative: string) => {
      await page.goto(`${product.url}/#/producers/${last}/edit`);
      await page.getByLabel('Người đại diện').fill(representative);
      await page.getByRole('button', { name: 'Lưu' }).click();
      await page.getByTestId('pending-changes').waitFor();
    };
    await edit('Lê Văn A');
    expect(await page.locator('main').textContent()).toContain('Lê Văn A');
    await page.goto(`${product.url}/#/producers/${last}/edit`);
    expect(await page.getByLabel('Người đại diện').inputValue()).toBe('Lê Văn A');
    await edit('Lê Văn B');
    await edit('Lê Văn A');
    await officer.setOffline(false);
    const counter = page.getByTestId('outbox-count');
    await expect.poll(async () => ((await counter.count()) ? `${await counter.getAttribute('data-waiting')}/${await counter.getAttribute('data-attention')}` : '0/0'), { timeout: 45_000 }).toBe('0/0');
    expect((await api<{ version: number; representative?: string }>(product.url, `/producers/${last}`, token)).body).toMatchObject({ representative: 'Lê Văn A', version: before + 3 });
  }, 90_000);

  it('when a waiting edit is refused and discarded, the next edit of the record goes on without it', async () => {
    const token = await login(product.url, 'canbo.thieuhoa');
    await page.goto(`${product.url}/#/producers/${last}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await officer.setOffline(true);
    const edit = async (label: string, value: string) => {
      await page.goto(`${product.url}/#/producers/${last}/edit`);
      await page.getByLabel(label).fill(value);
      await page.getByRole('button', { name: 'Lưu' }).click();
      await page.getByTestId('pending-changes').waitFor();
    };
    await edit('Người đại diện', 'Người Bị Từ Chối');
    await edit('Địa chỉ (thôn, xóm)', 'Thôn Mới');
    // Meanwhile someone else changes the producer: the first waiting edit is now stale.
    const current = (await api<{ version: number }>(product.url, `/producers/${last}`, token)).body;
    expect((await api(product.url, `/producers/${last}`, token, { method: 'PATCH', body: { version: current.version, taxCode: '2801234567' } })).status).toBe(200);
    await officer.setOffline(false);
    await page.goto(`${product.url}/#/outbox`);
    const refused = page.locator('[data-testid=outbox-list] li[data-state=attention]', { hasText: 'Hộ Thử Nhiều' }).first();
    await refused.getByRole('button', { name: 'Bỏ thay đổi này' }).click({ timeout: 30_000 });
    await page.getByRole('dialog').getByRole('button', { name: 'Bỏ thay đổi này' }).click();
    await page.getByRole('button', { name: 'Gửi ngay' }).click();
    // The second edit was built on the same stale version: it is offered on top of the latest one.
    const stale = page.locator('[data-testid=outbox-list] li[data-state=attention]');
    await stale.getByRole('button', { name: 'Cập nhật theo bản mới nhất rồi gửi lại' }).click({ timeout: 30_000 });
    await page.getByTestId('outbox-empty').waitFor({ timeout: 30_000 });
    expect((await api<{ address?: string; representative?: string; taxCode?: string }>(product.url, `/producers/${last}`, token)).body).toMatchObject({ address: 'Thôn Mới', taxCode: '2801234567', representative: 'Lê Văn A' });
  }, 90_000);

  it('lets the officer give a waiting product another producer when its own was discarded, and sends it', async () => {
    const productName = `Bánh răng bừa ${run}`;
    await officer.setOffline(true);
    // The phone of a producer registered earlier: once online, the server holds this one as a likely duplicate.
    await registerInThieuHoa(`Hộ Sẽ Bỏ ${run}`, phone(1));
    await page.getByTestId('pending-producer').filter({ hasText: `Hộ Sẽ Bỏ ${run}` }).getByRole('link', { name: 'Thêm sản phẩm' }).click();
    await page.getByLabel('Tên sản phẩm').fill(productName);
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.getByTestId('pending-product').filter({ hasText: productName }).waitFor();
    await officer.setOffline(false);
    await page.goto(`${product.url}/#/outbox`);
    const producerEntry = page.locator('[data-testid=outbox-list] li[data-state=attention]', { hasText: `Hộ Sẽ Bỏ ${run}` });
    await producerEntry.getByRole('button', { name: 'Bỏ thay đổi này' }).click({ timeout: 30_000 });
    await page.getByRole('dialog').getByRole('button', { name: 'Bỏ thay đổi này' }).click();
    await page.getByRole('button', { name: 'Gửi ngay' }).click();
    const held = page.locator('[data-testid=outbox-list] li[data-state=attention]', { hasText: productName });
    await held.waitFor({ timeout: 30_000 });
    expect(await held.textContent()).toContain('hãy chọn lại chủ thể');
    // The right producer is registered now, offline, after the product: the corrected product waits for it.
    const replacement = `Hộ Thay Thế ${run}`;
    await officer.setOffline(true);
    await registerInThieuHoa(replacement, phone(9));
    await page.goto(`${product.url}/#/outbox`);
    await held.getByRole('link', { name: 'Sửa rồi gửi lại' }).click();
    await expect.poll(() => page.getByLabel('Tên sản phẩm').inputValue()).toBe(productName);
    await page.getByLabel('Chủ thể').selectOption({ label: `${replacement} (Chờ gửi)` });
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.getByTestId('outbox-list').waitFor();
    await officer.setOffline(false);
    await page.getByRole('button', { name: 'Gửi ngay' }).click();
    await page.getByTestId('outbox-empty').waitFor({ timeout: 30_000 });
    const token = await login(product.url, 'canbo.thieuhoa');
    const created = (await api<{ items: { id: string; name: string }[] }>(product.url, `/producers?q=${encodeURIComponent(replacement)}`, token)).body.items;
    expect(created).toHaveLength(1);
    const products = await api<{ items: { name: string }[] }>(product.url, `/products?producerId=${created[0]!.id}`, token);
    expect(products.body.items.map((p) => p.name)).toEqual([productName]);
  }, 90_000);

  it('takes the photos of a product registered offline on the spot, and sends them after the product', async () => {
    const producerName = `Hộ Chụp Ảnh ${run}`;
    const productName = `Nem chua ${run}`;
    await officer.setOffline(true);
    await registerInThieuHoa(producerName, phone(6));
    await page.getByTestId('pending-producer').filter({ hasText: producerName }).getByRole('link', { name: 'Thêm sản phẩm' }).click();
    await page.getByLabel('Tên sản phẩm').fill(productName);
    await page.getByRole('button', { name: 'Lưu' }).click();
    const card = page.getByTestId('pending-product').filter({ hasText: productName });
    await card.waitFor();
    const jpeg = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#a04000' } }).jpeg().toBuffer();
    await card.getByLabel('Chọn ảnh có sẵn').setInputFiles({ name: 'nem.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    await expect.poll(() => card.getByTestId('pending-photos').textContent(), { timeout: 15_000 }).toBe('1 ảnh chờ gửi');
    // Back online the product goes through, but its photo's upload keeps failing for now.
    await officer.route('**/api/v1/uploads/**', (route) => route.abort('connectionreset'));
    await officer.setOffline(false);
    await page.goto(`${product.url}/#/outbox`);
    await page.getByRole('button', { name: 'Gửi ngay' }).click();
    const token = await login(product.url, 'canbo.thieuhoa');
    const productsOf = async () => {
      const producers = (await api<{ items: { id: string }[] }>(product.url, `/producers?q=${encodeURIComponent(producerName)}`, token)).body.items;
      return producers.length ? (await api<{ items: { id: string; name: string }[] }>(product.url, `/products?producerId=${producers[0]!.id}`, token)).body.items : [];
    };
    await expect.poll(async () => (await productsOf()).map((p) => p.name), { timeout: 30_000 }).toEqual([productName]);
    const [created] = await productsOf();
    // The product's own page shows the photo still waiting on the phone.
    await page.goto(`${product.url}/#/products/${created!.id}`);
    await expect.poll(() => page.getByTestId('waiting-photo').count(), { timeout: 15_000 }).toBe(1);
    await officer.unroute('**/api/v1/uploads/**');
    await page.goto(`${product.url}/#/outbox`);
    await page.getByRole('button', { name: 'Gửi ngay' }).click();
    await page.getByTestId('outbox-empty').waitFor({ timeout: 30_000 });
    await expect.poll(async () => (await api<{ items: { status: string }[] }>(product.url, `/products/${created!.id}/photos`, token)).body.items.map((p) => p.status), { timeout: 30_000 }).toEqual(['ready']);
  }, 90_000);

  it("shows a record's history newest first, 50 at a time, with older changes on demand", async () => {
    const token = await login(product.url, 'canbo.thieuhoa');
    const made = await api<{ id: string; version: number }>(product.url, '/producers', token, { method: 'POST', body: { kind: 'household', name: `Hộ Nhiều Lần Sửa ${run}`, communeCode: '15772', phone: phone(7), legalBasis: { type: 'state_management' } } });
    expect(made.status).toBe(201);
    let version = made.body.version;
    for (let i = 1; i <= 54; i++) {
      const res = await api<{ version: number }>(product.url, `/producers/${made.body.id}`, token, { method: 'PATCH', body: { version, address: `Thôn ${i}` } });
      expect(res.status).toBe(200);
      version = res.body.version;
    }
    await page.goto(`${product.url}/#/producers/${made.body.id}`);
    const timeline = page.locator('ol.timeline > li');
    await expect.poll(() => timeline.count()).toBe(50);
    const more = page.getByRole('button', { name: 'Xem thêm' });
    expect(await timeline.first().textContent()).toContain('Cập nhật');
    await more.click();
    await expect.poll(() => timeline.count()).toBe(55);
    // The oldest entry, the registration, comes last, and nothing is left to load.
    expect(await timeline.last().textContent()).toContain('Tạo mới');
    expect(await more.count()).toBe(0);
  }, 90_000);
});

describe('cooperative', () => {
  it('is not offered the coverage dashboard, which is the province’s', async () => {
    const ctx = await phoneContext(browser);
    const coop = await ctx.newPage();
    await signIn(coop, product.url, 'htx.demo');
    expect(await coop.locator('nav a[href="#/dashboard"], .tiles a[href="#/dashboard"]').count()).toBe(0);
    await ctx.close();
  }, 60_000);

  it('lists its own products without commune or producer filters, which would narrow nothing', async () => {
    const ctx = await phoneContext(browser);
    const coop = await ctx.newPage();
    await signIn(coop, product.url, 'htx.demo');
    await coop.goto(`${product.url}/#/products`);
    await coop.getByLabel(/^Tìm theo tên sản phẩm/).waitFor();
    expect(await coop.getByLabel(/^Xã\/phường$/).count()).toBe(0);
    expect(await coop.getByLabel(/^Chủ thể$/).count()).toBe(0);
    expect(await coop.getByLabel(/^Sàn$/).count()).toBe(1);
    await ctx.close();
  }, 60_000);
});

describe('department dashboard', () => {
  it('shows the KPI tiles, the map of the 166 communes with the boundary attribution, and a sortable table', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
    const desk = await ctx.newPage();
    await desk.goto(product.url);
    await desk.getByLabel('Tên đăng nhập').fill('sct');
    await desk.getByLabel('Mật khẩu').fill('demo1234');
    await desk.getByRole('button', { name: 'Đăng nhập' }).click();
    await desk.getByRole('heading', { name: 'Tổng quan tiến độ' }).waitFor({ timeout: 20_000 });
    await expect.poll(() => desk.locator('[data-testid=commune-map] path').count(), { timeout: 20_000 }).toBe(166);
    expect(await desk.getByText('Ranh giới: sapnhap.bando.com.vn').isVisible()).toBe(true);
    // The map is one tab stop; the arrow keys move between communes and Enter picks one.
    const mapStop = desk.locator('[data-testid=commune-map] path[tabindex="0"]');
    expect(await mapStop.count()).toBe(1);
    await mapStop.focus();
    const focusedCode = () => desk.evaluate(() => document.activeElement?.getAttribute('data-code') ?? null);
    const first = await focusedCode();
    await desk.keyboard.press('ArrowRight');
    const second = await focusedCode();
    expect(second).not.toBeNull();
    expect(second).not.toBe(first);
    const box = async (code: string | null) => (await desk.locator(`[data-testid=commune-map] path[data-code="${code}"]`).boundingBox())!;
    expect((await box(second)).x + (await box(second)).width / 2).toBeGreaterThan((await box(first)).x + (await box(first)).width / 2);
    await desk.keyboard.press('Enter');
    const picked = await desk.locator(`[data-testid=commune-map] path[data-code="${second}"]`).getAttribute('aria-label');
    expect(await desk.locator('.map-info').textContent()).toContain(picked!.split(':')[0]);
    expect(await focusedCode()).toBe(second);
    expect(await desk.locator(`[data-testid=coverage-table] tr.selected`).getAttribute('data-code')).toBe(second);
    const source = await desk.getByTestId('coverage-source').getAttribute('data-source');
    expect(source).toBe('api');
    // The province's targets with where each stands, and the month-end figures over time.
    const targets = desk.locator('[data-testid=targets] li');
    await expect.poll(() => targets.count()).toBe(3);
    expect(await targets.first().textContent()).toMatch(/^Tỉ lệ SP OCOP đang bán \/ SP OCOP · Toàn tỉnh · Tất cả các sàn.*Hạn 31\/12\/2026.*Đạt .*% \/ 80%/);
    expect(await desk.locator('[data-testid=coverage-table] tfoot th').textContent()).toBe('Tổng cộng');
    // The export words the targets and the totals row as the screen does.
    const [coverageCsv] = await Promise.all([desk.waitForEvent('download'), desk.getByRole('button', { name: 'Tải CSV' }).click()]);
    const coverageLines = (await readFile((await coverageCsv.path())!)).toString('utf8').split('\r\n');
    expect(coverageLines.some((l) => l.replace(/^"/, '').startsWith('• Tỉ lệ SP OCOP đang bán / SP OCOP · Toàn tỉnh · hạn 31/12/2026: '))).toBe(true);
    expect(coverageLines.some((l) => l.startsWith(',Tổng cộng,'))).toBe(true);
    await expect.poll(() => desk.locator('[data-testid=trend-table] tbody tr').count(), { timeout: 15_000 }).toBeGreaterThan(0);

    await desk.getByRole('button', { name: 'Sắp xếp theo Chủ thể', exact: true }).click();
    const firstRow = desk.locator('[data-testid=coverage-table] tbody tr').first();
    expect(await firstRow.locator('th').textContent()).toBe('Xã Thiệu Hóa');
    expect(await desk.locator('th[aria-sort=descending]').textContent()).toContain('Chủ thể');
    // The producer and product lists for upward reports, as the server writes them.
    const [producersXlsx] = await Promise.all([desk.waitForEvent('download'), desk.getByRole('button', { name: 'Tải danh sách chủ thể (Excel)' }).click()]);
    expect(producersXlsx.suggestedFilename()).toMatch(/^danh-sach-chu-the-\d{4}-\d{2}-\d{2}\.xlsx$/);
    expect((await readFile((await producersXlsx.path())!)).subarray(0, 2).toString('latin1')).toBe('PK');
    const [productsCsv] = await Promise.all([desk.waitForEvent('download'), desk.getByRole('button', { name: 'Tải danh sách sản phẩm (CSV)' }).click()]);
    expect(productsCsv.suggestedFilename()).toMatch(/^danh-sach-san-pham-.*\.csv$/);
    const csvText = (await readFile((await productsCsv.path())!)).toString('utf8');
    expect(csvText.charCodeAt(0)).toBe(0xfeff);
    expect(csvText).toContain('Tên sản phẩm');
    // The demo province's products, one row each, below the title lines and the header.
    const lines = csvText.trim().split('\r\n');
    expect(lines.length - lines.findIndex((l) => l.includes('Tên sản phẩm')) - 1).toBeGreaterThan(0);
    expect(await unlabelledControls(desk)).toEqual([]);
    await desk.evaluate(() => window.scrollTo(0, 0));
    await shot(desk, '10-dashboard', false);
    // The department's home is the dashboard: reached from another screen, Back goes back there.
    await desk.goto(`${product.url}/#/producers`);
    await desk.getByRole('heading', { name: 'Danh sách chủ thể' }).waitFor({ timeout: 15_000 });
    await desk.locator('.brand a').click();
    await desk.getByRole('heading', { name: 'Tổng quan tiến độ' }).waitFor({ timeout: 15_000 });
    await desk.goBack();
    await desk.getByRole('heading', { name: 'Danh sách chủ thể' }).waitFor({ timeout: 15_000 });
    expect(new URL(desk.url()).hash).toBe('#/producers');
    await ctx.close();
  }, 60_000);
});
