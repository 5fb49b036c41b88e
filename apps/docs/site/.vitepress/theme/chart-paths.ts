// SVG paths for a few series over shared x values; non-finite points break the line.
export interface ChartPaths {
  paths: string[];
  yMin: number;
  yMax: number;
  zeroX: number;
  zeroY: number | null;
}

export function chartPaths(
  xs: number[],
  series: number[][],
  width: number,
  height: number,
  logY = false,
): ChartPaths {
  const tr = (v: number) => (logY ? Math.log10(v) : v);
  const ys = series.flat().map(tr).filter(Number.isFinite);
  let yMin = ys.length ? Math.min(...ys) : 0;
  let yMax = ys.length ? Math.max(...ys) : 1;
  if (yMax - yMin < 1e-9) {
    yMin -= 0.5;
    yMax += 0.5;
  }
  const pad = (yMax - yMin) * 0.05;
  yMin -= pad;
  yMax += pad;
  const x0 = xs[0] ?? 0;
  const x1 = xs[xs.length - 1] ?? 1;
  const sx = (x: number) => ((x - x0) / (x1 - x0 || 1)) * width;
  const sy = (y: number) => height - ((y - yMin) / (yMax - yMin)) * height;
  const paths = series.map((values) => {
    let d = '';
    let pen = false;
    values.forEach((v, i) => {
      const y = tr(v);
      if (!Number.isFinite(y)) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${sx(xs[i] ?? 0).toFixed(1)},${sy(y).toFixed(1)}`;
      pen = true;
    });
    return d;
  });
  return {
    paths,
    yMin: logY ? 10 ** yMin : yMin,
    yMax: logY ? 10 ** yMax : yMax,
    zeroX: sx(0),
    zeroY: !logY && yMin < 0 && yMax > 0 ? sy(0) : null,
  };
}
