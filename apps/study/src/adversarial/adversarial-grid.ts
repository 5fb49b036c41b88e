import { Resvg } from '@resvg/resvg-js';
import sharp from 'sharp';

/** One tile of an {@link adversarialGridPng}: a grayscale image and two caption lines. */
export interface GridTile {
  /** height × width pixels in [0, 1]. */
  pixels: ArrayLike<number>;
  caption: string;
  detail: string;
  /** Frame colour: green for a reached target, red for a miss, grey for the original. */
  status: 'original' | 'hit' | 'miss';
}

const frames = { original: '#888888', hit: '#1e9640', miss: '#d22828' } as const;

/**
 * Draws tiles in one row (the original, then one adversarial per target), each scaled up
 * `scale`× with nearest-neighbour sampling and captioned underneath, like the seed's figures.
 * SVG with embedded PNG tiles, rasterised by resvg with the system fonts.
 */
export async function adversarialGridPng(
  tiles: GridTile[],
  height: number,
  width: number,
  scale = 4,
): Promise<Uint8Array> {
  const gap = 8;
  const tileWidth = width * scale;
  const tileHeight = height * scale;
  const captionHeight = 34;
  const totalWidth = gap + tiles.length * (tileWidth + gap);
  const totalHeight = gap + tileHeight + captionHeight + gap;
  const parts: string[] = [];
  for (const [index, tile] of tiles.entries()) {
    const bytes = Uint8Array.from({ length: height * width }, (_, i) =>
      Math.round(255 * Math.min(1, Math.max(0, Number(tile.pixels[i])))),
    );
    const png = await sharp(bytes, { raw: { width, height, channels: 1 } })
      .resize(tileWidth, tileHeight, { kernel: 'nearest' })
      .png()
      .toBuffer();
    const x = gap + index * (tileWidth + gap);
    parts.push(
      `<rect x="${x - 2}" y="${gap - 2}" width="${tileWidth + 4}" height="${tileHeight + 4}" fill="${frames[tile.status]}"/>`,
      `<image x="${x}" y="${gap}" width="${tileWidth}" height="${tileHeight}" href="data:image/png;base64,${png.toString('base64')}"/>`,
      `<text x="${x + tileWidth / 2}" y="${gap + tileHeight + 16}" font-size="12" text-anchor="middle">${escapeXml(tile.caption)}</text>`,
      `<text x="${x + tileWidth / 2}" y="${gap + tileHeight + 30}" font-size="11" fill="#555" text-anchor="middle">${escapeXml(tile.detail)}</text>`,
    );
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${totalWidth}" height="${totalHeight}" font-family="DejaVu Sans, sans-serif">${parts.join('')}</svg>`;
  const resvg = new Resvg(svg, {
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
