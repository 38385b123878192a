import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRST_LOAD_JS_BUDGET_GZIP, measureWeb, type WebSizes } from '../../scripts/bench-web.ts';
import { buildWeb } from '../../scripts/build-web.ts';

const css = await readFile(join(import.meta.dirname, '../../web/src/app.css'), 'utf8');
const vars = Object.fromEntries([...css.matchAll(/(--[\w-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [m[1]!, m[2]!]));
const colour = (v: string) => (v.startsWith('var(') ? vars[v.slice(4, -1)]! : v);

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
function contrast(a: string, b: string): number {
  const [x, y] = [luminance(colour(a)), luminance(colour(b))].sort((p, q) => q - p);
  return (x! + 0.05) / (y! + 0.05);
}

describe('colours (WCAG AA)', () => {
  it('give every text colour at least 4.5:1 on the backgrounds it is used on', () => {
    const pairs: [string, string][] = [
      ['var(--ink)', 'var(--bg)'],
      ['var(--ink)', 'var(--card)'],
      ['var(--muted)', 'var(--bg)'],
      ['var(--muted)', 'var(--card)'],
      ['var(--link)', 'var(--card)'],
      ['var(--link)', 'var(--bg)'],
      ['var(--green)', 'var(--card)'],
      ['var(--green-ink)', 'var(--green)'],
      ['var(--danger)', 'var(--card)'],
      ['var(--warn-ink)', 'var(--warn-bg)'],
    ];
    // Every rule that sets both a background and a text colour: chips, notices, toasts.
    for (const m of css.matchAll(/\{\s*background:\s*([^;]+);\s*color:\s*([^;]+);/g)) pairs.push([m[2]!.trim(), m[1]!.trim()]);
    expect(pairs.length).toBeGreaterThan(15);
    for (const [fg, bg] of pairs) expect(contrast(fg, bg), `${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
  });

  it('give the focus ring at least 3:1 against the page', () => {
    expect(contrast('var(--focus)', 'var(--bg)')).toBeGreaterThanOrEqual(3);
    expect(contrast('var(--focus)', 'var(--card)')).toBeGreaterThanOrEqual(3);
  });
});

describe('web build', () => {
  let dir: string;
  let sizes: WebSizes;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocop-web-'));
    await buildWeb(dir);
    sizes = await measureWeb(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('keeps the first-load JavaScript within 100 KB gzip, with the dashboard, map, boundaries and the administrator’s screens loaded on demand', () => {
    const gzip = sizes.firstLoadJs.reduce((a, x) => a + x.gzip, 0);
    expect(gzip).toBeLessThanOrEqual(FIRST_LOAD_JS_BUDGET_GZIP);
    const onDemand = sizes.onDemand.map((a) => a.path).join(' ');
    expect(onDemand).toMatch(/dashboard-view-\w+\.js/);
    expect(onDemand).toMatch(/commune-map-\w+\.js/);
    expect(onDemand).toContain('/geo/thanh-hoa-communes-2025.geojson');
    expect(onDemand).toMatch(/admin-users-view-\w+\.js/);
    expect(onDemand).toMatch(/admin-targets-view-\w+\.js/);
    expect(sizes.firstLoadJs.map((a) => a.path)).not.toContainEqual(expect.stringMatching(/dashboard|commune-map|geojson|admin-/));
  });

  it('writes a service worker that precaches exactly the shell files that were built', async () => {
    const sw = await readFile(join(dir, 'sw.js'), 'utf8');
    const shell = JSON.parse(/\[("\/"[^\]]*)\]/.exec(sw)![0]) as string[];
    expect(shell).toEqual(expect.arrayContaining(['/', '/index.html', '/app.js', '/app.css', '/manifest.webmanifest']));
    for (const p of shell.filter((x) => x !== '/')) await expect(readFile(join(dir, p))).resolves.toBeDefined();
    expect(shell.some((p) => p.endsWith('.geojson'))).toBe(false);
  });
});
