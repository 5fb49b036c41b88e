import sharp from 'sharp';

/**
 * Tiles `[size, size, 3]` crops (values in [0, 1]) into one PNG, `columns` wide, each with a
 * 3-pixel frame: green when the prediction was right, red when it was wrong.
 */
export async function imageGridPng(
  crops: { pixels: Float32Array; correct: boolean }[],
  size: number,
  columns: number,
  scale = 2,
): Promise<Buffer> {
  const border = 3;
  const tile = size * scale + 2 * border;
  const rows = Math.max(1, Math.ceil(crops.length / columns));
  const width = columns * tile;
  const height = rows * tile;
  const canvas = new Uint8Array(width * height * 3).fill(255);
  crops.forEach((crop, index) => {
    const ox = (index % columns) * tile;
    const oy = Math.floor(index / columns) * tile;
    const frame = crop.correct ? [30, 150, 60] : [210, 40, 40];
    for (let y = 0; y < tile; y++) {
      for (let x = 0; x < tile; x++) {
        const inside = x >= border && y >= border && x < tile - border && y < tile - border;
        const target = ((oy + y) * width + ox + x) * 3;
        for (let c = 0; c < 3; c++) {
          canvas[target + c] = inside
            ? Math.round(
                255 *
                  (crop.pixels[
                    (Math.floor((y - border) / scale) * size + Math.floor((x - border) / scale)) *
                      3 +
                      c
                  ] as number),
              )
            : (frame[c] as number);
        }
      }
    }
  });
  return sharp(canvas, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}
