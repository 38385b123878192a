import { describe, expect, it } from 'vitest';
import { frameOf, neighbourIn, project } from '../../web/src/views/commune-map.ts';

/** A 3 × 3 grid of square communes, codes r<row>c<col>, north at the top. */
function grid() {
  const features = [];
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++) {
      const x = 105 + c * 0.1, y = 20 - r * 0.1;
      features.push({ geometry: { type: 'Polygon' as const, coordinates: [[[x, y], [x + 0.1, y], [x + 0.1, y - 0.1], [x, y - 0.1], [x, y]] as [number, number][]] }, properties: { code: `r${r}c${c}`, name: `${r},${c}` } });
    }
  return project(features, 300);
}

describe('moving between communes on the map with the arrow keys', () => {
  const { shapes } = grid();
  const at = (code: string) => shapes.find((s) => s.code === code)!;

  it('goes to the adjacent commune in each direction', () => {
    expect(neighbourIn(shapes, at('r1c1'), 'ArrowRight')?.code).toBe('r1c2');
    expect(neighbourIn(shapes, at('r1c1'), 'ArrowLeft')?.code).toBe('r1c0');
    expect(neighbourIn(shapes, at('r1c1'), 'ArrowUp')?.code).toBe('r0c1');
    expect(neighbourIn(shapes, at('r1c1'), 'ArrowDown')?.code).toBe('r2c1');
  });

  it('stops at the edge instead of jumping to a commune off to the side', () => {
    expect(neighbourIn(shapes, at('r0c2'), 'ArrowRight')).toBeUndefined();
    expect(neighbourIn(shapes, at('r0c2'), 'ArrowUp')).toBeUndefined();
    expect(neighbourIn(shapes, at('r2c0'), 'ArrowDown')).toBeUndefined();
  });

  it('puts each centre inside its commune, north up', () => {
    expect(at('r0c0').cy).toBeLessThan(at('r2c0').cy);
    expect(at('r0c0').cx).toBeLessThan(at('r0c2').cx);
  });
});

describe('the part of the map an officer sees', () => {
  it('frames their communes with a third of their extent around them, inside the map', () => {
    const map = grid();
    // Each cell is 100 px wide and 106.3 tall (at 20° north a degree of longitude is shorter): the
    // middle one, with a third of its height (35.4 px) around it.
    expect(map.shapes.find((s) => s.code === 'r1c1')!.box).toEqual([100, 106.3, 200, 212.6]);
    expect(frameOf(map, ['r1c1'])).toBe('64.6 70.9 170.9 177.2');
    // A corner cell: the frame does not run off the map.
    expect(frameOf(map, ['r0c0'])).toBe('0 0 135.4 141.7');
    // Two cells apart: both, with the one between, and a third of their width around them but no further than the map.
    expect(frameOf(map, ['r0c0', 'r0c2'])).toBe('0 0 300 206.3');
  });

  it('is the whole province for those who see it all (no communes given)', () => {
    const map = grid();
    expect(frameOf(map, [])).toBe(`0 0 ${map.width} ${map.height}`);
  });
});
