import type { FaceBox } from './box-geometry.js';

/** A square region of a photo that the face detector sees at its input size. */
export interface DetectorView {
  /** Left edge in photo pixels (negative: padded). */
  x: number;
  /** Top edge in photo pixels (negative: padded). */
  y: number;
  /** Side in photo pixels; parts past the photo are padded with black. */
  side: number;
  /** The grid level it belongs to (1: the whole photo). */
  grid: number;
}

/**
 * The views the detector runs on: for each grid level `g`, squares of side
 * `longerSide / g × (1 + overlap)` laid over the photo so that neighbours overlap (level 1 is
 * the whole photo, padded to a square). Smaller squares are enlarged to the detector's input,
 * which is what finds small faces; each view costs one run of the detector.
 *
 * @param width - photo width in pixels
 * @param height - photo height in pixels
 * @param grids - grid levels, e.g. `[1, 2]` for the whole photo plus 2 × 2 tiles
 * @param overlap - extra side of a tile as a fraction of the grid step, e.g. 0.25
 */
export function planViews(
  width: number,
  height: number,
  grids: readonly number[],
  overlap: number,
): DetectorView[] {
  const longer = Math.max(width, height);
  const views: DetectorView[] = [];
  for (const grid of grids) {
    const step = longer / grid;
    const side = Math.round(grid === 1 ? longer : Math.min(longer, step * (1 + overlap)));
    for (const y of positions(height, side, step)) {
      for (const x of positions(width, side, step)) views.push({ x, y, side, grid });
    }
  }
  return views;
}

function positions(length: number, side: number, step: number): number[] {
  if (length <= side) return [0];
  const count = Math.ceil((length - side) / step) + 1;
  return Array.from({ length: count }, (_, i) => Math.round((i * (length - side)) / (count - 1)));
}

/**
 * Maps a box from a view's input pixels back to photo pixels. The view is resized with pixel
 * centres aligned (`tf.image.cropAndResize`): input pixel `i` samples photo pixel
 * `view.x + i × (side − 1) / (inputSize − 1)`.
 *
 * @param box - `(x1, y1, x2, y2)` in input pixels (continuous coordinates, pixel `i` spans [i, i + 1))
 */
export function viewBoxToPhoto(
  box: { x1: number; y1: number; x2: number; y2: number },
  view: DetectorView,
  inputSize: number,
): FaceBox {
  const scale = (view.side - 1) / (inputSize - 1);
  const [x, y] = viewPointToPhoto([box.x1, box.y1], view, inputSize);
  return { x, y, width: (box.x2 - box.x1) * scale, height: (box.y2 - box.y1) * scale };
}

/** Maps a point `(x, y)` from a view's input pixels back to photo pixels, as {@link viewBoxToPhoto} does its corner. */
export function viewPointToPhoto(
  [x, y]: readonly [number, number],
  view: DetectorView,
  inputSize: number,
): [number, number] {
  const scale = (view.side - 1) / (inputSize - 1);
  return [view.x + 0.5 + (x - 0.5) * scale, view.y + 0.5 + (y - 0.5) * scale];
}

/**
 * True when a box found in a tile is cut by an edge of that tile that lies inside the photo:
 * such a box is part of a face that a neighbouring tile or a coarser level sees whole.
 *
 * @param margin - how close to the edge counts as touching, in photo pixels
 */
export function touchesInnerTileEdge(
  box: FaceBox,
  view: DetectorView,
  width: number,
  height: number,
  margin: number,
): boolean {
  if (view.grid === 1) return false;
  const left = view.x > 0 && box.x - view.x < margin;
  const top = view.y > 0 && box.y - view.y < margin;
  const right = view.x + view.side < width && view.x + view.side - (box.x + box.width) < margin;
  const bottom = view.y + view.side < height && view.y + view.side - (box.y + box.height) < margin;
  return left || top || right || bottom;
}
