import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, launchBrowser, login, pageWidth, phoneContext, shot, signIn, startLocal, unlabelledControls, stopAll, type LocalProduct } from './support.ts';

let product: LocalProduct;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let adminToken: string;
const run = Date.now().toString().slice(-6);
const officer = { username: `canbo.moi${run}`, password: `mat-khau-${run}` };
const cooperative = { username: `htx.moi${run}`, password: `mat-khau-${run}` };
const teaGroup = 'Tổ hợp tác chè Thiệu Trung';

type Target = { indicator: string; period: string; scope: string; marketplace: string; unit: string; value: number };
const keyOf = (t: Target) => `${t.indicator}#${t.marketplace}#${t.scope}#${t.period}`;
const trained: Target = { indicator: 'producersTrained/producers', period: '2027-12-31', scope: 'province', marketplace: 'all', unit: 'percent', value: 60.5 };
const hamRongVoso: Target = { indicator: 'productsLive', period: '2027-06-30', scope: '14758', marketplace: 'voso', unit: 'count', value: 1250 };

type User = { id: string; username: string; role: string; communes?: string[]; producerId?: string; disabled: boolean };
async function allUsers(): Promise<User[]> {
  const res = await api<{ items: User[]; nextCursor: string | null }>(product.url, '/users?limit=100', adminToken);
  expect(res.status).toBe(200);
  return res.body.items;
}

const card = (username: string) => page.locator(`li.user[data-username="${username}"]`);
const heading = () => page.getByRole('heading', { level: 1 }).textContent();

/** Creates a producer in Xã Thiệu Hóa through the API (as the administrator), distinct from any look-alike. */
async function newProducer(name: string, phone: string, extra: Record<string, unknown> = {}): Promise<{ id: string; version: number; citizenIdLast4?: string }> {
  const res = await api<{ id: string; version: number; citizenIdLast4?: string }>(product.url, '/producers', adminToken, { method: 'POST', body: { kind: 'household', name, phone, communeCode: '15772', legalBasis: { type: 'state_management' }, confirmDistinct: true, ...extra } });
  expect(res.status).toBe(201);
  return res.body;
}

/** Fills the create form's username and password (the role and scope are set by each test). */
async function fillAccount(account: { username: string; password: string }): Promise<void> {
  await page.getByLabel('Tên đăng nhập').fill(account.username);
  await page.getByLabel('Mật khẩu').fill(account.password);
}

/** Screen rows of the targets table, by key, as the administrator sees them. */
async function screenTargets(): Promise<string[]> {
  return (await page.locator('[data-testid=targets] tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.key!))).sort();
}

beforeAll(async () => {
  [product, browser] = await Promise.all([startLocal(), launchBrowser()]);
  adminToken = await login(product.url, 'admin', 'admin');
  context = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 1, locale: 'vi-VN' });
  page = await context.newPage();
  await signIn(page, product.url, 'admin', 'admin');
}, 120_000);

afterAll(() => stopAll(browser, product));

