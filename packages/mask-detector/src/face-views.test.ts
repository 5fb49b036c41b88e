import { describe, expect, it } from 'vitest';
import { planViews, touchesInnerTileEdge, viewBoxToPhoto, viewPointToPhoto } from './face-views.js';

describe('planViews', () => {
  it('sees the whole photo padded to a square at level 1, and overlapping tiles at level 2', () => {
    const views = planViews(400, 225, [1, 2], 0.25);
    expect(views).toEqual([
      { x: 0, y: 0, side: 400, grid: 1 },
      // 250 px tiles: two across the 400 px width, one (padded) over the 225 px height.
      { x: 0, y: 0, side: 250, grid: 2 },
      { x: 150, y: 0, side: 250, grid: 2 },
    ]);
  });

  it('covers every pixel of the photo at each level, with neighbours overlapping', () => {
    for (const [width, height] of [
      [400, 301],
      [301, 400],
      [600, 600],
      [193, 156],
    ] as const) {
      for (const grid of [2, 3, 4]) {
        const views = planViews(width, height, [grid], 0.25);
        for (const [x, y] of [
          [0, 0],
          [width - 1, height - 1],
          [Math.floor(width / 2), Math.floor(height / 3)],
        ] as const) {
          const covering = views.filter(
            (v) => v.x <= x && x < v.x + v.side && v.y <= y && y < v.y + v.side,
          );
          expect(covering.length, `${width}×${height} grid ${grid} (${x}, ${y})`).toBeGreaterThan(
            0,
          );
        }
      }
    }
    expect(planViews(400, 400, [3], 0.25)).toHaveLength(9);
  });
});

describe('viewBoxToPhoto', () => {
  it('maps input pixels to photo pixels with the view offset and scale (pixel centres aligned)', () => {
    // A 511 px view seen at 256 px: input pixel i samples photo pixel 100 + 2i.
    const view = { x: 100, y: -20, side: 511, grid: 2 };
    const box = viewBoxToPhoto({ x1: 10.5, y1: 0.5, x2: 20.5, y2: 5.5 }, view, 256);
    expect(box).toEqual({ x: 100 + 0.5 + 20, y: -20 + 0.5, width: 20, height: 10 });
    // Input pixel 0 spans [0, 1) and samples photo pixel 100, so at 2× it spans [99.5, 101.5).
    const whole = viewBoxToPhoto({ x1: 0, y1: 0, x2: 256, y2: 256 }, view, 256);
    expect(whole.x).toBeCloseTo(99.5, 10);
    expect(whole.x + whole.width).toBeCloseTo(100 + 511 + 0.5, 10);
  });

  it('is the identity for a view the size of the input at the origin', () => {
    const box = viewBoxToPhoto(
      { x1: 3, y1: 4, x2: 30, y2: 44 },
      { x: 0, y: 0, side: 256, grid: 1 },
      256,
    );
    expect(box).toEqual({ x: 3, y: 4, width: 27, height: 40 });
  });
});

describe('viewPointToPhoto', () => {
  it('maps a keypoint like a box corner: input pixel i of a 511 px view samples photo pixel 100 + 2i', () => {
    const view = { x: 100, y: -20, side: 511, grid: 2 };
    expect(viewPointToPhoto([10.5, 0.5], view, 256)).toEqual([100 + 0.5 + 20, -20 + 0.5]);
    const box = viewBoxToPhoto({ x1: 7, y1: 9, x2: 20, y2: 30 }, view, 256);
    expect(viewPointToPhoto([7, 9], view, 256)).toEqual([box.x, box.y]);
  });
});

describe('touchesInnerTileEdge', () => {
  const tile = { x: 150, y: 0, side: 250, grid: 2 };
  it('flags a box cut by a tile edge inside the photo, not one at the photo border', () => {
    expect(touchesInnerTileEdge({ x: 151, y: 50, width: 20, height: 20 }, tile, 400, 225, 2)).toBe(
      true,
    );
    expect(touchesInnerTileEdge({ x: 380, y: 50, width: 20, height: 20 }, tile, 400, 225, 2)).toBe(
      false,
    );
    expect(touchesInnerTileEdge({ x: 200, y: 0, width: 20, height: 20 }, tile, 400, 225, 2)).toBe(
      false,
    );
    expect(
      touchesInnerTileEdge(
        { x: 151, y: 50, width: 20, height: 20 },
        { ...tile, grid: 1 },
        400,
        225,
        2,
      ),
    ).toBe(false);
  });
});
