// Every play button of the book, pressed in headless Chromium. The page's requests to
// play.rust-lang.org are answered by a stand-in that compiles the exact code sent with the local
// rustc and runs it; what the page then shows must be the program's documented output (its
// output.txt, minus the command on the first line).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  serveBook, launch, newPage, routePlayground, summaryChapters, rustFences, isRunnable,
  documentedOutput, openDetails, compile,
} from './support.mjs';

let server;
let browser;
let requests;

before(async () => {
  server = await serveBook();
  browser = await launch();
  requests = await routePlayground(browser.context);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Runs at most `limit` of the jobs at a time. */
async function pool(items, limit, job) {
  const queue = [...items];
  await Promise.all(Array.from({ length: limit }, async () => {
    while (queue.length) await job(queue.shift());
  }));
}

for (const chapter of summaryChapters()) {
  const fences = rustFences(chapter.md);
  const runnable = fences.filter(isRunnable);
  if (runnable.length === 0) continue;

  test(`every play button of ${chapter.html} prints the documented output`, { timeout: 180_000 }, async () => {
    const page = await newPage(browser.context);
    const crates = page.waitForResponse((r) => r.url().endsWith('/meta/crates'));
    await page.goto(server.url + chapter.html);
    await crates;
    await openDetails(page);
    const pres = page.locator('pre:has(> code.language-rust)');
    assert.equal(await pres.count(), fences.length,
      `${chapter.html} shows ${await pres.count()} Rust blocks, src/${chapter.md} has ${fences.length}`);

    // The page gives each request 6 s. Compile every program before pressing anything, so
    // that a request only has to run it (the programs of chapters 3 and 4 sleep 2-3 s).
    const jobs = [];
    for (const [i, fence] of fences.entries()) {
      if (!isRunnable(fence)) continue;
      const pre = pres.nth(i);
      const code = await pre.locator('code').first().evaluate((c) => c.textContent);
      const edition = await pre.locator('code').first()
        .evaluate((c) => [...c.classList].find((k) => k.startsWith('edition'))?.slice(7) ?? '2015');
      jobs.push({ fence, pre, code, edition });
    }
    await pool(jobs, 2, async (job) => {
      const built = await compile(job.code, job.edition);
      assert.ok(built.ok, `src/${job.fence.md}:${job.fence.line} does not compile:\n${built.messages}`);
    });

    // Press the buttons one after the other (a click moves the mouse and may scroll), then
    // wait for all the results together: the programs mostly sleep, so they share the machine.
    const before = requests.length;
    const results = [];
    for (const { pre } of jobs) {
      const button = pre.locator('.play-button');
      // The button is unhidden once the crate list has arrived, and shown on hover.
      await button.evaluate((b) => new Promise((ok) => {
        const check = () => !b.hidden && !b.classList.contains('hidden') && ok();
        if (!check()) new MutationObserver(check).observe(b, { attributes: true });
      }));
      await pre.hover();
      await button.click();
      results.push(pre.locator('code.result').evaluate((el) => new Promise((ok) => {
        const done = () => el.innerText !== 'Running...' && ok(el.innerText);
        if (!done()) new MutationObserver(done).observe(el, { childList: true, characterData: true, subtree: true });
      })));
    }
    const failures = [];
    for (let [i, shown] of (await Promise.all(results)).entries()) {
      const { fence, pre } = jobs[i];
      const where = `src/${fence.md}:${fence.line}`;
      const expected = documentedOutput(fence);
      // The programs above ran side by side; one that prints a time (chapter 3's reactor
      // rounds to 0.1 s) can be late on a loaded machine. Press again, alone, up to three
      // times: a program whose output is wrong is wrong every time.
      for (let again = 0; again < 3 && expected !== null && shown.trimEnd() !== expected.trimEnd(); again++) {
        shown = await replay(pre);
      }
      if (expected === null) {
        failures.push(`${where}: ${fence.include} has no output.txt beside it; mark the block no_run`);
      } else if (shown.trimEnd() !== expected.trimEnd()) {
        // innerText drops a final newline; the text is otherwise compared exactly.
        failures.push(`${where} (${fence.include}) shows:\n${shown}\n--- but its output.txt says:\n${expected}`);
      }
    }
    assert.deepEqual(failures, []);
    // Every press reached the stand-in with the page's full code, hidden lines included.
    const sent = requests.slice(before);
    assert.ok(sent.length >= jobs.length, 'not every press sent a request');
    for (const job of jobs) {
      assert.ok(sent.some((r) => r.code === job.code), `src/${job.fence.md}:${job.fence.line}: the code sent differs from the block's`);
    }
    assert.deepEqual(page.errors, [], `${chapter.html} logged errors`);
    await page.close();
  });
}

/** Presses a block's play button once more and waits for the new result (not the old one). */
async function replay(pre) {
  const result = pre.locator('code.result');
  // Watch first: the new result is the first text after a "Running...".
  await result.evaluate((el) => {
    el.__replay = new Promise((ok) => {
      let running = false;
      const observer = new MutationObserver(() => {
        if (el.innerText === 'Running...') running = true;
        else if (running) { observer.disconnect(); ok(el.innerText); }
      });
      observer.observe(el, { childList: true, characterData: true, subtree: true });
    });
  });
  await pre.hover();
  await pre.locator('.play-button').click();
  return result.evaluate((el) => el.__replay);
}
