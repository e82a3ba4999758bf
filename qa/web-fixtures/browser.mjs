// browser.mjs: the one way the web view's qa tests (700-719) drive a browser: Debian's
// Chromium (/usr/bin/chromium, never a downloaded one) through playwright-core, headless,
// one browser at a time, always closed, and a whole scenario bounded in time
// ($WEB_SCENARIO_S seconds, default 50).
//   import { withPage } from '.../qa/web-fixtures/browser.mjs';
//   await withPage(async (page) => { await page.goto(url); ... });
// Uncaught errors in the page, and console errors other than failed network loads (which
// the tests that stop pmproxy cause on purpose), are printed, so they break a golden
// output. AGENTBENCH_WEB_SHOTS=DIR makes shot(page, name) write DIR/name.png.
import { chromium } from 'playwright-core';

const FLAGS = ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-extensions', '--mute-audio'];

export async function withPage(fn, { timeoutMs = 1000 * (Number(process.env.WEB_SCENARIO_S) || 50),
  viewport = { width: 1280, height: 860 } } = {}) {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
    args: FLAGS, timeout: 30000 });
  const timer = setTimeout(() => {
    console.log('FAIL: the browser scenario did not finish in time');
    browser.close().finally(() => process.exit(1));
  }, timeoutMs);
  try {
    const page = await browser.newPage({ viewport });
    page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) console.log(`console error: ${m.text()}`);
    });
    await fn(page);
  } finally {
    clearTimeout(timer);
    await browser.close();
  }
}

// Wait until fn(page) returns a truthy value (polled), or fail with what and, when the page
// has a #conn element, what the page showed last (its connection line and banner).
export async function until(page, what, fn, timeoutMs = 30000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn(page);
    if (v) return v;
    if (Date.now() > end) {
      const seen = await page.evaluate(() => {
        const text = (id) => { const e = document.getElementById(id); return e && !e.hidden ? e.textContent.trim().slice(0, 200) : null; };
        return { conn: text('conn'), banner: text('banner') };
      }).catch(() => ({}));
      throw new Error(`timed out waiting for ${what} (the page showed: ${JSON.stringify(seen)})`);
    }
    await page.waitForTimeout(100);
  }
}

// opts.fullPage: the whole page (a flame graph is drawn root at the bottom, below the fold)
export async function shot(page, name, opts = {}) {
  const dir = process.env.AGENTBENCH_WEB_SHOTS;
  if (dir) await page.screenshot({ path: `${dir}/${name}.png`, fullPage: !!opts.fullPage });
}
