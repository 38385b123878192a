import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, launchBrowser, login, pageWidth, shot, startLocal, unlabelledControls, signedInPhone, stopAll, type LocalProduct } from './support.ts';

let product: LocalProduct;
let browser: Browser;
let officer: BrowserContext;
let page: Page;
const run = Date.now().toString().slice(-6);
const phone = (n: number) => `09${String(Number(run) * 10 + n).padStart(8, '0').slice(-8)}`;
const fileName = `danh-sach-thieu-hoa-${run}.csv`;
const name = {
  current: `Hộ Lê Văn Nhập ${run}`,
  currentTrung: `Hộ Trịnh Thị Nhập ${run}`,
  oldName: `HTX Thiệu Trung Nhập ${run}`,
  split: `Hộ Nguyễn Văn Chọn ${run}`,
  invalid: `Hộ Sai Ngày ${run}`,
};

/**
 * An officer's list as they keep it: row 2 in a current commune, row 3 too, row 4 under an old
 * commune name that maps to one new commune, row 5 under the old town "TT. Thiệu Hóa" that was
 * split (Xã Thiệu Hóa, Xã Thiệu Quang, Xã Thiệu Trung: a person must choose), row 6 with a date
 * that does not exist.
 */
const csv = [
  'Tên chủ thể,SĐT,Xã/Phường,Huyện,Ngày tập huấn',
  `${name.current},${phone(1)},Xã Thiệu Hóa,,15/03/2025`,
  `${name.currentTrung},${phone(2)},Xã Thiệu Trung,,`,
  `${name.oldName},${phone(3)},Thiệu Trung,Thiệu Hóa,`,
  `${name.split},${phone(4)},TT. Thiệu Hóa,Thiệu Hóa,`,
  `${name.invalid},${phone(5)},Xã Thiệu Hóa,,31/02/2025`,
].join('\r\n');