describe('users (administrator, 360 px)', () => {
  it('opens from the home tile; lists every user with role, scope and status; the admin’s own row cannot be disabled', async () => {
    await page.getByRole('link', { name: 'Quản lý người dùng' }).click();
    await expect.poll(heading).toBe('Người dùng');
    expect(await page.getByRole('navigation').getByRole('link').allTextContents()).toEqual(expect.arrayContaining(['Người dùng', 'Chỉ tiêu']));
    await card('canbo.thieuhoa').waitFor();
    await expect.poll(() => card('canbo.thieuhoa').textContent()).toContain('Xã Thiệu Hóa, Xã Thiệu Trung');
    expect(await card('canbo.thieuhoa').textContent()).toContain('Cán bộ');
    expect(await card('canbo.thieuhoa').textContent()).toContain('Đang hoạt động');
    await expect.poll(() => card('htx.demo').textContent()).toContain('HTX Nông nghiệp Thiệu Hóa');
    expect(await card('sct').textContent()).toContain('Toàn tỉnh');
    expect(await card('sct').getByRole('button', { name: 'Khóa tài khoản sct' }).count()).toBe(1);
    expect(await card('admin').textContent()).toContain('(bạn)');
    expect(await card('admin').getByRole('button').count()).toBe(0);
    // Only the officer's role asks for communes, only the cooperative's for a producer.
    expect(await page.getByRole('combobox', { name: 'Xã/phường phụ trách' }).isVisible()).toBe(true);
    expect(await page.getByLabel('Chủ thể của tài khoản HTX').isVisible()).toBe(false);
    expect(await page.locator('.field[data-path=password] .hint').textContent()).toContain('Ít nhất 8 ký tự');
    expect(await unlabelledControls(page)).toEqual([]);
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);
    await shot(page, 'admin-01-users');
  }, 60_000);

  it('refuses an officer without a commune before sending anything', async () => {
    await fillAccount(officer);
    await page.getByLabel(/^Vai trò/).selectOption('officer');
    await page.getByRole('button', { name: 'Tạo tài khoản' }).click();
    expect(await page.locator('.field[data-path=communes] .field-error').textContent()).toBe('Cán bộ cần được giao ít nhất một xã/phường.');
    expect(await page.getByRole('combobox', { name: 'Xã/phường phụ trách' }).getAttribute('aria-invalid')).toBe('true');
    expect((await allUsers()).map((u) => u.username)).not.toContain(officer.username);
  });

  it('creates an officer with two communes (one picked with the mouse, one with the keyboard); the officer’s scope is exactly those', async () => {
    const picker = page.getByRole('combobox', { name: 'Xã/phường phụ trách' });
    await picker.fill('thieu hoa');
    await page.getByRole('option', { name: /Xã Thiệu Hóa/ }).first().click();
    await picker.fill('thieu trung');
    await page.getByRole('option', { name: /Xã Thiệu Trung/ }).first().waitFor();
    await picker.press('Enter');
    const chosen = page.getByTestId('chosen-communes');
    await expect.poll(() => chosen.locator('li').allTextContents()).toEqual(['Xã Thiệu HóaBỏ', 'Xã Thiệu TrungBỏ']);
    expect(await chosen.getByRole('button', { name: 'Bỏ Xã Thiệu Hóa' }).count()).toBe(1);
    expect(await page.locator('.field[data-path=communes] .field-error').isHidden()).toBe(true);
    await page.getByRole('button', { name: 'Tạo tài khoản' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: `Đã tạo tài khoản ${officer.username}.` }).count()).toBeGreaterThan(0);
    await expect.poll(() => card(officer.username).textContent()).toContain('Xã Thiệu Hóa, Xã Thiệu Trung');
    expect(await chosen.locator('li').count()).toBe(0);

    const token = await login(product.url, officer.username, officer.password);
    const me = await api<User>(product.url, '/auth/me', token);
    expect(me.body).toMatchObject({ username: officer.username, role: 'officer', communes: ['15772', '15835'] });
    await shot(page, 'admin-02-officer-created');
  }, 60_000);

  it('says in Vietnamese, on the field, that a username is taken', async () => {
    await fillAccount(officer);
    await page.getByLabel(/^Vai trò/).selectOption('department');
    await page.getByRole('button', { name: 'Tạo tài khoản' }).click();
    await expect.poll(() => page.locator('.field[data-path=username] .field-error').textContent()).toBe('Tên đăng nhập đã có người dùng.');
    expect(await page.getByRole('alert').filter({ hasText: 'Tên đăng nhập đã có người dùng.' }).count()).toBe(1);
    expect((await allUsers()).filter((u) => u.username === officer.username)).toHaveLength(1);
  });

  it('creates a cooperative account bound to its producer, and refuses one without it', async () => {
    await fillAccount(cooperative);
    await page.getByLabel(/^Vai trò/).selectOption('cooperative');
    expect(await page.getByRole('combobox', { name: 'Xã/phường phụ trách' }).isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Tạo tài khoản' }).click();
    expect(await page.locator('.field[data-path=producerId] .field-error').textContent()).toBe('Tài khoản HTX cần gắn với một chủ thể.');

    const picker = page.getByRole('combobox', { name: /^Chủ thể của tài khoản HTX/ });
    expect(await picker.getAttribute('aria-invalid')).toBe('true');

    const found = await api<{ items: { id: string; name: string }[] }>(product.url, `/producers?q=${encodeURIComponent('che thieu trung')}`, adminToken);
    const tea = found.body.items.find((p) => p.name === teaGroup)!;
    await picker.fill('che thieu');
    const option = page.getByRole('listbox').getByRole('option', { name: `${teaGroup} · Xã Thiệu Trung` });
    await option.waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);
    await shot(page, 'admin-02b-cooperative-producer-search', false);
    await option.click();
    expect(await picker.inputValue()).toBe(`${teaGroup} · Xã Thiệu Trung`);
    expect(await page.locator('input[name=producerId]').inputValue()).toBe(tea.id);
    await page.getByRole('button', { name: 'Tạo tài khoản' }).click();
    await expect.poll(() => card(cooperative.username).textContent()).toContain(teaGroup);
    expect(await card(cooperative.username).textContent()).toContain('HTX / chủ thể');

    const me = await api<User>(product.url, '/auth/me', await login(product.url, cooperative.username, cooperative.password));
    expect(me.body).toMatchObject({ role: 'cooperative', producerId: tea.id });
    expect(me.body.communes ?? []).toEqual([]);
    // The form is emptied for the next account.
    expect(await picker.inputValue()).toBe('');
    expect(await page.locator('input[name=producerId]').inputValue()).toBe('');
  }, 60_000);

  it('disables a user after confirmation (its sign-in and token then fail) and enables it again', async () => {
    const token = await login(product.url, officer.username, officer.password);
    await card(officer.username).getByRole('button', { name: `Khóa tài khoản ${officer.username}` }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('heading').textContent()).toContain(`Khóa tài khoản ${officer.username}?`);
    await shot(page, 'admin-03-confirm-disable', false);
    await dialog.getByRole('button', { name: 'Khóa tài khoản' }).click();
    await expect.poll(() => card(officer.username).textContent()).toContain('Đã khóa');
    // Focus lands on the redrawn row's button, now the one that enables it again.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(`Mở khóa tài khoản ${officer.username}`);
    const refused = await api(product.url, '/auth/login', undefined, { method: 'POST', body: officer });
    expect(refused.status).toBe(401);
    expect((await api(product.url, '/auth/me', token)).status).toBe(401);
    expect((await allUsers()).find((u) => u.username === officer.username)?.disabled).toBe(true);

    await card(officer.username).getByRole('button', { name: `Mở khóa tài khoản ${officer.username}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Mở khóa' }).click();
    await expect.poll(() => card(officer.username).textContent()).toContain('Đang hoạt động');
    expect(await login(product.url, officer.username, officer.password)).toEqual(expect.any(String));
    expect((await allUsers()).find((u) => u.username === officer.username)?.disabled).toBe(false);
  }, 60_000);

  it('moves the officer to other communes in place of its card; its token has the new scope at once', async () => {
    const token = await login(product.url, officer.username, officer.password);
    await card(officer.username).getByRole('button', { name: `Sửa vai trò và phạm vi của ${officer.username}` }).click();
    const form = page.getByRole('form', { name: `Sửa vai trò và phạm vi của ${officer.username}` });
    expect(await form.getByLabel(/^Vai trò/).inputValue()).toBe('officer');
    const chosen = form.getByTestId('chosen-communes');
    expect(await chosen.locator('li').allTextContents()).toEqual(['Xã Thiệu HóaBỏ', 'Xã Thiệu TrungBỏ']);
    await chosen.getByRole('button', { name: 'Bỏ Xã Thiệu Hóa' }).click();
    const picker = form.getByRole('combobox', { name: 'Xã/phường phụ trách' });
    await picker.fill('ham rong');
    await page.getByRole('option', { name: /Phường Hàm Rồng/ }).first().click();
    // A cooperative needs its producer: checked before sending, and nothing changes.
    await form.getByLabel(/^Vai trò/).selectOption('cooperative');
    await form.getByRole('button', { name: 'Lưu' }).click();
    expect(await form.locator('.field[data-path=producerId] .field-error').textContent()).toBe('Tài khoản HTX cần gắn với một chủ thể.');
    await form.getByLabel(/^Vai trò/).selectOption('officer');
    await shot(page, 'admin-03b-edit-scope', false);
    await form.getByRole('button', { name: 'Lưu' }).click();

    await expect.poll(() => card(officer.username).textContent()).toContain('Phường Hàm Rồng, Xã Thiệu Trung');
    expect(await page.getByRole('status').filter({ hasText: `Đã lưu vai trò và phạm vi của ${officer.username}.` }).count()).toBeGreaterThan(0);
    expect((await api<User>(product.url, '/auth/me', token)).body).toMatchObject({ role: 'officer', communes: ['14758', '15835'] });
  }, 60_000);

  it("opens a cooperative account's form with its producer chosen, and saving it unchanged changes nothing", async () => {
    const before = (await allUsers()).find((u) => u.username === cooperative.username)! as User & { version: number };
    await card(cooperative.username).getByRole('button', { name: `Sửa vai trò và phạm vi của ${cooperative.username}` }).click();
    const form = page.getByRole('form', { name: `Sửa vai trò và phạm vi của ${cooperative.username}` });
    const picker = form.getByRole('combobox', { name: /^Chủ thể của tài khoản HTX/ });
    await expect.poll(() => picker.inputValue()).toBe(`${teaGroup} · Xã Thiệu Trung`);
    expect(await form.locator('input[name=producerId]').inputValue()).toBe(before.producerId);
    expect(await form.getByTestId('chosen-producer').textContent()).toBe(`Đã chọn: ${teaGroup} · Xã Thiệu Trung`);
    await form.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => card(cooperative.username).textContent()).toContain(teaGroup);
    expect((await allUsers()).find((u) => u.username === cooperative.username)).toMatchObject({ role: 'cooperative', producerId: before.producerId, version: before.version });
  }, 60_000);

  it('does not overwrite a change someone saved meanwhile: it says so and shows the user as it now is', async () => {
    await card(officer.username).getByRole('button', { name: `Sửa vai trò và phạm vi của ${officer.username}` }).click();
    const form = page.getByRole('form', { name: `Sửa vai trò và phạm vi của ${officer.username}` });
    const current = (await allUsers()).find((u) => u.username === officer.username)! as User & { version: number };
    const meanwhile = await api(product.url, `/users/${current.id}`, adminToken, { method: 'PATCH', body: { version: current.version, role: 'department' } });
    expect(meanwhile.status).toBe(200);
    await form.getByTestId('chosen-communes').getByRole('button', { name: 'Bỏ Phường Hàm Rồng' }).click();
    await form.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Bản ghi vừa được người khác sửa' }).count()).toBeGreaterThan(0);
    await expect.poll(() => card(officer.username).textContent()).toContain('Sở (xem, báo cáo)');
    expect((await allUsers()).find((u) => u.username === officer.username)).toMatchObject({ role: 'department' });
  }, 60_000);
  // That its sessions end is tested in test/integration/sign-out.test.ts, where the clock decides which second a token is from.
  it("resets a cooperative user's forgotten password in place of its card: the old password stops working, the new one signs in", async () => {
    const label = `Đặt lại đăng nhập của ${cooperative.username}`;
    await card(cooperative.username).getByRole('button', { name: label }).click();
    const form = page.getByRole('form', { name: label });
    // Locally there is no authenticator app to forget.
    expect(await form.getByRole('checkbox').count()).toBe(0);
    await form.getByRole('button', { name: 'Đặt lại', exact: true }).click();
    expect(await form.locator('.field[data-path=password] .field-error').textContent()).toBe('Bắt buộc.');
    await form.getByLabel(/^Mật khẩu mới/).fill(`moi-${cooperative.password}`);
    await shot(page, 'admin-03c-reset-sign-in', false);
    await form.getByRole('button', { name: 'Đặt lại', exact: true }).click();

    await expect.poll(() => page.getByRole('status').filter({ hasText: `Đã đặt lại đăng nhập của ${cooperative.username}.` }).count()).toBeGreaterThan(0);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(label);
    expect((await api(product.url, '/auth/login', undefined, { method: 'POST', body: cooperative })).status).toBe(401);
    expect(await login(product.url, cooperative.username, `moi-${cooperative.password}`)).toEqual(expect.any(String));
  }, 60_000);
});

describe('targets (administrator, 360 px)', () => {
  it('adds two targets, refuses a duplicate, saves, and shows them after a reload', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Chỉ tiêu' }).click();
    await expect.poll(heading).toBe('Chỉ tiêu');
    const before = (await api<{ items: Target[] }>(product.url, '/targets', adminToken)).body.items;
    await expect.poll(screenTargets).toEqual(before.map(keyOf).sort());
    // Where a saved target stands, from the province report.
    const ocop = page.locator('tr[data-key="ocopLive/productsOcop#all#province#2026-12-31"]');
    expect(await ocop.locator('th').textContent()).toBe('Tỉ lệ SP OCOP đang bán / SP OCOP');
    expect(await ocop.locator('td').nth(4).textContent()).toMatch(/^Đạt .+ \/ 80%/);

    const add = async (t: Target, label: string) => {
      await page.getByLabel('Chỉ tiêu', { exact: true }).selectOption(t.indicator);
      if (t.scope === 'province') await page.getByRole('radio', { name: 'Toàn tỉnh' }).check();
      else {
        await page.getByRole('radio', { name: 'Một xã/phường' }).check();
        await page.getByRole('combobox', { name: /Xã\/phường/ }).fill(label);
        await page.getByRole('option', { name: /Phường Hàm Rồng/ }).first().click();
      }
      await page.getByLabel('Sàn', { exact: true }).selectOption(t.marketplace);
      await page.getByLabel('Hạn (dd/mm/yyyy)').fill(t.period.split('-').reverse().join('/'));
      expect(await page.getByLabel('Đơn vị').inputValue()).toBe(t.unit);
      // Typed as Vietnamese writes numbers: thousands with dots, a decimal comma.
      await page.getByLabel('Giá trị').fill(t.unit === 'count' ? t.value.toLocaleString('vi-VN') : String(t.value).replace('.', ','));
      await page.getByRole('button', { name: 'Thêm vào danh sách' }).click();
    };
    await add(trained, '');
    await add(hamRongVoso, 'ham rong');
    await expect.poll(() => page.getByTestId('targets-status').textContent()).toBe('2 thay đổi chưa lưu.');
    await add(trained, '');
    expect(await page.getByRole('alert').filter({ hasText: 'Trùng với một chỉ tiêu khác' }).count()).toBe(1);
    const row = page.locator(`tr[data-key="${keyOf(hamRongVoso)}"]`);
    expect(await row.locator('th, td').allTextContents()).toEqual(['Số sản phẩm đang bán Chưa lưu', 'Phường Hàm Rồng', 'Voso', '30/06/2027', '1.250', '—', 'Bỏ']);
    expect(await unlabelledControls(page)).toEqual([]);
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);
    await shot(page, 'admin-04-targets-added');

    await page.getByRole('button', { name: 'Lưu chỉ tiêu' }).click();
    await expect.poll(() => page.getByTestId('targets-status').textContent()).toBe('');
    const saved = (await api<{ items: Target[] }>(product.url, '/targets', adminToken)).body.items;
    expect(saved.map(keyOf).sort()).toEqual([...before.map(keyOf), keyOf(trained), keyOf(hamRongVoso)].sort());
    expect(saved.find((t) => keyOf(t) === keyOf(hamRongVoso))).toEqual(hamRongVoso);

    await page.reload();
    await expect.poll(heading).toBe('Chỉ tiêu');
    await expect.poll(screenTargets).toEqual(saved.map(keyOf).sort());
    expect(await row.locator('td').nth(3).textContent()).toBe('1.250');
    expect(await page.locator(`tr[data-key="${keyOf(trained)}"] td`).nth(3).textContent()).toBe('60,5%');
  }, 90_000);

  it('removes one and saves: the API holds exactly what the screen shows', async () => {
    await page.locator(`tr[data-key="${keyOf(trained)}"]`).getByRole('button', { name: /^Bỏ chỉ tiêu/ }).click();
    await expect.poll(() => page.getByTestId('targets-status').textContent()).toBe('1 thay đổi chưa lưu.');
    await page.getByRole('button', { name: 'Lưu chỉ tiêu' }).click();
    await expect.poll(() => page.getByTestId('targets-status').textContent()).toBe('');
    await page.reload();
    await expect.poll(heading).toBe('Chỉ tiêu');
    const held = (await api<{ items: Target[] }>(product.url, '/targets', adminToken)).body.items;
    expect(held.map(keyOf)).not.toContain(keyOf(trained));
    expect(held.map(keyOf)).toContain(keyOf(hamRongVoso));
    await expect.poll(screenTargets).toEqual(held.map(keyOf).sort());
  }, 60_000);

  it('puts a removed target back with another value as a change not saved, measured against the new value; once saved, only the saved toast shows', async () => {
    const accounts: Target = { indicator: 'producersWithAccount', period: '2026-12-31', scope: 'province', marketplace: 'all', unit: 'count', value: 500 };
    // Producers with an account, so the target stands somewhere other than at 0.
    for (const n of [1, 2, 3]) {
      const seller = await newProducer(`Hộ có tài khoản ${n} ${run}`, `08${run}1${n}`);
      expect((await api(product.url, `/producers/${seller.id}/accounts/voso`, adminToken, { method: 'PUT', body: { status: 'registered' } })).status).toBe(200);
    }
    await page.reload();
    await expect.poll(heading).toBe('Chỉ tiêu');
    const report = await api<{ targets: (Target & { current: number })[] }>(product.url, '/coverage?by=province', adminToken);
    const current = report.body.targets.find((t) => keyOf(t) === keyOf(accounts))!.current;
    expect(current).toBeGreaterThan(0);
    const against8 = `${String(Math.round((1000 * current) / 8) / 10).replace('.', ',')}%`;
    const row = page.locator(`tr[data-key="${keyOf(accounts)}"]`);
    expect(await row.locator('td').nth(4).textContent()).toBe(`Đạt ${current} / 500 (${String(Math.round((1000 * current) / 500) / 10).replace('.', ',')}%)`);

    await row.getByRole('button', { name: /^Bỏ chỉ tiêu/ }).click();
    await page.getByLabel('Chỉ tiêu', { exact: true }).selectOption(accounts.indicator);
    await page.getByRole('radio', { name: 'Toàn tỉnh' }).check();
    await page.getByLabel('Sàn', { exact: true }).selectOption('all');
    await page.getByLabel('Hạn (dd/mm/yyyy)').fill('31/12/2026');
    await page.getByLabel('Giá trị').fill('8');
    await page.getByRole('button', { name: 'Thêm vào danh sách' }).click();
    await expect.poll(() => row.locator('th').textContent()).toBe('Số chủ thể có tài khoản sàn Chưa lưu');
    expect(await row.locator('td').nth(4).textContent()).toBe(`Đạt ${current} / 8 (${against8})`);
    expect(await page.getByTestId('targets-status').textContent()).toBe('1 thay đổi chưa lưu.');
    expect(await page.locator('#toasts').textContent()).toContain('Đã thêm vào danh sách');

    await page.getByRole('button', { name: 'Lưu chỉ tiêu' }).click();
    await expect.poll(() => page.getByTestId('targets-status').textContent()).toBe('');
    await expect.poll(() => page.locator('#toasts').textContent()).toContain('Đã lưu chỉ tiêu.');
    expect(await page.locator('#toasts').textContent()).not.toContain('Đã thêm vào danh sách');
    expect(await row.locator('th, td').allTextContents()).toEqual(['Số chủ thể có tài khoản sàn', 'Toàn tỉnh', 'Tất cả các sàn', '31/12/2026', '8', `Đạt ${current} / 8 (${against8})`, 'Bỏ']);
  }, 60_000);

  it('asks before leaving with unsaved changes, and staying keeps them; once saved, leaves without asking', async () => {
    const status = () => page.getByTestId('targets-status').textContent();
    const asked: string[] = [];
    const answer = (how: 'dismiss' | 'accept') => page.once('dialog', (d) => void (asked.push(`${d.type()}: ${d.message()}`), d[how]()));
    await page.locator(`tr[data-key="${keyOf(hamRongVoso)}"]`).getByRole('button', { name: /^Bỏ chỉ tiêu/ }).click();
    await expect.poll(status).toBe('1 thay đổi chưa lưu.');

    answer('dismiss');
    await page.getByRole('navigation').getByRole('link', { name: 'Người dùng' }).click();
    await expect.poll(() => asked).toEqual(['confirm: Còn 1 thay đổi chỉ tiêu chưa lưu. Rời trang này thì các thay đổi đó sẽ mất. Vẫn rời trang?']);
    // The browser goes back to this view's entry (asynchronously).
    await expect.poll(() => new URL(page.url()).hash).toBe('#/admin/targets');
    expect(await heading()).toBe('Chỉ tiêu');
    expect(await status()).toBe('1 thay đổi chưa lưu.');
    expect(await screenTargets()).not.toContain(keyOf(hamRongVoso));

    answer('dismiss');
    await page.close({ runBeforeUnload: true });
    await expect.poll(() => asked.at(-1)).toMatch(/^beforeunload:/);
    expect(page.isClosed()).toBe(false);
    expect(await status()).toBe('1 thay đổi chưa lưu.');

    await page.getByRole('button', { name: 'Lưu chỉ tiêu' }).click();
    await expect.poll(status).toBe('');
    expect((await api<{ items: Target[] }>(product.url, '/targets', adminToken)).body.items.map(keyOf)).not.toContain(keyOf(hamRongVoso));
    await page.getByRole('navigation').getByRole('link', { name: 'Người dùng' }).click();
    await expect.poll(heading).toBe('Người dùng');
    expect(asked).toHaveLength(2);
  }, 60_000);

  it('staying after the Back button or a link keeps the history as it was: no entry is lost or doubled', async () => {
    const status = () => page.getByTestId('targets-status').textContent();
    const hash = () => new URL(page.url()).hash;
    const asked: string[] = [];
    const answer = (how: 'dismiss' | 'accept') => page.once('dialog', (d) => void (asked.push(d.type()), d[how]()));
    // On the users page: targets makes a second entry.
    await page.getByRole('navigation').getByRole('link', { name: 'Chỉ tiêu' }).click();
    await expect.poll(heading).toBe('Chỉ tiêu');
    await page.locator('tr[data-key]').first().getByRole('button', { name: /^Bỏ chỉ tiêu/ }).click();
    await expect.poll(status).toBe('1 thay đổi chưa lưu.');

    answer('dismiss');
    await page.evaluate(() => history.back());
    await expect.poll(() => asked).toEqual(['confirm']);
    await expect.poll(hash).toBe('#/admin/targets');
    answer('dismiss');
    await page.getByRole('navigation').getByRole('link', { name: 'Người dùng' }).click();
    await expect.poll(() => asked).toEqual(['confirm', 'confirm']);
    await expect.poll(hash).toBe('#/admin/targets');
    expect(await status()).toBe('1 thay đổi chưa lưu.');

    answer('accept');
    await page.getByRole('navigation').getByRole('link', { name: 'Người dùng' }).click();
    await expect.poll(heading).toBe('Người dùng');
    // Users, targets, users: each Back goes one page back, as if nothing had been called off.
    await page.evaluate(() => history.back());
    await expect.poll(heading).toBe('Chỉ tiêu');
    expect(hash()).toBe('#/admin/targets');
    await page.evaluate(() => history.back());
    await expect.poll(heading).toBe('Người dùng');
    expect(hash()).toBe('#/admin/users');
    expect(asked).toEqual(['confirm', 'confirm', 'confirm']);
  }, 60_000);
});

describe('creating users where sign-in is Cognito', () => {
  it('says the account is made in Cognito with two-step set-up at first sign-in, and checks the pool’s password policy before sending', async () => {
    const cloud = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'vi-VN', serviceWorkers: 'block' });
    const p = await cloud.newPage();
    await signIn(p, product.url, 'admin', 'admin');
    // The same local API, but the web config says Cognito (the session already held is used as it is).
    await cloud.route('**/config.json', (route) => route.fulfill({ json: { apiBase: '/api/v1', auth: { mode: 'cognito', region: 'ap-southeast-1', userPoolId: 'ap-southeast-1_test', clientId: 'test', tokenUse: 'access' } } }));
    await p.goto(`${product.url}/#/admin/users`);
    await p.reload();
    await expect.poll(() => p.getByRole('heading', { level: 1 }).textContent()).toBe('Người dùng');
    expect(await p.getByTestId('cognito-note').textContent()).toContain('thiết lập xác thực hai bước');
    expect(await p.locator('.field[data-path=password] .hint').textContent()).toBe('Ít nhất 12 ký tự, có chữ thường, chữ hoa, chữ số và ký hiệu.');
    await p.getByLabel('Tên đăng nhập').fill(`canbo.cloud${run}`);
    await p.getByLabel('Mật khẩu').fill('matkhau-dai-12');
    await p.getByRole('combobox', { name: 'Xã/phường phụ trách' }).fill('ham rong');
    await p.getByRole('option', { name: /Phường Hàm Rồng/ }).first().click();
    await p.getByRole('button', { name: 'Tạo tài khoản' }).click();
    expect(await p.locator('.field[data-path=password] .field-error').textContent()).toBe('Ít nhất 12 ký tự, có chữ thường, chữ hoa, chữ số và ký hiệu.');
    expect((await allUsers()).map((u) => u.username)).not.toContain(`canbo.cloud${run}`);
    await cloud.close();
  }, 60_000);
});

