// The figures of src/figures/ in the built book: on every page that has one, in a light and a
// dark theme, on a 375 px phone screen, each figure is drawn, stands out from the page and fits
// in it; the other themes keep the palette readable too; print.html holds every figure.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveBook, launch, newPage, routePlayground, summaryChapters, ROOT } from './support.mjs';

let server;
let browser;

/** Every page that includes a figure, with the figures it includes: [{ html, figures }]. */
function figurePages() {
  const pages = [{ md: 'introduction.md' }, ...summaryChapters()];
  const seen = new Set();
  const out = [];
  for (const { md } of pages) {
    if (seen.has(md)) continue;
    seen.add(md);
    const text = readFileSync(join(ROOT, 'src', md), 'utf8');
    const figures = [...text.matchAll(/\{\{#include figures\/([^}\s]+)\.svg\}\}/g)].map((m) => m[1]);
    if (figures.length > 0) out.push({ html: md.replace(/\.md$/, '.html'), figures });
  }
  return out;
}

const pages = figurePages();

before(async () => {
  server = await serveBook();
  browser = await launch();
  // Pages with Rust blocks ask the playground for its crates: answer locally.
  await routePlayground(browser.context);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens `html` in `theme` at a phone's width. */
async function open(html, theme, width = 375) {
  const page = await newPage(browser.context);
  await page.addInitScript((t) => localStorage.setItem('mdbook-theme', t), theme);
  await page.setViewportSize({ width, height: 740 });
  await page.goto(server.url + html, { waitUntil: 'load' });
  const classes = await page.evaluate(() => document.documentElement.className);
  assert.ok(classes.split(' ').includes(theme), `${html}: the page is not in the ${theme} theme: "${classes}"`);
  return page;
}

/**
 * What each figure of the page looks like: its size and place, the colours of its strokes,
 * texts and fills against the page's background and against each other. Runs in the page.
 */
function inspectFigures() {
  const rgb = (css) => {
    const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(css ?? '');
    if (!m || (m[4] !== undefined && Number(m[4]) === 0)) return null;
    return [Number(m[1]), Number(m[2]), Number(m[3])];
  };
  const luminance = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const contrast = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  // The colour a reader sees behind the figure: the first opaque background up the tree.
  const backgroundOf = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c) return c;
    }
    return [255, 255, 255];
  };
  const viewport = document.documentElement.clientWidth;
  return [...document.querySelectorAll('figure > svg.figure')].map((svg) => {
    const name = svg.dataset.figure;
    const box = svg.getBoundingClientRect();
    const bg = backgroundOf(svg.parentElement);
    const fg = rgb(getComputedStyle(svg).color);
    const problems = [];
    if (box.width < 100 || box.height < 40) problems.push(`is drawn ${box.width}×${box.height} px`);
    if (box.left < -1 || box.right > viewport + 1) {
      problems.push(`spans ${Math.round(box.left)}..${Math.round(box.right)} px on a ${viewport} px page`);
    }
    if (getComputedStyle(svg).visibility !== 'visible' || getComputedStyle(svg).display === 'none') {
      problems.push('is hidden');
    }
    if (!svg.getAttribute('aria-label') || svg.getAttribute('role') !== 'img') {
      problems.push('has no role="img" with an aria-label');
    }
    const caption = svg.parentElement.querySelector('figcaption')?.textContent.trim() ?? '';
    if (caption.length < 20) problems.push(`has the caption "${caption}"`);
    if (contrast(fg, bg) < 4.5) {
      problems.push(`draws in ${fg} on ${bg}: contrast ${contrast(fg, bg).toFixed(2)} < 4.5`);
    }
    const low = new Set();
    let strokes = 0;
    for (const el of svg.querySelectorAll('path, polygon, line, circle, ellipse, rect')) {
      const style = getComputedStyle(el);
      const stroke = rgb(style.stroke);
      if (stroke && style.strokeWidth !== '0px') {
        strokes += 1;
        // Graphical objects: WCAG's 3:1 against what is around them.
        if (contrast(stroke, bg) < 3) low.add(`stroke ${stroke} on ${bg}`);
      }
      // A filled box (a closed path; arrowheads and dots are polygons and circles) may hold
      // text in the figure's own colour.
      const fill = rgb(style.fill);
      // A box too small to hold a line of text is a marker: it may be filled with an ink.
      const isBox = el.tagName === 'path' && /z\s*$/i.test(el.getAttribute('d') ?? '')
        && el.getBBox().height >= 16 && el.getBBox().width >= 24;
      if (isBox && fill && contrast(fg, fill) < 4.5) low.add(`text ${fg} on a fill of ${fill}`);
    }
    for (const el of svg.querySelectorAll('text')) {
      const fill = rgb(getComputedStyle(el).fill);
      if (fill && contrast(fill, bg) < 3) low.add(`text "${el.textContent}" in ${fill} on ${bg}`);
    }
    if (strokes === 0) problems.push('has no visible stroke');
    problems.push(...[...low].map((l) => `low contrast: ${l}`));
    return { name, problems };
  });
}

for (const theme of ['light', 'coal']) {
  test(`every figure is drawn, stands out and fits a 375 px page, in the ${theme} theme`, async () => {
    const found = [];
    for (const { html, figures } of pages) {
      const page = await open(html, theme);
      const seen = await page.evaluate(inspectFigures);
      assert.deepEqual(seen.map((f) => f.name), figures, `${html}: the figures on the page`);
      for (const { name, problems } of seen) {
        for (const problem of problems) found.push(`${html}: ${name} ${problem}`);
      }
      assert.deepEqual(page.errors, [], `${html} logged errors`);
      await page.close();
    }
    assert.deepEqual(found, []);
  });
}

test('the other themes keep every figure readable', async () => {
  const found = [];
  for (const theme of ['rust', 'navy', 'ayu']) {
    for (const { html } of pages) {
      const page = await open(html, theme);
      for (const { name, problems } of await page.evaluate(inspectFigures)) {
        for (const problem of problems) found.push(`${theme}: ${html}: ${name} ${problem}`);
      }
      await page.close();
    }
  }
  assert.deepEqual(found, []);
});

test('print.html holds every figure', async () => {
  const page = await open('print.html', 'light', 1000);
  const names = await page.evaluate(() =>
    [...document.querySelectorAll('figure > svg.figure')].map((svg) => svg.dataset.figure));
  assert.deepEqual(names, pages.flatMap((p) => p.figures));
  await page.close();
});
