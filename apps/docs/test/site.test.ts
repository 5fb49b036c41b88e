// End-to-end tests of the built site (site/.vitepress/dist, from `pnpm --filter docs build`) in
// headless Chromium: every page loads without console errors, each demo runs and its chart gets
// data, and a screenshot of each demo is saved under test-artifacts/ (gitignored).
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, relative, resolve } from 'node:path';
import { browserTestsEnabled, launchHeadlessChromium } from '@actlab/test-utils';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const runBrowserTests = browserTestsEnabled();
const docsDir = resolve(import.meta.dirname, '..');
const distDir = join(docsDir, 'site', '.vitepress', 'dist');
const artifacts = join(docsDir, 'test-artifacts');
const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.bin': 'application/octet-stream',
};

function htmlPages(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.html') && name !== '404.html')
    .map((name) => `/${name.split('\\').join('/')}`)
    .sort();
}

let server: Server;
let base = '';
let browser: Browser;

async function openPage(path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${path}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`${path}: ${error.message}`));
  await page.goto(`${base}${path}`, { waitUntil: 'load' });
  return { page, errors };
}

describe.skipIf(!runBrowserTests)('the docs site in headless Chromium', () => {
  beforeAll(async () => {
    if (!existsSync(join(distDir, 'index.html'))) {
      throw new Error(`${distDir} is missing: run corepack pnpm --filter docs build first.`);
    }
    mkdirSync(artifacts, { recursive: true });
    server = createServer((request, response) => {
      const path = decodeURIComponent((request.url ?? '/').split('?')[0] ?? '/');
      let file = resolve(distDir, `.${path.endsWith('/') ? `${path}index.html` : path}`);
      if (!existsSync(file) && existsSync(`${file}.html`)) file = `${file}.html`;
      if (relative(distDir, file).startsWith('..') || !existsSync(file)) {
        response.statusCode = 404;
        response.end('not found');
        return;
      }
      response.setHeader('content-type', types[extname(file)] ?? 'application/octet-stream');
      response.end(readFileSync(file));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchHeadlessChromium();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => server?.close(done));
  });

  it('loads every page (guides, API reference, results, demos) without console errors', async () => {
    const pages = htmlPages(distDir);
    for (const wanted of ['/index.html', '/guide/activations.html', '/results/index.html']) {
      expect(pages).toContain(wanted);
    }
    expect(pages.filter((p) => p.startsWith('/api/')).length).toBe(7);
    const errors: string[] = [];
    const context = await browser.newContext();
    const page = await context.newPage();
    let current = '';
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`${current}: ${message.text()}`);
    });
    page.on('pageerror', (error) => errors.push(`${current}: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400)
        errors.push(`${current}: ${response.status()} ${response.url()}`);
    });
    for (const path of pages) {
      current = path;
      await page.goto(`${base}${path}`, { waitUntil: 'load' });
    }
    await context.close();
    expect(errors).toEqual([]);
  }, 90_000);

  it('shows the quick start from examples/quick-start.mjs on each guide', async () => {
    for (const name of [
      'activations',
      'gradient-probe',
      'mnist-loader',
      'backend',
      'adversarial-generator',
      'mask-detector',
    ]) {
      const { page, errors } = await openPage(`/guide/${name}.html`);
      const example = readFileSync(
        join(docsDir, `../../packages/${name}/examples/quick-start.mjs`),
        'utf8',
      );
      const code = await page.locator('div.language-js pre').first().innerText();
      expect(code.trim(), name).toBe(example.trim());
      await page.close();
      expect(errors).toEqual([]);
    }
  });

  it('shows the study reports with their machine, date and figures, and the API from the TSDoc', async () => {
    const { page, errors } = await openPage('/results/depth-activation.html');
    const text = await page.locator('main').innerText();
    expect(text).toMatch(/Machine: .+\s+Date: run started \d{4}-\d{2}-\d{2}/);
    const figures = page.locator('main img[src$=".svg"]');
    expect(await figures.count()).toBeGreaterThan(2);
    expect(
      await figures.first().evaluate((img) => (img as HTMLImageElement).naturalWidth),
    ).toBeGreaterThan(0);
    await page.goto(`${base}/api/activations/`);
    expect(await page.locator('main').innerText()).toContain('getActivation');
    await page.close();
    expect(errors).toEqual([]);
  });

  it('activation explorer: draws f and f′ for the activation and parameters in the URL', async () => {
    const { page, errors } = await openPage(
      '/demos/activation-explorer.html?activation=elu&alpha=0.5',
    );
    await page.getByTestId('chart').waitFor();
    expect(await page.getByTestId('activation').inputValue()).toBe('elu');
    expect(await page.getByTestId('param-alpha').inputValue()).toBe('0.5');
    const f = await page.getByTestId('f-path').getAttribute('d');
    const df = await page.getByTestId('df-path').getAttribute('d');
    expect(f?.split('L').length).toBeGreaterThan(300);
    expect(df?.split('L').length).toBeGreaterThan(300);
    expect(await page.getByTestId('range').innerText()).toBe('(−0.5, ∞)');
    // Changing the activation is written back into the URL.
    await page.getByTestId('activation').selectOption('sigmoid');
    await page.waitForURL(/activation=sigmoid/);
    await page.screenshot({ path: join(artifacts, 'activation-explorer.png'), fullPage: true });
    await page.close();
    expect(errors).toEqual([]);
  });

  it('gradient flow: trains a few batches in the page and the charts get points', async () => {
    const { page, errors } = await openPage(
      '/demos/gradient-flow.html?activation=tanh&depth=5&lr=0.1&seed=3&epochs=1',
    );
    expect(await page.getByTestId('depth').inputValue()).toBe('5');
    await page.getByTestId('train').click();
    await page.waitForFunction(
      () =>
        Number(
          document.querySelector('[data-testid="accuracy-chart"]')?.getAttribute('data-points'),
        ) >= 3,
      undefined,
      { timeout: 60_000 },
    );
    await page.getByTestId('stop').click();
    await page.getByTestId('train').waitFor({ timeout: 20_000 });
    const probes = Number(await page.getByTestId('gradient-chart').getAttribute('data-points'));
    expect(probes).toBeGreaterThanOrEqual(3);
    expect(await page.locator('[data-testid="gradient-chart"] path').count()).toBe(2);
    expect(await page.getByTestId('status').innerText()).toMatch(/Stopped after \d+ steps/);
    await page.screenshot({ path: join(artifacts, 'gradient-flow.png'), fullPage: true });
    await page.close();
    expect(errors).toEqual([]);
  }, 90_000);

  it('gradient flow: a run that diverges says so instead of drawing NaN', async () => {
    const { page, errors } = await openPage(
      '/demos/gradient-flow.html?activation=exponential&depth=3&lr=1&seed=1&epochs=1',
    );
    await page.getByTestId('train').click();
    await page.getByTestId('diverged').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('diverged').innerText()).toMatch(
      /Diverged at step \d+: the training loss became NaN/,
    );
    expect(await page.locator('[data-testid="gradient-chart"] path[d*="NaN"]').count()).toBe(0);
    await page.close();
    expect(errors).toEqual([]);
  }, 90_000);

  it('adversarial: the three attacks run on the digit and target in the URL and show their images', async () => {
    const { page, errors } = await openPage(
      '/demos/adversarial.html?index=7&target=3&steps=150&eps=0.25&seed=1',
    );
    expect(await page.getByTestId('index').inputValue()).toBe('7');
    expect(await page.getByTestId('target').inputValue()).toBe('3');
    await page.getByTestId('attack').click();
    await page.getByTestId('result-2').waitFor({ timeout: 90_000 });
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="status"]')?.textContent?.startsWith('Done'),
    );
    expect(await page.getByTestId('original').innerText()).toMatch(
      /original: a \d, predicted \d \(\d+\.\d %\)/,
    );
    for (const [i, method] of ['generator', 'FGSM', 'PGD'].entries()) {
      const text = await page.getByTestId(`result-${i}`).innerText();
      expect(text).toContain(method);
      expect(text).toMatch(/predicted \d \(\d+\.\d %\) — target (reached|missed)/);
      const linf = Number(text.match(/L∞ (\d+\.\d+)/)?.[1]);
      expect(linf).toBeGreaterThan(0);
      if (method !== 'generator') expect(linf).toBeLessThanOrEqual(0.25 + 1e-6);
      // The adversarial image was drawn: some of its pixels are neither black nor transparent.
      const lit = await page
        .getByTestId(`result-${i}`)
        .locator('canvas')
        .first()
        .evaluate((canvas) => {
          const pixels = (canvas as HTMLCanvasElement)
            .getContext('2d')
            ?.getImageData(0, 0, 28, 28).data;
          return Array.from(pixels ?? []).filter((v, k) => k % 4 === 0 && v > 0).length;
        });
      expect(lit).toBeGreaterThan(20);
    }
    // PGD with ε = 0.25 against a plain dense net reaches the target.
    expect(await page.getByTestId('result-2').innerText()).toContain('target reached');
    await page.screenshot({ path: join(artifacts, 'adversarial.png'), fullPage: true });
    await page.close();
    expect(errors).toEqual([]);
  }, 120_000);

  it('mask detector: classifies the sample faces with the shipped weights and the crop in the URL', async () => {
    const { page, errors } = await openPage('/demos/mask-detector.html?face=1');
    await page.waitForFunction(
      () =>
        /sample faces classified correctly/.test(
          document.querySelector('[data-testid="status"]')?.textContent ?? '',
        ),
      undefined,
      { timeout: 60_000 },
    );
    const [correct, total] = (
      (await page.getByTestId('status').innerText()).match(/(\d+) of (\d+)/) ?? []
    )
      .slice(1)
      .map(Number);
    expect(total).toBe(10);
    expect(correct).toBeGreaterThanOrEqual(6);
    const result = await page.getByTestId('result').innerText();
    expect(result).toMatch(/\(true label (with_mask|no_mask)\): (with_mask|no_mask) \(\d+\.\d %\)/);
    expect(result).toMatch(/with_mask: \d+\.\d %/);
    expect(result).toMatch(/no_mask: \d+\.\d %/);
    await page.getByTestId('face-3').click();
    expect(page.url()).toContain('face=3');
    await page.screenshot({ path: join(artifacts, 'mask-detector.png'), fullPage: true });
    await page.close();
    expect(errors).toEqual([]);
  }, 90_000);
});
