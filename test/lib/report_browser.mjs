// test/lib/report_browser.mjs: open a journey report (scripts/journey_report.sh)
// in headless Chromium with networking off and check it. Used by
// test/suites/journey_report.sh.
//
//   node report_browser.mjs --modules DIR --chromium PATH --page FILE
//        --charts a,b,c --data-out FILE [--screenshot FILE [--screenshot-height H]]
//
// --modules is the node_modules dir holding puppeteer-core (the suite installs
// it with npm into a cache outside the repository); --chromium the browser
// (Debian's chromium). Chromium runs with every host name unresolvable and a
// proxy that does not exist, and the page's requests are watched through
// the DevTools protocol (puppeteer talks to it over a pipe, not a socket):
// any request other than the page itself fails the check.
//
// Prints one line per check, "ok|description" or "not ok|description|diag|...",
// which the suite turns into TAP; writes the page's embedded JSON document
// (as the page parsed it) to --data-out for the suite to compare with SQL.

import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const require = createRequire(path.join(args.modules, 'noop.js'));
const puppeteer = require('puppeteer-core');

let failures = 0;
function ok(desc) { console.log(`ok|${desc}`); }
function notOk(desc, ...diag) {
  failures++;
  console.log(['not ok', desc, ...diag.map((d) => String(d).replace(/[|\n]/g, ' ').slice(0, 600))].join('|'));
}
function check(cond, desc, ...diag) { if (cond) ok(desc); else notOk(desc, ...diag); }

const pageUrl = pathToFileURL(path.resolve(args.page)).href;
const expected = args.charts.split(',').filter(Boolean);

const browser = await puppeteer.launch({
  executablePath: args.chromium,
  headless: true,
  pipe: true,
  args: [
    '--no-sandbox', // root in a container; the page is our own file
    '--host-resolver-rules=MAP * ~NOTFOUND',
    '--proxy-server=http://127.0.0.1:9',
    '--proxy-bypass-list=<-loopback>',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-default-apps', '--disable-extensions', '--no-first-run', '--no-default-browser-check',
    '--disable-dev-shm-usage', '--disable-gpu', '--mute-audio', '--hide-scrollbars',
  ],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900, deviceScaleFactor: 1 });
  const consoleErrors = [];
  const requests = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'assert') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
  // every request the page makes goes through here; only the page itself may pass
  await page.setRequestInterception(true);
  page.on('request', (r) => {
    const u = r.url();
    if (u === pageUrl) { r.continue(); return; }
    requests.push(u.slice(0, 200));
    r.abort('blockedbyclient');
  });

  const resp = await page.goto(pageUrl, { waitUntil: 'load', timeout: 60000 });
  check(resp === null || resp.ok() || pageUrl.startsWith('file:'), 'the page loads', resp && resp.status());
  let ready = true;
  try {
    await page.waitForFunction('window.cjReport && window.cjReport.ready === true', { timeout: 60000 });
  } catch (e) {
    ready = false;
  }
  const pageErrors = await page.evaluate(() => (window.cjReport ? window.cjReport.errors : ['no window.cjReport']));
  check(ready, 'the page script ran to the end and drew the charts', ...pageErrors);
  // ECharts draws synchronously (animation is off); give the frame a moment
  await page.evaluate(() => new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res))));

  // one JSON block, parsed the way the page parsed it
  const blocks = await page.evaluate(() => document.querySelectorAll('script[type="application/json"]').length);
  check(blocks === 1, 'one <script type="application/json"> block', `found ${blocks}`);
  const data = await page.evaluate(() => document.getElementById('cj-data').textContent);
  writeFileSync(args['data-out'], data);
  const externals = await page.evaluate(() =>
    [...document.querySelectorAll('script[src], link[href], img[src], iframe, object, embed')].map((e) => e.outerHTML.slice(0, 120)));
  check(externals.length === 0, 'no external scripts, stylesheets, images or frames', ...externals);

  // every chart: an ECharts instance whose series all have data, on a canvas
  // that is not blank
  const charts = await page.evaluate(() => {
    const out = {};
    for (const [name, inst] of Object.entries(window.cjCharts || {})) {
      const opt = inst.getOption();
      const series = (opt.series || []).map((s) => ({
        type: s.type,
        name: s.name,
        n: (s.data || []).filter((d) => d !== null && d !== undefined).length,
        links: s.links ? s.links.length : undefined,
      }));
      const canvas = inst.getDom().querySelector('canvas');
      let inked = 0, colours = 0;
      if (canvas) {
        const ctx = canvas.getContext('2d');
        const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        const seen = new Set();
        for (let i = 0; i < px.length; i += 4) {
          if (px[i + 3] > 0 && !(px[i] > 250 && px[i + 1] > 250 && px[i + 2] > 250)) inked++;
          if (seen.size < 64) seen.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
        }
        colours = seen.size;
      }
      out[name] = { series, canvas: !!canvas, width: canvas ? canvas.width : 0, height: canvas ? canvas.height : 0,
                    inked, colours };
    }
    return out;
  });
  for (const name of expected) {
    const c = charts[name];
    if (!c) { notOk(`chart ${name} exists`, `charts: ${Object.keys(charts).join(', ')}`); continue; }
    const empty = c.series.filter((s) => s.n === 0 || s.links === 0);
    check(c.series.length > 0 && empty.length === 0, `chart ${name}: ${c.series.length} series, all with data`,
      JSON.stringify(c.series));
    const area = c.width * c.height;
    check(c.canvas && area > 0 && c.inked > area * 0.005 && c.colours > 3,
      `chart ${name}: canvas drawn (${c.inked} of ${area} pixels inked, ${c.colours}+ colours)`, JSON.stringify(c));
  }
  const extra = Object.keys(charts).filter((n) => !expected.includes(n));
  check(extra.length === 0, 'no unexpected charts', extra.join(', '));

  if (args.screenshot) {
    // --screenshot-height H: only the top H pixels of the page (the README's picture)
    const h = Number(args['screenshot-height'] || 0);
    const full = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.screenshot({ path: args.screenshot, type: 'png', captureBeyondViewport: true,
                            clip: { x: 0, y: 0, width: 1280, height: h > 0 ? Math.min(h, full) : full } });
    ok(`screenshot saved (${path.basename(args.screenshot)})`);
  }
  check(consoleErrors.length === 0, 'no console errors', ...consoleErrors);
  check(requests.length === 0, 'no network requests', ...requests);
} finally {
  await browser.close();
}
process.exit(failures ? 1 : 0);
