/** A face box in pixels: top-left corner, width and height. */
export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What {@link clampBox} did to a box. */
export interface ClampedBox {
  /** The box inside the image, or null when nothing of it is inside. */
  box: FaceBox | null;
  /** True when the box had to be cut to fit. */
  clamped: boolean;
}

/** Cuts a box to the image; null when no pixel of it is inside. */
export function clampBox(box: FaceBox, imageWidth: number, imageHeight: number): ClampedBox {
  const x0 = Math.max(0, box.x);
  const y0 = Math.max(0, box.y);
  const x1 = Math.min(imageWidth, box.x + box.width);
  const y1 = Math.min(imageHeight, box.y + box.height);
  const clamped =
    x0 !== box.x || y0 !== box.y || x1 !== box.x + box.width || y1 !== box.y + box.height;
  if (x1 - x0 < 1 || y1 - y0 < 1) return { box: null, clamped };
  return { box: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }, clamped };
}

/**
 * The crop taken around a face: the box grown by `margin` × its size on every side, cut to the
 * image, in whole pixels. Training and inference use the same rule.
 */
export function cropWithMargin(
  box: FaceBox,
  margin: number,
  imageWidth: number,
  imageHeight: number,
): FaceBox {
  const left = Math.max(0, Math.floor(box.x - margin * box.width));
  const top = Math.max(0, Math.floor(box.y - margin * box.height));
  const right = Math.min(imageWidth, Math.ceil(box.x + box.width * (1 + margin)));
  const bottom = Math.min(imageHeight, Math.ceil(box.y + box.height * (1 + margin)));
  return {
    x: left,
    y: top,
    width: Math.max(1, right - left),
    height: Math.max(1, bottom - top),
  };
}

/** Intersection over union of two boxes: 0 when they do not overlap, 1 when they are equal. */
export function boxIoU(a: FaceBox, b: FaceBox): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (width <= 0 || height <= 0) return 0;
  const intersection = width * height;
  return intersection / (a.width * a.height + b.width * b.height - intersection);
}