async function producersIn(token: string, communeCode: string): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | null = null;
  do {
    const res: { status: number; body: { items: { name: string }[]; nextCursor: string | null } } = await api(product.url, `/producers?communeCode=${communeCode}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, token);
    expect(res.status).toBe(200);
    names.push(...res.body.items.map((p) => p.name));
    cursor = res.body.nextCursor;
  } while (cursor);
  return names.filter((n) => n.endsWith(` ${run}`)).sort();
}

beforeAll(async () => {
  [product, browser] = await Promise.all([startLocal(), launchBrowser()]);
  ({ context: officer, page } = await signedInPhone(browser, product.url, 'canbo.thieuhoa', { context: { acceptDownloads: true } }));
}, 120_000);

afterAll(() => stopAll(browser, product));

describe('importing a producer list from a spreadsheet on a 360 px phone (officer)', () => {
  it('opens from the home tile, names the columns a list needs, and refuses an empty file or being offline before sending anything', async () => {
    await page.getByRole('link', { name: 'Nhập danh sách từ Excel' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Nhập danh sách từ Excel');
    const fileField = page.getByLabel('Tệp danh sách (.xlsx hoặc .csv)');
    const hint = page.locator('.field[data-path=file] .hint');
    expect(await hint.textContent()).toContain('“Tên chủ thể” và “Xã/Phường”');
    await page.getByLabel('Sản phẩm, kèm chủ thể của sản phẩm').check();
    expect(await hint.textContent()).toContain('“Tên sản phẩm”, “Tên chủ thể” và “Xã/Phường”');
    await page.getByLabel('Chủ thể', { exact: true }).check();
    expect(await page.getByText('Chưa có gì được ghi vào hệ thống cho tới khi bạn xem kết quả kiểm tra và bấm xác nhận.').count()).toBe(1);
    await page.getByText('Chưa có lần nhập nào.').waitFor();

    await fileField.setInputFiles({ name: 'trong.csv', mimeType: 'text/csv', buffer: Buffer.alloc(0) });
    await page.getByRole('button', { name: 'Tải lên và kiểm tra' }).click();
    expect(await page.locator('.field[data-path=file] .field-error').textContent()).toBe('Tệp này trống (0 byte). Hãy chọn đúng tệp danh sách.');

    await fileField.setInputFiles({ name: fileName, mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
    await officer.setOffline(true);
    await page.getByRole('button', { name: 'Tải lên và kiểm tra' }).click();
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'cần có kết nối mạng' }).count()).toBe(1);
    await officer.setOffline(false);

    expect(await unlabelledControls(page)).toEqual([]);
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);
    await shot(page, 'imports-01-new');
    const token = await login(product.url, 'canbo.thieuhoa');
    expect(await producersIn(token, '15772')).toEqual([]);
  }, 60_000);

  it('uploads the list and shows the dry run: counts, the invalid row’s reason in Vietnamese, a commune to choose for the split one', async () => {
    await page.getByRole('button', { name: 'Tải lên và kiểm tra' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 15_000 }).toBe(fileName);
    const status = page.getByTestId('import-status');
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toBe('Đã kiểm tra 5 dòng; chờ bạn xác nhận.');
    expect(await status.getAttribute('aria-live')).toBe('polite');

    const counts = page.getByTestId('import-counts');
    await counts.waitFor();
    expect(await counts.locator('[data-outcome=new] dd').textContent()).toBe('3 dòng');
    expect(await counts.locator('[data-outcome=needs_decision] dd').textContent()).toBe('1 dòng');
    expect(await counts.locator('[data-outcome=invalid] dd').textContent()).toBe('1 dòng');
    expect(await counts.locator('[data-outcome=new] dt').textContent()).toBe('Mới, sẽ nhập');

    const invalid = page.getByTestId('invalid-rows').locator('li[data-row="6"]');
    expect(await invalid.textContent()).toContain('Dòng 6');
    expect(await invalid.locator('li').allTextContents()).toEqual(['Ngày tập huấn: không phải ngày (dd/mm/yyyy)']);

    // Before anything is written, the screen says on what basis the imported producers' personal data is kept.
    expect(await page.getByTestId('legal-basis').textContent()).toBe('Chủ thể mới được nhập sẽ có căn cứ lưu giữ thông tin cá nhân là “Phục vụ quản lý nhà nước”. Nếu chủ thể đã đồng ý cho lưu thông tin, hãy sửa căn cứ này trên trang của chủ thể sau khi nhập.');

    const commit = page.getByTestId('commit');
    expect(await commit.textContent()).toBe('Nhập 3 dòng');
    const decision = page.getByLabel(`Dòng 5: ${name.split} — xã/phường mới`);
    expect(await decision.inputValue()).toBe('');
    expect(await decision.locator('option').allTextContents()).toEqual(['Bỏ qua dòng này', 'Xã Thiệu Hóa (một phần)', 'Xã Thiệu Quang (một phần) — ngoài địa bàn của bạn', 'Xã Thiệu Trung (phần còn lại)']);
    expect(await decision.locator('option[value="15796"]').isDisabled()).toBe(true);
    await decision.selectOption('15835');
    await expect.poll(() => commit.textContent()).toBe('Nhập 4 dòng');

    expect(await unlabelledControls(page)).toEqual([]);
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);
    await shot(page, 'imports-02-preview');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Tải các dòng chưa nhập (Excel)' }).click()]);
    expect(download.suggestedFilename()).toBe(`danh-sach-thieu-hoa-${run}-dong-chua-nhap.xlsx`);
    const xlsx = await readFile(await download.path());
    expect(xlsx.subarray(0, 2).toString('latin1')).toBe('PK');
  }, 60_000);

  it('commits the new rows and the decided one after a confirmation, says it is starting until it knows how many rows, and says how many were written', async () => {
    // Every text the progress shows, in order.
    await page.evaluate(() => {
      const seen: string[] = ((window as unknown as { progressTexts: string[] }).progressTexts = []);
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid=progress] p')?.textContent;
        if (text && seen.at(-1) !== text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByTestId('commit').click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('heading').textContent()).toBe('Ghi 4 dòng vào hệ thống? Các dòng còn lại không được nhập.');
    await dialog.getByRole('button', { name: 'Nhập', exact: true }).click();
    await expect.poll(() => page.getByTestId('import-done').textContent().catch(() => null), { timeout: 30_000 }).toBe('Đã ghi 4 dòng vào hệ thống.');
    const progressTexts = await page.evaluate(() => (window as unknown as { progressTexts: string[] }).progressTexts);
    expect(progressTexts[0]).toBe('Đang bắt đầu…');
    expect(progressTexts.filter((text) => text.startsWith('Đã ghi 0 / 0'))).toEqual([]);
    expect(await page.getByTestId('import-status').textContent()).toBe('Đã nhập xong.');
    expect(await page.getByRole('link', { name: 'Danh sách chủ thể' }).getAttribute('href')).toBe('#/producers');
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);
    await shot(page, 'imports-03-done');

    // What was written, asked of the API: the producers in the communes the file and the officer chose, and nothing else.
    const token = await login(product.url, 'canbo.thieuhoa');
    expect(await producersIn(token, '15772')).toEqual([name.current]);
    expect(await producersIn(token, '15835')).toEqual([name.oldName, name.split, name.currentTrung].sort());
    const invalid = await api<{ items: { name: string }[] }>(product.url, `/producers?q=${encodeURIComponent(name.invalid)}`, token);
    expect(invalid.body.items.filter((p) => p.name === name.invalid)).toEqual([]);
  }, 60_000);

  it('lists the import among the recent ones, with its status and what it imported', async () => {
    await page.getByRole('link', { name: 'Nhập danh sách khác' }).click();
    const recent = page.getByTestId('recent-imports').locator('li');
    await expect.poll(() => recent.count(), { timeout: 15_000 }).toBe(1);
    const text = await recent.first().textContent();
    expect(text).toContain(fileName);
    expect(text).toContain('Đã nhập xong');
    // Once committed, what was imported (the decided row among it), not what would be.
    expect(text).toContain('Đã nhập 4 · Không hợp lệ: 1');
    expect(text).not.toContain('Mới, sẽ nhập');
    await recent.first().getByRole('link').click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(fileName);
    expect(await unlabelledControls(page)).toEqual([]);
  }, 60_000);

  it('says in Vietnamese which column a list lacks, and offers a new import', async () => {
    await page.goto(`${product.url}/#/imports`);
    await page.getByLabel('Tệp danh sách (.xlsx hoặc .csv)').setInputFiles({ name: `thieu-cot-${run}.csv`, mimeType: 'text/csv', buffer: Buffer.from(`Tên chủ thể,SĐT\r\nHộ Thiếu Cột ${run},${phone(6)}\r\n`, 'utf8') });
    await page.getByRole('button', { name: 'Tải lên và kiểm tra' }).click();
    await expect.poll(() => page.getByTestId('import-status').textContent().catch(() => null), { timeout: 20_000 }).toBe('Không nhập được.');
    expect(await page.getByRole('alert').textContent()).toBe('Tệp không có cột: “Xã/Phường”. Hãy thêm hoặc đặt lại tên cột rồi nhập lại.');
    expect(await page.getByRole('button', { name: 'Tiếp tục nhập' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Nhập danh sách khác' }).click();
    const recent = page.getByTestId('recent-imports').locator('li');
    await expect.poll(() => recent.count(), { timeout: 15_000 }).toBe(2);
    expect(await recent.first().textContent()).toContain('Bị lỗi');
  }, 60_000);

  it('says in Vietnamese, without the server’s English, that a workbook is damaged', async () => {
    await page.goto(`${product.url}/#/imports`);
    await page.getByLabel('Tệp danh sách (.xlsx hoặc .csv)').setInputFiles({ name: `hong-${run}.xlsx`, mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: Buffer.from('PK\x03\x04 cut short by a failed copy') });
    await page.getByRole('button', { name: 'Tải lên và kiểm tra' }).click();
    await expect.poll(() => page.getByTestId('import-status').textContent().catch(() => null), { timeout: 20_000 }).toBe('Không nhập được.');
    expect(await page.getByRole('alert').textContent()).toBe('Tệp Excel bị hỏng hoặc không đúng định dạng .xlsx. Hãy mở tệp bằng Excel, lưu lại thành .xlsx rồi nhập lại.');
    expect(await page.getByRole('link', { name: 'Nhập danh sách khác' }).count()).toBe(1);
  }, 60_000);

  it('discards that failed import after a confirmation, and it leaves the recent list', async () => {
    const recent = page.getByTestId('recent-imports');
    await page.getByRole('button', { name: 'Bỏ lần nhập này' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('heading').textContent()).toContain(`hong-${run}.xlsx`);
    await dialog.getByRole('button', { name: 'Bỏ lần nhập này' }).click();
    await expect.poll(() => recent.locator('li').count(), { timeout: 15_000 }).toBe(2);
    expect(await recent.textContent()).not.toContain(`hong-${run}.xlsx`);
    expect(await recent.textContent()).toContain(fileName);
  }, 60_000);
});

describe('sending the list straight to storage on another origin, as in the cloud (officer)', () => {
  it('declares the size, PUTs to the upload URL with its headers and no token, and waits for the file to arrive before showing the dry run', async () => {
    const list = Buffer.from(`Tên chủ thể,SĐT,Xã/Phường\r\nHộ Gửi Thẳng ${run},${phone(7)},Xã Thiệu Hóa\r\n`, 'utf8');
    const received: { headers: Record<string, string | string[] | undefined>; body: Buffer }[] = [];
    // Storage as S3 serves a presigned PUT: its own origin, CORS for the PUT, no answer body.
    const storage = createServer((req, res) => {
      const cors = { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'PUT', 'access-control-allow-headers': 'content-type' };
      if (req.method === 'OPTIONS') return void res.writeHead(200, cors).end();
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(200, { ...cors, etag: '"x"' }).end();
      });
    });
    await new Promise<void>((resolve) => storage.listen(0, '127.0.0.1', resolve));
    const storageUrl = `http://localhost:${(storage.address() as AddressInfo).port}`;
    let declared: unknown;
    // The local server answers its own upload route; point the answer at storage instead, as the cloud API does.
    await page.route('**/api/v1/imports', async (route) => {
      declared = route.request().postDataJSON();
      const res = await route.fetch();
      const body = await res.json();
      await route.fulfill({ response: res, json: { ...body, uploadUrl: `${storageUrl}/files/imports/${body.id}/source?X-Amz-Signature=abc`, headers: { 'content-type': 'application/octet-stream', 'content-length': String(list.length) }, expiresAt: new Date(Date.now() + 900_000).toISOString() } });
    });
    try {
      await page.goto(`${product.url}/#/imports`);
      await page.getByLabel('Tệp danh sách (.xlsx hoặc .csv)').setInputFiles({ name: `gui-thang-${run}.csv`, mimeType: 'text/csv', buffer: list });
      await page.getByRole('button', { name: 'Tải lên và kiểm tra' }).click();
      await expect.poll(() => page.getByTestId('import-status').textContent().catch(() => null), { timeout: 15_000 }).toBe('Đã gửi tệp; đang chờ máy chủ nhận tệp…');
      expect(declared).toMatchObject({ kind: 'producers', fileName: `gui-thang-${run}.csv`, bytes: list.length });
      expect(received).toHaveLength(1);
      expect(received[0]!.body.equals(list)).toBe(true);
      expect(received[0]!.headers).toMatchObject({ 'content-type': 'application/octet-stream', 'content-length': String(list.length) });
      expect(received[0]!.headers.authorization).toBeUndefined();
      expect(await page.getByLabel('Tệp danh sách (.xlsx hoặc .csv)').count()).toBe(0);

      // The file "arrives": here through the local server's own route, which starts the dry run as S3's event does in the cloud.
      const id = decodeURIComponent(/#\/imports\/([^/?]+)/.exec(page.url())![1]!);
      const token = await login(product.url, 'canbo.thieuhoa');
      const sent = await fetch(`${product.url}/api/v1/imports/${id}/file`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' }, body: new Uint8Array(received[0]!.body) });
      expect(sent.status).toBe(202);
      await expect.poll(() => page.getByTestId('import-status').textContent(), { timeout: 20_000 }).toBe('Đã kiểm tra 1 dòng; chờ bạn xác nhận.');
    } finally {
      await page.unroute('**/api/v1/imports');
      storage.close();
    }
  }, 60_000);
});
