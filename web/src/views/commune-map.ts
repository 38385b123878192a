/**
 * The commune map, loaded on demand with its boundaries (never part of the first load): SVG
 * paths from the GeoJSON with an equirectangular projection scaled by cos(latitude), which is
 * faithful enough at a province's size.
 */
import { svg } from '../ui/dom.ts';

type Ring = [number, number][];
type Geometry = { type: 'Polygon'; coordinates: Ring[] } | { type: 'MultiPolygon'; coordinates: Ring[][] };
type Feature = { geometry: Geometry; properties: { code: string; name: string } };
/** A commune's outline as SVG path data, its centre (for moving between communes with the arrow keys) and its extent on the map (`box`: left, top, right, bottom). */
export type CommuneShape = { code: string; name: string; d: string; cx: number; cy: number; box: [number, number, number, number] };
export type CommuneShapes = { width: number; height: number; shapes: CommuneShape[] };

const GEO_URL = '/geo/thanh-hoa-communes-2025.geojson';
let shapesPromise: Promise<CommuneShapes> | null = null;

/** Loads the boundaries once and turns them into SVG path data. */
export function loadShapes(width = 640): Promise<CommuneShapes> {
  shapesPromise ??= fetch(GEO_URL)
    .then((r) => {
      if (!r.ok) throw new Error(`map ${r.status}`);
      return r.json() as Promise<{ features: Feature[] }>;
    })
    .then((geo) => project(geo.features, width))
    .catch((e) => {
      shapesPromise = null;
      throw e;
    });
  return shapesPromise;
}

export function project(features: Feature[], width: number): CommuneShapes {
  const polygons = (g: Geometry): Ring[][] => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates);
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const f of features) for (const poly of polygons(f.geometry)) for (const [x, y] of poly[0] ?? []) {
    minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y);
  }
  const kx = Math.cos((((minY + maxY) / 2) * Math.PI) / 180);
  const scale = width / ((maxX - minX) * kx);
  const height = Math.ceil((maxY - minY) * scale);
  const px = (x: number) => Math.round((x - minX) * kx * scale * 10) / 10;
  const py = (y: number) => Math.round((maxY - y) * scale * 10) / 10;
  const shapes = features.map((f) => {
    const outer = polygons(f.geometry).flatMap((poly) => poly[0] ?? []);
    const mean = (i: 0 | 1) => outer.reduce((sum, p) => sum + p[i], 0) / (outer.length || 1);
    const xs = outer.map(([x]) => px(x));
    const ys = outer.map(([, y]) => py(y));
    return {
      box: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)] as [number, number, number, number],
      code: f.properties.code,
      name: f.properties.name,
      d: polygons(f.geometry)
        .flatMap((poly) => poly.map((ring) => `M${ring.map(([x, y]) => `${px(x)} ${py(y)}`).join('L')}Z`))
        .join(''),
      cx: px(mean(0)),
      cy: py(mean(1)),
    };
  });
  return { width, height, shapes };
}

const DIRECTIONS = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] } as const;

/**
 * The commune the arrow key leads to from `from`: the nearest centre lying in that direction
 * (within 60° either side of it), distance across the direction counting double; undefined at
 * the province's edge.
 */
export function neighbourIn(shapes: CommuneShape[], from: CommuneShape, key: keyof typeof DIRECTIONS): CommuneShape | undefined {
  const [dx, dy] = DIRECTIONS[key];
  let best: CommuneShape | undefined;
  let bestScore = Infinity;
  for (const s of shapes) {
    if (s === from) continue;
    const along = (s.cx - from.cx) * dx + (s.cy - from.cy) * dy;
    const across = Math.abs((s.cx - from.cx) * dy - (s.cy - from.cy) * dx);
    if (along <= 0 || across > along * Math.sqrt(3)) continue;
    const score = along + 2 * across;
    if (score < bestScore) [best, bestScore] = [s, score];
  }
  return best;
}

/**
 * The part of the map that shows `codes` (an officer's few communes), with a margin of a third
 * of their extent around them so their neighbours give the place; the whole province when none.
 */
export function frameOf(data: CommuneShapes, codes: readonly string[]): string {
  const boxes = data.shapes.filter((s) => codes.includes(s.code)).map((s) => s.box);
  if (!boxes.length) return `0 0 ${data.width} ${data.height}`;
  const [x0, y0, x1, y1] = [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])), Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))];
  const margin = Math.max(x1 - x0, y1 - y0) / 3;
  const left = Math.max(0, x0 - margin);
  const top = Math.max(0, y0 - margin);
  const round = (v: number) => Math.round(v * 10) / 10;
  return [left, top, Math.min(data.width, x1 + margin) - left, Math.min(data.height, y1 + margin) - top].map(round).join(' ');
}

/**
 * Draws the map; `fill(code)` gives each commune's colour, `onPick` is called on a click or on
 * Enter/Space. The map is one tab stop: the arrow keys move between neighbouring communes
 * (roving tabindex), each commune a button named by its `title`. `frame`: the communes to show up
 * close (an officer's), with their surroundings.
 */
export function drawMap(data: CommuneShapes, opts: { label: string; fill: (code: string) => string; title: (code: string, name: string) => string; onPick: (code: string) => void; current?: string | null; frame?: readonly string[] }): SVGSVGElement {
  const root = svg('svg', { viewBox: frameOf(data, opts.frame ?? []), role: 'group', 'aria-label': opts.label, class: 'map', 'data-testid': 'commune-map' });
  const paths = new Map<string, SVGElement>();
  const start = data.shapes.find((s) => s.code === opts.current) ?? data.shapes[0];
  for (const s of data.shapes) {
    const name = opts.title(s.code, s.name);
    const path = svg('path', { d: s.d, fill: opts.fill(s.code), 'data-code': s.code, role: 'button', 'aria-label': name, tabindex: s === start ? '0' : '-1' }, svg('title', {}, name));
    path.addEventListener('click', () => opts.onPick(s.code));
    paths.set(s.code, path);
    root.append(path);
  }
  const focus = (code: string) => {
    for (const [c, p] of paths) p.setAttribute('tabindex', c === code ? '0' : '-1');
    paths.get(code)?.focus();
  };
  root.addEventListener('keydown', (e) => {
    const code = (e.target as Element).getAttribute?.('data-code');
    const from = data.shapes.find((s) => s.code === code);
    if (!from) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      opts.onPick(from.code);
      // Picking may redraw the path on top (moving it in the document), which drops its focus.
      focus(from.code);
    } else if (e.key in DIRECTIONS) {
      e.preventDefault();
      const next = neighbourIn(data.shapes, from, e.key as keyof typeof DIRECTIONS);
      if (next) focus(next.code);
    }
  });
  return root;
}