describe('correcting a producer’s citizen ID (only its last 4 digits are kept)', () => {
  it('says which one is kept, takes a new one typed in, refuses a malformed one, and removes it when asked', async () => {
    type Producer = { id: string; version: number; citizenIdLast4?: string };
    const created = await newProducer(`Hộ làm nón ${run}`, `09${run}77`, { citizenId: '038085001234' });
    expect(created.citizenIdLast4).toBe('1234');
    const producer = () => api<Producer>(product.url, `/producers/${created.id}`, adminToken).then((r) => r.body);
    const edit = async () => {
      await page.goto(`${product.url}/#/producers/${created.id}/edit`);
      await page.getByLabel(/^Số CCCD\/CMND/).waitFor();
    };
    /** Saves the form and waits until the app has shown the producer's page (not only until the API has the change). */
    const save = async () => {
      await page.getByRole('button', { name: 'Lưu' }).click();
      await expect.poll(() => page.url()).toMatch(new RegExp(`#/producers/${created.id}$`));
    };

    await edit();
    expect(await page.locator('.field[data-path=citizenId] .hint').textContent()).toBe('Đang lưu số kết thúc bằng 1234. Nhập số mới để sửa; để trống thì giữ nguyên.');
    expect(await page.getByLabel(/^Số CCCD\/CMND/).inputValue()).toBe('');
    await page.getByLabel(/^Số CCCD\/CMND/).fill('12345');
    await page.getByRole('button', { name: 'Lưu' }).click();
    expect(await page.locator('.field[data-path=citizenId] .field-error').textContent()).toBe('Cần số CCCD 12 chữ số, hoặc CMND 9 chữ số.');
    await page.getByLabel(/^Số CCCD\/CMND/).fill('038090005678');
    await save();
    await expect.poll(async () => (await producer()).citizenIdLast4).toBe('5678');

    // Saving other changes leaves it alone.
    await edit();
    await page.getByLabel(/^Địa chỉ/).fill('Thôn 3');
    await save();
    await expect.poll(async () => (await producer()).version).toBe(3);
    expect((await producer()).citizenIdLast4).toBe('5678');

    await edit();
    await page.getByLabel('Xoá số CCCD/CMND đang lưu').check();
    await save();
    await expect.poll(async () => (await producer()).version).toBe(4);
    expect((await producer()).citizenIdLast4).toBeUndefined();
    await edit();
    expect(await page.getByLabel('Xoá số CCCD/CMND đang lưu').count()).toBe(0);

    // Offline, the correction waits in the outbox; the page shows it as the server will keep it.
    await context.setOffline(true);
    await page.getByLabel(/^Số CCCD\/CMND/).fill('038090004321');
    await save();
    await page.getByTestId('pending-changes').waitFor();
    expect(await page.locator('dl.facts').textContent()).toContain('****4321');
    expect(await page.locator('body').textContent()).not.toContain('038090004321');
    await context.setOffline(false);
    await expect.poll(async () => (await producer()).citizenIdLast4, { timeout: 20_000 }).toBe('4321');
  }, 60_000);
});

