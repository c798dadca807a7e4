// Shared by the browser tests: a static server for the built book, headless Chromium, and a
// local stand-in for play.rust-lang.org that compiles with the local rustc.
//
// `cargo xtask test browser` sets the environment (see xtask/src/browser.rs):
//   BOOK_ROOT          the repository root
//   BOOK_CHROMIUM      the Chromium (or Chrome) binary
//   BOOK_RUSTC_ARGS    JSON array of extra rustc arguments (-L/--extern for futures, libc)
//   BOOK_CRATES        JSON array of the crate names the stand-in playground offers

import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, existsSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, extname, normalize, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const run = promisify(execFile);

export const ROOT = process.env.BOOK_ROOT ?? resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const HTML = process.env.BOOK_HTML ?? join(ROOT, 'book', 'html');
// The book is published under this path (book.toml's site-url); serving it there too keeps
// absolute links such as the 404 page's honest.
export const BASE = '/book/';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json',
  '.woff': 'font/woff', '.woff2': 'font/woff2', '.ttf': 'font/ttf', '.txt': 'text/plain',
};

/** Serves book/html under BASE on 127.0.0.1 and a free port. Returns { url, close }. */
export async function serveBook() {
  if (!existsSync(join(HTML, 'index.html'))) {
    throw new Error(`${HTML} has no index.html: build the book first (cargo xtask build)`);
  }
  if (readFileSync(join(HTML, 'index.html'), 'utf8').includes('__livereload')) {
    throw new Error(`${HTML} was written by \`mdbook serve\` (it holds the live-reload script, which `
      + 'fails without its server): run `cargo xtask build` first');
  }
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (!path.startsWith(BASE)) {
      res.writeHead(404).end();
      return;
    }
    let file = normalize(join(HTML, path.slice(BASE.length)));
    if (!file.startsWith(HTML)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${BASE}`,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

/** Headless Chromium with the flags that work offline, in a fresh profile. */
export async function launch(options = {}) {
  const executablePath = process.env.BOOK_CHROMIUM ?? '/usr/bin/chromium';
  const profile = mkdtempSync(join(tmpdir(), 'book-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    ...options,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A page that records console errors and uncaught exceptions in `page.errors`. */
export async function newPage(context) {
  const page = await context.newPage();
  page.errors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') page.errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => page.errors.push(`exception: ${error.message}`));
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText;
    // A request cut off because the test moved on to the next page (a late favicon) is not a
    // fault of the page; a missing file is a 404, not an abort.
    if (reason !== 'net::ERR_ABORTED') page.errors.push(`request failed: ${request.url()} (${reason})`);
  });
  return page;
}

/** The chapters SUMMARY.md links, in order: [{ title, html }] (drafts have no page). */
export function summaryChapters() {
  const summary = readFileSync(join(ROOT, 'src', 'SUMMARY.md'), 'utf8');
  const out = [];
  for (const match of summary.matchAll(/\[([^\]]+)\]\(([^)]+\.md)\)/g)) {
    out.push({ title: match[1], md: match[2], html: match[2].replace(/\.md$/, '.html') });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The stand-in playground.

// Binaries live for one run: a toolchain update can never serve a stale one.
const cacheDir = mkdtempSync(join(tmpdir(), 'book-playground-'));
process.on('exit', () => rmSync(cacheDir, { recursive: true, force: true }));
const builds = new Map(); // hash → Promise<{ ok, binary, messages }>

function rustcArgs() {
  return JSON.parse(process.env.BOOK_RUSTC_ARGS ?? '[]');
}

export function crateList() {
  const names = JSON.parse(process.env.BOOK_CRATES ?? '["futures","libc"]');
  return names.map((name) => ({ name, version: '0.0.0', id: name }));
}

/** Compiles `code` as edition `edition`, once per distinct (code, edition, flags). */
export function compile(code, edition) {
  const args = rustcArgs();
  const hash = createHash('sha256').update(JSON.stringify([code, edition, args])).digest('hex').slice(0, 24);
  if (!builds.has(hash)) {
    builds.set(hash, (async () => {
      const source = join(cacheDir, `${hash}.rs`);
      const binary = join(cacheDir, `${hash}.bin`);
      writeFileSync(source, code);
      try {
        await run('rustc', ['--edition', edition, '-C', 'opt-level=0', ...args, '-o', binary, source], {
          maxBuffer: 16 << 20,
        });
        return { ok: true, binary, messages: '' };
      } catch (error) {
        return { ok: false, binary, messages: String(error.stderr || error.message) };
      }
    })());
  }
  return builds.get(hash);
}

/** Runs `code` the way the playground does: { result, error }. */
export async function evaluate(code, edition) {
  const built = await compile(code, edition);
  if (!built.ok) return { result: built.messages, error: built.messages };
  try {
    const { stdout } = await run(built.binary, [], { timeout: 30_000, maxBuffer: 16 << 20 });
    return { result: stdout, error: null };
  } catch (error) {
    const messages = `${error.stdout ?? ''}${error.stderr ?? ''}` || String(error.message);
    return { result: messages, error: messages };
  }
}

/** Answers the page's requests to play.rust-lang.org locally. Returns the list of codes run. */
export async function routePlayground(context) {
  const requests = [];
  await context.route('https://play.rust-lang.org/**', async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/meta/crates') {
      await route.fulfill({ json: { crates: crateList() } });
    } else if (url.pathname === '/evaluate.json') {
      const body = route.request().postDataJSON();
      requests.push(body);
      await route.fulfill({ json: await evaluate(body.code, body.edition) });
    } else {
      await route.fulfill({ status: 404, body: 'not a playground endpoint' });
    }
  });
  return requests;
}

// ---------------------------------------------------------------------------------------------
// What the Markdown says about each Rust block.

/**
 * The ```rust blocks of a chapter (a path relative to src/), in order: { line, info, flags,
 * include } where `include` is the absolute path of the file its first include names.
 */
export function rustFences(md) {
  const file = join(ROOT, 'src', md);
  const lines = readFileSync(file, 'utf8').split('\n');
  const out = [];
  let open = null;
  lines.forEach((line, index) => {
    const trimmed = line.trimStart();
    const marker = /^(`{3,}|~{3,})/.exec(trimmed)?.[1];
    if (open) {
      if (marker && marker[0] === open.marker[0] && marker.length >= open.marker.length
          && trimmed.slice(marker.length).trim() === '') {
        if (open.fence) out.push(open.fence);
        open = null;
      } else if (open.fence && !open.fence.include) {
        const include = /\{\{#(?:rustdoc_)?include\s+([^:}\s]+)/.exec(line);
        if (include) open.fence.include = resolve(dirname(file), include[1]);
      }
    } else if (marker) {
      const info = trimmed.slice(marker.length).trim();
      const flags = info.split(/[,\s]+/).filter(Boolean);
      const fence = flags[0] === 'rust'
        ? { md, line: index + 1, info, flags: flags.slice(1), include: null }
        : null;
      open = { marker, fence };
    }
  });
  return out;
}

/** Whether mdBook gives this block a play button: not noplayground/ignore/no_run. */
export function isRunnable(fence) {
  return !fence.flags.some((f) => ['noplayground', 'noplaypen', 'ignore', 'no_run'].includes(f));
}

/** The documented output of the program a fence includes: its output.txt minus the command. */
export function documentedOutput(fence) {
  const output = join(dirname(fence.include), 'output.txt');
  if (!existsSync(output)) return null;
  const text = readFileSync(output, 'utf8');
  return text.slice(text.indexOf('\n') + 1);
}

/** Opens every <details> of the page so that what it holds can be seen and clicked. */
export async function openDetails(page) {
  await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
}
