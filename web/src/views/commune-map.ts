/**
 * The commune map, loaded on demand with its boundaries (never part of the first load): SVG
 * paths from the GeoJSON with an equirectangular projection scaled by cos(latitude), which is
 * faithful enough at a province's size.
 */
import { svg } from '../ui/dom.ts';

type Ring = [number, number][];
type Geometry = { type: 'Polygon'; coordinates: Ring[] } | { type: 'MultiPolygon'; coordinates: Ring[][] };
type Feature = { geometry: Geometry; properties: { code: string; name: string } };
export type CommuneShapes = { width: number; height: number; shapes: { code: string; name: string; d: string }[] };

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
  const shapes = features.map((f) => ({
    code: f.properties.code,
    name: f.properties.name,
    d: polygons(f.geometry)
      .flatMap((poly) => poly.map((ring) => `M${ring.map(([x, y]) => `${px(x)} ${py(y)}`).join('L')}Z`))
      .join(''),
  }));
  return { width, height, shapes };
}

/** Draws the map; `fill(code)` gives each commune's colour, `onPick` is called on a click. */
export function drawMap(data: CommuneShapes, opts: { label: string; fill: (code: string) => string; title: (code: string, name: string) => string; onPick: (code: string) => void }): SVGSVGElement {
  const root = svg('svg', { viewBox: `0 0 ${data.width} ${data.height}`, role: 'img', 'aria-label': opts.label, class: 'map', 'data-testid': 'commune-map' });
  for (const s of data.shapes) {
    const path = svg('path', { d: s.d, fill: opts.fill(s.code), 'data-code': s.code }, svg('title', {}, opts.title(s.code, s.name)));
    path.addEventListener('click', () => opts.onPick(s.code));
    root.append(path);
  }
  return root;
}