describe('expiring OCOP certificates (dashboard)', () => {
  it('lists those about to expire first, then those expired in the last 90 days, and not those long expired', async () => {
    type Rec = { id: string; certificateExpiry: string };
    const owner = await newProducer(`HTX chứng nhận ${run}`, `03${run}88`, { kind: 'cooperative' });
    /** A 3-star product whose certificate (36 months from the decision) expires `days` from today. */
    const rated = async (name: string, days: number) => {
      const expiry = new Date(Date.now() + days * 86_400_000);
      const decided = new Date(Date.UTC(expiry.getUTCFullYear() - 3, expiry.getUTCMonth(), Math.min(expiry.getUTCDate(), 28)));
      const res = await api<Rec>(product.url, '/products', adminToken, { method: 'POST', body: { producerId: owner.id, name, ocopGroup: 'food', ocopStars: 3, certificateNo: `${days}/QĐ-UBND`, certificateDate: decided.toISOString().slice(0, 10) } });
      expect(res.status).toBe(201);
      return res.body;
    };
    const soon = await rated(`Nước mắm sắp hết hạn ${run}`, 30);
    const lapsed = await rated(`Nước mắm vừa hết hạn ${run}`, -10);
    await rated(`Nước mắm hết hạn lâu ${run}`, -200);

    await page.goto(`${product.url}/#/dashboard`);
    const names = page.locator('ul.certs li a');
    await expect.poll(async () => (await names.allTextContents()).filter((n) => n.includes(run))).toEqual([`Nước mắm sắp hết hạn ${run}`, `Nước mắm vừa hết hạn ${run}`]);
    const all = await names.allTextContents();
    expect(all.indexOf(`Nước mắm sắp hết hạn ${run}`)).toBeLessThan(all.indexOf(`Nước mắm vừa hết hạn ${run}`));
    // The heading names both kinds the list holds.
    expect(await page.getByRole('region', { name: 'Chứng nhận OCOP sắp hết hạn và vừa hết hạn' }).locator('ul.certs li').count()).toBe(all.length);
    await expect.poll(() => page.getByTestId('coverage-source').locator('..').textContent()).toContain('chỉ tính sản phẩm có giấy chứng nhận còn hạn');

    // The expired one says on its page that it no longer counts as OCOP; the one still valid does not.
    await page.goto(`${product.url}/#/products/${lapsed.id}`);
    await expect.poll(() => page.getByTestId('certificate-lapsed').textContent()).toContain('không còn được tính là sản phẩm OCOP');
    await page.goto(`${product.url}/#/products/${soon.id}`);
    await page.getByRole('heading', { name: `Nước mắm sắp hết hạn ${run}` }).waitFor();
    expect(await page.getByTestId('certificate-lapsed').count()).toBe(0);
  }, 60_000);
});

