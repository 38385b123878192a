/**
 * An officer's progress screen on a phone: their two communes up close on the map, and the
 * province's count targets said as where their communes stand, not as a share nobody explains.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, shot, signedInPhone, startLocal, stopAll, type LocalProduct } from './support.ts';

let product: LocalProduct;
let browser: Browser;

beforeAll(async () => {
  [product, browser] = await Promise.all([startLocal(), launchBrowser()]);
}, 120_000);
afterAll(() => stopAll(browser, product));

describe("an officer's progress screen", () => {
  it('shows their communes up close on the map and says a province count target is the whole province’s', async () => {
    const { context, page } = await signedInPhone(browser, product.url, 'canbo.thieuhoa');
    await page.goto(`${product.url}/#/dashboard`);
    const map = page.getByTestId('commune-map');
    await expect.poll(() => map.locator('path').count(), { timeout: 20_000 }).toBe(166);
    // Framed on Xã Thiệu Hóa and Xã Thiệu Trung: the map is drawn at 640 px wide for the province, the frame a small part of it.
    const [, , width] = (await map.getAttribute('viewBox'))!.split(' ').map(Number);
    expect(width).toBeLessThan(640 / 3);
    const mapBox = (await map.boundingBox())!;
    for (const code of ['15772', '15835']) {
      const b = (await map.locator(`path[data-code="${code}"]`).boundingBox())!;
      // Each of the officer's communes is inside the drawn map, and big enough to tap (a speck before).
      expect(b.x).toBeGreaterThanOrEqual(mapBox.x - 1);
      expect(b.x + b.width).toBeLessThanOrEqual(mapBox.x + mapBox.width + 1);
      expect(Math.max(b.width, b.height)).toBeGreaterThan(44);
    }
    const accounts = page.getByTestId('targets').locator('li', { hasText: 'tài khoản' });
    await expect.poll(() => accounts.textContent()).toMatch(/Các xã của bạn đạt \d+; chỉ tiêu 500 là của toàn tỉnh/);
    expect(await accounts.textContent()).not.toContain('(—)');
    await shot(page, 'officer-dashboard');
    await context.close();
  }, 90_000);
});
