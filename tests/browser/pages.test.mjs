// Every page of the built book in headless Chromium: it loads cleanly, the sidebar, search,
// theme and hidden-lines controls work, nothing overflows a phone screen, and blocks that must
// not run show no play button.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  serveBook, launch, newPage, routePlayground, summaryChapters, rustFences, isRunnable, openDetails,
} from './support.mjs';

let server;
let browser;
const chapters = summaryChapters();

before(async () => {
  server = await serveBook();
  browser = await launch();
  await routePlayground(browser.context);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Loads a page and waits until its play buttons have been decided (the crate list arrived). */
async function open(page, html) {
  // mdBook asks the playground for its crate list only when the page has a playground block:
  // a Rust block not marked noplayground or ignore (no_run blocks are playground blocks whose
  // button is hidden afterwards).
  const hasPlayground = rustFences(html.replace(/\.html$/, '.md'))
    .some((fence) => !fence.flags.some((f) => ['noplayground', 'noplaypen', 'ignore'].includes(f)));
  const crates = hasPlayground
    ? page.waitForResponse((r) => r.url().endsWith('/meta/crates'), { timeout: 30_000 })
    : null;
  await page.goto(server.url + html, { waitUntil: 'load' });
  if (crates) {
    await crates;
    // update_play_button runs in the fetch's promise chain: let it finish.
    await page.evaluate(() => new Promise((ok) => setTimeout(ok, 50)));
  }
}

test('every chapter loads without console errors', async () => {
  const page = await newPage(browser.context);
  for (const html of ['index.html', ...chapters.map((c) => c.html), 'print.html']) {
    page.errors.length = 0;
    const response = await page.goto(server.url + html, { waitUntil: 'load' });
    assert.equal(response.status(), 200, `${html}: HTTP ${response.status()}`);
    await page.waitForLoadState('networkidle');
    assert.deepEqual(page.errors, [], `${html} logged errors`);
  }
  await page.close();
});

test('the sidebar lists every chapter of SUMMARY.md', async () => {
  const page = await newPage(browser.context);
  await page.goto(server.url + 'index.html');
  const links = await page.$$eval('#mdbook-sidebar a[href]', (as) =>
    as.map((a) => ({ href: new URL(a.href).pathname.split('/').pop(), text: a.textContent })));
  for (const chapter of chapters) {
    const link = links.find((l) => l.href === chapter.html);
    assert.ok(link, `the sidebar has no link to ${chapter.html}`);
    assert.ok(link.text.includes(chapter.title), `the sidebar's link to ${chapter.html} reads "${link.text}"`);
  }
  await page.close();
});

test('search finds RawWakerVTable', async () => {
  const page = await newPage(browser.context);
  await page.goto(server.url + 'index.html');
  await page.click('#mdbook-search-toggle');
  // The searcher listens to keyup: type like a reader does.
  await page.locator('#mdbook-searchbar').pressSequentially('RawWakerVTable');
  const first = page.locator('#mdbook-searchresults li a').first();
  await first.waitFor({ state: 'visible', timeout: 10_000 });
  const hrefs = await page.$$eval('#mdbook-searchresults li a', (as) => as.map((a) => a.getAttribute('href')));
  assert.ok(hrefs.some((h) => h.startsWith('ch02-')), `no result in chapter 2: ${hrefs.join(', ')}`);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the theme switch changes the theme', async () => {
  const page = await newPage(browser.context);
  await page.goto(server.url + 'index.html');
  const before = await page.evaluate(() => ({
    classes: document.documentElement.className,
    background: getComputedStyle(document.documentElement).backgroundColor,
  }));
  const target = before.classes.includes('coal') ? 'light' : 'coal';
  await page.click('#mdbook-theme-toggle');
  await page.click(`#mdbook-theme-${target}`);
  const now = await page.evaluate(() => ({
    classes: document.documentElement.className,
    background: getComputedStyle(document.documentElement).backgroundColor,
  }));
  assert.ok(now.classes.split(' ').includes(target), `html has classes "${now.classes}"`);
  assert.notEqual(now.background, before.background, 'the background colour did not change');
  // The choice survives a reload.
  await page.reload();
  const kept = await page.evaluate(() => document.documentElement.className);
  assert.ok(kept.split(' ').includes(target), `after a reload html has classes "${kept}"`);
  await page.evaluate(() => localStorage.clear());
  await page.close();
});

test('the eye button reveals hidden lines', async () => {
  const page = await newPage(browser.context);
  const chapter = chapters.find((c) => c.html.startsWith('ch01-'));
  await page.goto(server.url + chapter.html);
  const pre = page.locator('pre:has(code .boring)').first();
  const boring = pre.locator('.boring').first();
  assert.equal(await boring.isVisible(), false, 'a hidden line is visible before the eye is pressed');
  // The buttons of a block appear when the pointer is over it.
  await pre.hover();
  await pre.locator('button[title="Show hidden lines"]').click();
  assert.equal(await boring.isVisible(), true, 'the hidden line stays hidden after pressing the eye');
  await pre.locator('button[title="Hide lines"]').click();
  assert.equal(await boring.isVisible(), false, 'pressing the eye again does not hide the line');
  await page.close();
});

test('no page is wider than a 375 px phone screen', async () => {
  const page = await newPage(browser.context);
  await page.setViewportSize({ width: 375, height: 740 });
  const wide = [];
  for (const html of ['index.html', ...chapters.map((c) => c.html)]) {
    await page.goto(server.url + html);
    await openDetails(page);
    const { scroll, viewport, culprit } = await page.evaluate(() => {
      const viewport = document.documentElement.clientWidth;
      // The widest element that is not inside something that scrolls on its own.
      let culprit = null;
      for (const el of document.querySelectorAll('#mdbook-content *')) {
        const box = el.getBoundingClientRect();
        if (box.right > viewport + 1 && !el.closest('pre, .table-wrapper')) {
          culprit = `<${el.tagName.toLowerCase()} class="${el.className}"> ends at ${Math.round(box.right)} px`;
          break;
        }
      }
      return { scroll: document.documentElement.scrollWidth, viewport, culprit };
    });
    if (scroll > viewport) wide.push(`${html}: ${scroll} px > ${viewport} px (${culprit ?? 'no single culprit'})`);
  }
  assert.deepEqual(wide, []);
  await page.close();
});

test('blocks marked noplayground, ignore or no_run show no play button; the others show one', async () => {
  const page = await newPage(browser.context);
  for (const chapter of chapters) {
    const fences = rustFences(chapter.md);
    if (fences.length === 0) continue;
    await open(page, chapter.html);
    await openDetails(page);
    const blocks = await page.$$eval('pre:has(> code.language-rust)', (pres) => pres.map((pre) => {
      const button = pre.querySelector('.play-button');
      return {
        playground: pre.classList.contains('playground'),
        visible: !!button && !button.hidden && !button.classList.contains('hidden')
          && getComputedStyle(button).display !== 'none',
      };
    }));
    assert.equal(blocks.length, fences.length,
      `${chapter.html} shows ${blocks.length} Rust blocks, src/${chapter.md} has ${fences.length}`);
    fences.forEach((fence, i) => {
      const where = `src/${fence.md}:${fence.line} (\`\`\`${fence.info})`;
      if (isRunnable(fence)) {
        assert.ok(blocks[i].visible, `${where} should have a play button`);
      } else {
        assert.ok(!blocks[i].visible, `${where} must not show a play button`);
      }
    });
  }
  await page.close();
});