describe('coverage at the end of a month (dashboard)', () => {
  it('sums the figures by former district when asked, for reports on the units before the 2025 merger', async () => {
    await page.goto(`${product.url}/#/dashboard`);
    const districts = page.getByTestId('districts');
    await districts.locator('summary').click();
    const rows = page.locator('[data-testid=district-table] tbody tr');
    await expect.poll(() => rows.count()).toBe(26);
    const total = async (table: string) => page.locator(`[data-testid=${table}] tfoot td`).first().textContent();
    // The communes column adds up to 166; the first metric's total equals the commune table's.
    expect(await total('district-table')).toBe('166');
    expect(await page.locator('[data-testid=district-table] tfoot td').nth(1).textContent()).toBe(await total('coverage-table'));
  }, 60_000);

  it('shows a month’s month-end figures by commune and exports them, keeps the month when the marketplace changes, and turns an old link to a month never taken back to now', async () => {
    const history = await api<{ series: { month: string }[] }>(product.url, '/coverage/history?from=2000-01&to=2099-12', adminToken);
    const month = history.body.series.at(-1)!.month;
    const label = `Cuối tháng ${month.slice(5)}/${month.slice(0, 4)}`;
    const then = await api<{ rows: { communeCode: string; producers: number }[] }>(product.url, `/coverage?by=commune&month=${month}`, adminToken);
    // Something changes after the month ended: the month's figures stay as they were.
    await newProducer(`Hộ nuôi ong ${run}`, `08${run}66`);
    const producersIn = (rows: { communeCode: string; producers: number }[]) => rows.find((r) => r.communeCode === '15772')!.producers;

    await page.goto(`${product.url}/#/dashboard`);
    const when = page.getByLabel('Thời điểm', { exact: true });
    await when.waitFor();
    expect(await when.locator('option').first().textContent()).toBe('Hiện tại');
    await when.selectOption({ label });
    await expect.poll(() => page.getByTestId('coverage-source').textContent()).toContain(`Nguồn: số liệu chốt cuối tháng ${month.slice(5)}/${month.slice(0, 4)}`);
    expect(page.url()).toContain(`month=${month}`);
    // Measured against the targets its snapshot kept, and the page says so.
    await expect.poll(() => page.getByTestId('targets-as-of').textContent()).toBe(`Chỉ tiêu đang áp dụng khi chốt số liệu cuối tháng ${month.slice(5)}/${month.slice(0, 4)}.`);
    const cell = page.locator('[data-testid=coverage-table] tr[data-code="15772"] td').first();
    expect(await cell.textContent()).toBe(String(producersIn(then.body.rows)));
    // The producer and product lists are today's whatever month is chosen, and their heading says so.
    const lists = (name: string) => page.getByRole('region', { name, exact: true }).getByRole('button', { name: 'Tải danh sách chủ thể (Excel)' });
    expect(await lists('Danh sách hiện tại để báo cáo (không theo thời điểm đã chọn)').count()).toBe(1);

    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Tải CSV' }).click()]);
    expect(file.suggestedFilename()).toBe(`bao-cao-bao-phu-cuoi-thang-${month}.csv`);

    await page.getByLabel('Sàn thương mại điện tử').selectOption('voso');
    await expect.poll(() => page.url()).toContain('marketplace=voso');
    expect(page.url()).toContain(`month=${month}`);
    expect(await page.getByLabel('Thời điểm', { exact: true }).inputValue()).toBe(month);

    await page.getByLabel('Thời điểm', { exact: true }).selectOption('');
    await expect.poll(() => page.getByTestId('coverage-source').textContent()).toContain('tính đến');
    expect(await lists('Danh sách để báo cáo').count()).toBe(1);
    await page.getByLabel('Sàn thương mại điện tử').selectOption('all');
    const now = await api<{ rows: { communeCode: string; producers: number }[] }>(product.url, '/coverage?by=commune', adminToken);
    expect(producersIn(now.body.rows)).toBeGreaterThan(producersIn(then.body.rows));
    await expect.poll(() => page.locator('[data-testid=coverage-table] tr[data-code="15772"] td').first().textContent()).toBe(String(producersIn(now.body.rows)));

    await page.goto(`${product.url}/#/dashboard?month=2019-01`);
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Chưa có số liệu chốt cuối tháng này.' }).count()).toBeGreaterThan(0);
    await expect.poll(() => page.url()).not.toContain('month=');
    await expect.poll(() => page.getByTestId('coverage-source').textContent()).toContain('tính đến');
  }, 60_000);
});

describe('duplicate producers and deleting records', () => {
  type Rec = { id: string; version: number; productCount?: number; producerId?: string };
  const productBody = (producerId: string, name: string) => ({ producerId, name, ocopGroup: 'food', ocopStars: 0 });
  const status = async (path: string) => (await api(product.url, path, adminToken)).status;

  it('merges a duplicate into the record being looked at, after confirming; its products move over', async () => {
    const phone = `03${run}55`;
    const keep = await newProducer(`Hộ làm mắm ${run}`, phone);
    const dup = await newProducer(`Hộ làm mắm tôm ${run}`, phone);
    const moved = (await api<Rec>(product.url, '/products', adminToken, { method: 'POST', body: productBody(dup.id, `Mắm tôm ${run}`) })).body;
    // A cooperative login bound to the duplicate, which the merge binds to the record kept.
    const login = await api<User>(product.url, '/users', adminToken, { method: 'POST', body: { username: `htx.mam${run}`, password: `mat-khau-${run}`, role: 'cooperative', producerId: dup.id } });
    expect(login.status).toBe(201);

    await page.goto(`${product.url}/#/producers/${keep.id}`);
    const dups = page.getByRole('region', { name: 'Hồ sơ có thể trùng' });
    await expect.poll(() => dups.textContent()).toContain(`Hộ làm mắm tôm ${run}`);
    expect(await dups.textContent()).toContain('cùng số điện thoại');
    await dups.getByRole('button', { name: `Gộp Hộ làm mắm tôm ${run} vào hồ sơ này` }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain(`Gộp «Hộ làm mắm tôm ${run}» vào «Hộ làm mắm ${run}»?`);
    expect(await dialog.textContent()).toContain(`1 tài khoản đăng nhập HTX gắn với «Hộ làm mắm tôm ${run}» chuyển sang gắn với «Hộ làm mắm ${run}» (từ nay thấy dữ liệu của «Hộ làm mắm ${run}»)`);
    await dialog.getByRole('button', { name: 'Huỷ' }).click();
    expect(await status(`/producers/${dup.id}`)).toBe(200);

    await dups.getByRole('button', { name: `Gộp Hộ làm mắm tôm ${run} vào hồ sơ này` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Gộp vào hồ sơ này' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: `Đã gộp Hộ làm mắm tôm ${run} vào hồ sơ này.` }).count()).toBeGreaterThan(0);
    expect(await status(`/producers/${dup.id}`)).toBe(404);
    expect((await api<Rec>(product.url, `/products/${moved.id}`, adminToken)).body.producerId).toBe(keep.id);
    await expect.poll(() => page.getByRole('region', { name: 'Hồ sơ có thể trùng' }).textContent()).toContain('Không thấy hồ sơ nào có thể trùng.');
    expect((await api<Rec>(product.url, `/producers/${keep.id}`, adminToken)).body.productCount).toBe(1);
    expect((await allUsers()).find((u) => u.id === login.body.id)?.producerId).toBe(keep.id);
  }, 60_000);

  it('deletes a product after confirming, and a producer only once it has no products; offline it says a connection is needed and deletes nothing', async () => {
    const owner = await newProducer(`Hộ dệt thổ cẩm ${run}`, `07${run}44`);
    const item = (await api<Rec>(product.url, '/products', adminToken, { method: 'POST', body: productBody(owner.id, `Khăn thổ cẩm ${run}`) })).body;

    await page.goto(`${product.url}/#/producers/${owner.id}`);
    const removeProducer = page.getByRole('button', { name: 'Xoá chủ thể' });
    await removeProducer.waitFor();
    expect(await removeProducer.isDisabled()).toBe(true);
    expect(await page.getByText('Chỉ xoá được chủ thể không còn sản phẩm').count()).toBe(1);

    await page.goto(`${product.url}/#/products/${item.id}`);
    await page.getByRole('button', { name: 'Xoá sản phẩm' }).waitFor();
    await context.setOffline(true);
    await page.getByRole('button', { name: 'Xoá sản phẩm' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Việc này cần có kết nối mạng' }).count()).toBeGreaterThan(0);
    await context.setOffline(false);
    expect(await status(`/products/${item.id}`)).toBe(200);

    await page.getByRole('button', { name: 'Xoá sản phẩm' }).click();
    expect(await page.getByRole('dialog').textContent()).toContain(`Xoá sản phẩm «Khăn thổ cẩm ${run}»?`);
    await page.getByRole('dialog').getByRole('button', { name: 'Xoá sản phẩm' }).click();
    await expect.poll(() => page.url()).toContain(`#/producers/${owner.id}`);
    expect(await status(`/products/${item.id}`)).toBe(404);

    await expect.poll(() => page.getByRole('button', { name: 'Xoá chủ thể' }).isDisabled()).toBe(false);
    await page.getByRole('button', { name: 'Xoá chủ thể' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Xoá chủ thể' }).click();
    await expect.poll(() => page.url()).toMatch(/#\/producers$/);
    expect(await status(`/producers/${owner.id}`)).toBe(404);
  }, 60_000);
});

describe('the product list by where products are listed', () => {
  it('filters on the server by marketplace and listing status (kept in the address), and shows each product’s listings as chips', async () => {
    type Rec = { id: string };
    const owner = await newProducer(`Hộ làm bánh ${run}`, `05${run}33`);
    const make = async (name: string) => (await api<Rec>(product.url, '/products', adminToken, { method: 'POST', body: { producerId: owner.id, name, ocopGroup: 'food', ocopStars: 0 } })).body;
    const listed = await make(`Bánh gai ${run}`);
    await make(`Bánh cuốn ${run}`);
    expect((await api(product.url, `/products/${listed.id}/listings/voso`, adminToken, { method: 'PUT', body: { status: 'draft' } })).status).toBe(200);
    expect((await api(product.url, `/products/${listed.id}/listings/voso`, adminToken, { method: 'PUT', body: { status: 'submitted', version: 1, overrideReason: 'hồ sơ giấy đủ' } })).status).toBe(200);

    await page.goto(`${product.url}/#/products?producerId=${owner.id}`);
    const cards = page.locator('ul.cards li a.card-link');
    await expect.poll(() => cards.count()).toBe(2);
    // Opened for a producer, the administrator's producer filter has it chosen, by name.
    await expect.poll(() => page.getByRole('combobox', { name: /^Chủ thể/ }).inputValue()).toBe(`Hộ làm bánh ${run} · Xã Thiệu Hóa`);
    await page.getByLabel(/^Sàn$/).selectOption('voso');
    await page.getByLabel(/^Trạng thái trên sàn/).selectOption('submitted');
    await expect.poll(() => cards.allTextContents()).toEqual([expect.stringContaining(`Bánh gai ${run}`)]);
    expect(await cards.first().getByTestId('listing-chips').textContent()).toBe('Voso: Đã gửi duyệt');
    expect(page.url()).toContain('marketplace=voso');
    expect(page.url()).toContain('listingStatus=submitted');
    await shot(page, 'admin-06-products-by-listing', false);

    await page.getByLabel(/^Trạng thái trên sàn/).selectOption('none');
    await expect.poll(() => cards.allTextContents()).toEqual([expect.stringContaining(`Bánh cuốn ${run}`)]);
    expect(await cards.first().getByTestId('listing-chips').count()).toBe(0);
    // Neither is ready for voso (no photos): "ready and not listed" is empty, "not ready" is the one.
    await page.getByLabel(/^Đủ điều kiện lên sàn/).selectOption('true');
    await page.locator('ul.cards li.muted', { hasText: 'Không tìm thấy sản phẩm phù hợp.' }).waitFor();
    expect(await cards.count()).toBe(0);
    expect(page.url()).toContain('ready=true');
    await page.getByLabel(/^Đủ điều kiện lên sàn/).selectOption('false');
    await expect.poll(() => cards.allTextContents()).toEqual([expect.stringContaining(`Bánh cuốn ${run}`)]);
    await page.getByLabel(/^Đủ điều kiện lên sàn/).selectOption('');
    // The address keeps the filter: opened again, it shows the same.
    await page.reload();
    await expect.poll(() => cards.allTextContents()).toEqual([expect.stringContaining(`Bánh cuốn ${run}`)]);
    expect(await page.getByLabel(/^Trạng thái trên sàn/).inputValue()).toBe('none');
  }, 60_000);
});

describe('the product list by producer (administrator)', () => {
  it('filters by a producer found by part of its name typed without accents: only its products, kept in the address across a reload; emptied, every producer’s again', async () => {
    const sonName = `Hộ làm giò chả Đông Sơn ${run}`;
    const hoaName = `Hộ làm giò chả Đông Hòa ${run}`;
    const son = await newProducer(sonName, `07${run}51`);
    const hoa = await newProducer(hoaName, `07${run}52`);
    const make = async (producerId: string, name: string) => expect((await api(product.url, '/products', adminToken, { method: 'POST', body: { producerId, name, ocopGroup: 'food', ocopStars: 0 } })).status).toBe(201);
    await make(son.id, `Giò chả ${run} lụa`);
    await make(son.id, `Giò chả ${run} quế`);
    await make(hoa.id, `Giò chả ${run} bò`);
    const names = () => page.locator('ul.cards li a.card-link strong').allTextContents().then((n) => n.sort());
    const picker = page.getByRole('combobox', { name: /^Chủ thể/ });

    await page.goto(`${product.url}/#/products?q=${encodeURIComponent(`giò chả ${run}`)}`);
    await expect.poll(names).toEqual([`Giò chả ${run} bò`, `Giò chả ${run} lụa`, `Giò chả ${run} quế`]);
    // With no filter set, the filters are folded away under "Lọc".
    await page.getByTestId('filters').click();
    expect(await picker.inputValue()).toBe('');
    await picker.fill('gio cha dong son');
    await page.getByRole('listbox').getByRole('option', { name: `${sonName} · Xã Thiệu Hóa` }).click();
    await expect.poll(names).toEqual([`Giò chả ${run} lụa`, `Giò chả ${run} quế`]);
    await expect.poll(() => page.url()).toContain(`producerId=${son.id}`);
    expect(await unlabelledControls(page)).toEqual([]);
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);
    await shot(page, 'admin-09-products-by-producer', false);

    await page.reload();
    await expect.poll(() => picker.inputValue(), { timeout: 15_000 }).toBe(`${sonName} · Xã Thiệu Hóa`);
    await expect.poll(names).toEqual([`Giò chả ${run} lụa`, `Giò chả ${run} quế`]);
    expect(page.url()).toContain(`producerId=${son.id}`);

    // Typing over the choice keeps the list on it until another is chosen; the choices open right under the field.
    await picker.fill('gio cha dong h');
    const hoaOption = page.getByRole('listbox').getByRole('option', { name: `${hoaName} · Xã Thiệu Hóa` });
    await hoaOption.waitFor();
    const [field, list, hint] = await Promise.all([picker, page.getByRole('listbox'), page.locator('.field[data-path=producerId] p.hint[id]')].map((l) => l.boundingBox()));
    expect(list!.y).toBeGreaterThanOrEqual(field!.y + field!.height - 1);
    expect(hint!.y).toBeGreaterThan(list!.y);
    expect(await names()).toEqual([`Giò chả ${run} lụa`, `Giò chả ${run} quế`]);
    expect(page.url()).toContain(`producerId=${son.id}`);
    // Left half-typed, the field shows the producer the list is still filtered on.
    await page.getByRole('heading', { level: 1 }).click();
    await expect.poll(() => picker.inputValue()).toBe(`${sonName} · Xã Thiệu Hóa`);
    expect(await page.locator('input[name=producerId]').inputValue()).toBe(son.id);
    expect(await names()).toEqual([`Giò chả ${run} lụa`, `Giò chả ${run} quế`]);
    await picker.fill('gio cha dong h');
    await hoaOption.click();
    await expect.poll(names).toEqual([`Giò chả ${run} bò`]);
    await expect.poll(() => page.url()).toContain(`producerId=${hoa.id}`);

    await picker.fill('');
    await expect.poll(names).toEqual([`Giò chả ${run} bò`, `Giò chả ${run} lụa`, `Giò chả ${run} quế`]);
    expect(page.url()).not.toContain('producerId');
    expect(page.url()).toContain('q=');
  }, 60_000);
});

describe('the producer search’s hint, by what each role can search', () => {
  it('offers the department names and tax codes, not phone numbers (which it cannot search), and the administrator phone numbers too', async () => {
    const hint = (p: Page) => p.locator('.field[data-path=producerId] p.hint[id]').textContent();
    await page.goto(`${product.url}/#/products`);
    await expect.poll(() => hint(page)).toBe('Gõ ít nhất 2 chữ trong tên (có dấu hay không đều được), hoặc mã số thuế, số điện thoại.');
    const desk = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'vi-VN' });
    const p = await desk.newPage();
    await signIn(p, product.url, 'sct', 'demo1234', 'Tổng quan tiến độ');
    await p.goto(`${product.url}/#/products`);
    await expect.poll(() => hint(p)).toBe('Gõ ít nhất 2 chữ trong tên (có dấu hay không đều được), hoặc mã số thuế.');
    await desk.close();
  }, 60_000);
});

describe('finding a producer by phone', () => {
  it('finds it, but keeps the number out of the address and out of the service worker’s cache', async () => {
    const phone = `09${run}21`;
    await newProducer(`Hộ trồng cói ${run}`, phone);
    await page.goto(`${product.url}/#/producers`);
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await page.getByLabel(/^Tìm theo tên chủ thể/).fill(`${phone.slice(0, 4)} ${phone.slice(4)}`);
    await expect.poll(() => page.locator('ul.cards li a.card-link').allTextContents()).toEqual([expect.stringContaining(`Hộ trồng cói ${run}`)]);
    expect(page.url()).not.toContain(phone.slice(4));
    const cached = () => page.evaluate(async () => (await (await caches.open('ocop-data')).keys()).map((r) => r.url));
    expect((await cached()).filter((u) => u.includes(phone.slice(4)))).toEqual([]);
    // A name is kept as before: in the address and, once answered, in the cache.
    await page.getByLabel(/^Tìm theo tên chủ thể/).fill(`trong coi ${run}`);
    await expect.poll(() => page.url()).toContain(`q=trong+coi+${run}`);
    await expect.poll(async () => (await cached()).some((u) => u.includes(`q=trong+coi+${run}`))).toBe(true);
  }, 60_000);
});

describe('imports (administrator)', () => {
  it('lists everyone’s imports, newest first, with who started each', async () => {
    const officerToken = await login(product.url, 'canbo.thieuhoa');
    const file = Buffer.from(`Tên chủ thể;SĐT;Xã/Phường\r\nHộ Nhập Thử ${run};03${run}77;Xã Thiệu Hóa`);
    const created = await api<{ id: string; uploadUrl: string; headers: Record<string, string> }>(product.url, '/imports', officerToken, { method: 'POST', body: { kind: 'producers', fileName: `can-bo-${run}.csv`, bytes: file.length } });
    expect(created.status).toBe(201);
    const sent = await fetch(`${product.url}${created.body.uploadUrl}`, { method: 'PUT', headers: { authorization: `Bearer ${officerToken}`, ...created.body.headers }, body: file });
    expect(sent.status).toBe(202);

    await page.goto(`${product.url}/#/imports`);
    const first = page.getByTestId('recent-imports').locator('li').first();
    await expect.poll(() => first.textContent()).toContain(`can-bo-${run}.csv`);
    expect(await first.textContent()).toContain('canbo.thieuhoa');
  }, 60_000);
});

describe('the administrator’s screens are for the administrator', () => {
  it('shows an officer neither the tiles nor the navigation entries', async () => {
    const other = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
    const p = await other.newPage();
    await signIn(p, product.url, 'canbo.hamrong');
    expect(await p.getByRole('link', { name: 'Quản lý người dùng' }).count()).toBe(0);
    expect(await p.getByRole('navigation').getByRole('link', { name: 'Người dùng' }).count()).toBe(0);
    await other.close();
  }, 60_000);
});

describe('a record that is gone', () => {
  it('opens as gone — deleted by whom and when, or merged into which producer — with its history, instead of an error', async () => {
    const deleted = await newProducer(`Hộ đã xoá ${run}`, `05${run}71`);
    expect((await api(product.url, `/producers/${deleted.id}`, adminToken, { method: 'DELETE' })).status).toBe(204);
    await page.goto(`${product.url}/#/producers/${deleted.id}`);
    await expect.poll(heading, { timeout: 15_000 }).toBe(`Hộ đã xoá ${run}`);
    expect(await page.getByTestId('gone').textContent()).toMatch(/^Hồ sơ này đã bị xoá bởi admin lúc \d{2}\/\d{2}\/\d{4}/);
    await expect.poll(() => page.locator('ol.timeline li strong').allTextContents(), { timeout: 15_000 }).toEqual(['Xoá', 'Tạo mới']);

    const kept = await newProducer(`Hộ giữ lại ${run}`, `05${run}72`);
    const merged = await newProducer(`Hộ gộp vào ${run}`, `05${run}73`);
    expect((await api(product.url, `/producers/${kept.id}/merge`, adminToken, { method: 'POST', body: { sourceId: merged.id, version: kept.version } })).status).toBe(200);
    await page.goto(`${product.url}/#/producers/${merged.id}`);
    await expect.poll(() => page.getByTestId('gone').textContent().catch(() => ''), { timeout: 15_000 }).toContain('đã được gộp vào một chủ thể khác');
    await page.getByRole('link', { name: 'Mở chủ thể được giữ lại' }).click();
    await expect.poll(heading, { timeout: 15_000 }).toBe(`Hộ giữ lại ${run}`);
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);
  }, 60_000);
});

describe('registering a product for a producer found by name (administrator)', () => {
  const giangName = `Hộ làm nón lá Trường Giang ${run}`;
  const sonName = `Hộ làm nón lá Trường Sơn ${run}`;
  let giang: { id: string };
  let son: { id: string };
  const picker = (p: Page) => p.getByRole('combobox', { name: /^Chủ thể/ });
  const choices = (p: Page) => p.getByRole('listbox').getByRole('option');
  type Stored = { producerId: string; name: string };

  it('finds the producer by part of its name typed without accents, chosen with the keyboard, and stores the product for it', async () => {
    giang = await newProducer(giangName, `08${run}61`);
    son = await newProducer(sonName, `08${run}62`);
    await page.goto(`${product.url}/#/products/new`);
    await picker(page).waitFor();
    expect(await page.locator('select[name=producerId]').count()).toBe(0);
    await page.getByLabel(/^Tên sản phẩm/).fill(`Nón lá ${run}`);
    await page.getByRole('button', { name: 'Lưu' }).click();
    expect(await page.locator('.field[data-path=producerId] .field-error').textContent()).toBe('Chưa chọn');
    expect(await picker(page).getAttribute('aria-invalid')).toBe('true');
    expect(await picker(page).evaluate((el) => el === document.activeElement)).toBe(true);

    await picker(page).fill(`khong ai ten nay ${run}`);
    await expect.poll(() => page.getByRole('listbox').textContent()).toContain('Không tìm thấy chủ thể phù hợp');
    await picker(page).fill('non la truong');
    await expect.poll(() => choices(page).allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining(`${giangName} · Xã Thiệu Hóa`), expect.stringContaining(`${sonName} · Xã Thiệu Hóa`)]));
    const texts = await choices(page).allTextContents();
    expect(texts).toHaveLength(2);
    for (let i = 0; i < texts.findIndex((x) => x.includes(giangName)); i++) await picker(page).press('ArrowDown');
    await picker(page).press('Enter');
    expect(await picker(page).inputValue()).toBe(`${giangName} · Xã Thiệu Hóa`);
    expect(await page.getByRole('listbox').isVisible()).toBe(false);
    expect(await unlabelledControls(page)).toEqual([]);
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);
    await page.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(heading, { timeout: 15_000 }).toBe(`Nón lá ${run}`);
    const id = page.url().split('/').pop()!;
    expect((await api<Stored>(product.url, `/products/${id}`, adminToken)).body).toMatchObject({ producerId: giang.id, name: `Nón lá ${run}` });
  }, 60_000);

  it('on a phone opened from a producer’s page, has that producer chosen; says when it cannot search offline; a tap chooses another', async () => {
    const phone = await phoneContext(browser);
    const p = await phone.newPage();
    await signIn(p, product.url, 'admin', 'admin');
    await p.goto(`${product.url}/#/producers/${giang.id}`);
    await p.getByRole('link', { name: 'Thêm sản phẩm' }).click();
    await expect.poll(() => picker(p).inputValue(), { timeout: 15_000 }).toBe(`${giangName} · Xã Thiệu Hóa`);
    expect(await p.getByTestId('chosen-producer').textContent()).toBe(`Đã chọn: ${giangName} · Xã Thiệu Hóa`);

    await p.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
    await phone.setOffline(true);
    await picker(p).fill('non la');
    await expect.poll(() => p.getByRole('listbox').textContent()).toContain('Mất kết nối mạng');
    expect(await choices(p).filter({ hasText: giangName }).count()).toBe(0);
    await phone.setOffline(false);

    expect(await p.getByTestId('chosen-producer').isVisible()).toBe(false);
    await picker(p).fill('truong son');
    await choices(p).filter({ hasText: sonName }).waitFor();
    expect(await pageWidth(p)).toBeLessThanOrEqual(360);
    await shot(p, 'admin-07-product-producer-search', false);
    await choices(p).filter({ hasText: sonName }).tap();
    expect(await picker(p).inputValue()).toBe(`${sonName} · Xã Thiệu Hóa`);
    expect(await p.getByTestId('chosen-producer').textContent()).toBe(`Đã chọn: ${sonName} · Xã Thiệu Hóa`);
    await p.getByLabel(/^Tên sản phẩm/).fill(`Nón bài thơ ${run}`);
    await shot(p, 'admin-08-product-producer-chosen', false);
    await p.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => p.getByRole('heading', { level: 1 }).textContent(), { timeout: 15_000 }).toBe(`Nón bài thơ ${run}`);
    const id = p.url().split('/').pop()!;
    expect((await api<Stored>(product.url, `/products/${id}`, adminToken)).body).toMatchObject({ producerId: son.id, name: `Nón bài thơ ${run}` });
    await phone.close();
  }, 60_000);
});
