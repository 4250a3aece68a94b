// Drives headless Chromium over built tssa sites and prints one report.
//
//   node run.mjs --chromium /usr/bin/chromium --shots DIR --site NAME=URL [--site NAME=URL]...
//                [--search NAME=TERM]... [--overlay URL]
//
// Every page kind (home, status page, document with code, coverage, glance, process page,
// 404) is visited at 390 and 1366 px, light and dark. Each visit checks axe-core (no serious
// or critical violation), the console, CSP violations, failed requests and, at 390 px,
// sideways scroll. Then the feature contracts shared by the helpers are checked: search,
// home filters, the status summary's place and provenance links. `--overlay` names a page
// the preview serves with its error overlay, checked in every mode too. Exit 1 with the failures
// listed; a screenshot of each failing visit goes to the shots folder.
import { readFileSync, mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { createRequire } from "node:module";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const WIDTHS = [
  { width: 390, height: 844 },
  { width: 1366, height: 900 },
];
const SCHEMES = ["light", "dark"];
const NAV_TIMEOUT = 30_000;

const args = parseArgs(process.argv.slice(2));
const failures = [];
const notes = [];
const fail = (where, what) => failures.push(`${where}: ${what}`);
/// Milliseconds spent in page loads and in axe, to say where a slow run's time went.
const timing = { load: 0, axe: 0 };

function parseArgs(argv) {
  const out = { sites: [], search: new Map(), chromium: "/usr/bin/chromium", shots: "browser-shots" };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === "--chromium") out.chromium = value;
    else if (flag === "--shots") out.shots = value;
    else if (flag === "--overlay") out.overlay = value;
    else if (flag === "--site") {
      const [name, url] = splitPair(value);
      out.sites.push({ name, url: url.endsWith("/") ? url : `${url}/` });
    } else if (flag === "--search") {
      const [name, term] = splitPair(value);
      out.search.set(name, term);
    } else throw new Error(`unknown flag ${flag}`);
  }
  if (out.sites.length === 0) throw new Error("no --site NAME=URL given");
  return out;
}

function splitPair(value) {
  const at = value.indexOf("=");
  if (at < 1) throw new Error(`expected NAME=VALUE, got ${value}`);
  return [value.slice(0, at), value.slice(at + 1)];
}

async function launch() {
  const profile = mkdtempSync(join(tmpdir(), "tssa-chromium-"));
  const browser = await puppeteer.launch({
    executablePath: args.chromium,
    headless: true,
    userDataDir: profile,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return { browser, profile };
}

// ---- what one visit sees -------------------------------------------------------------

/// A tab whose console, CSP and network events go to whichever record is current.
async function openTab(browser) {
  const page = await browser.newPage();
  page.setDefaultTimeout(NAV_TIMEOUT);
  const tab = { page, record: null };
  // Runs before the page's own scripts and outside its CSP.
  await page.evaluateOnNewDocument(() => {
    window.__tssaCsp = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__tssaCsp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
    });
  });
  page.on("console", (msg) => {
    if (tab.record && msg.type() === "error") tab.record.console.push(msg.text());
  });
  page.on("pageerror", (err) => tab.record?.console.push(`uncaught: ${err.message}`));
  page.on("requestfailed", (req) => {
    const why = req.failure()?.errorText ?? "failed";
    // The preview's reload stream is cut by every navigation; that is not a fault.
    if (why === "net::ERR_ABORTED" && req.url().includes("/__tssa/events")) return;
    tab.record?.requests.push(`${why} ${req.url()}`);
  });
  page.on("response", (res) => {
    if (res.status() >= 400) tab.record?.responses.push({ status: res.status(), url: res.url() });
  });
  return tab;
}

async function visit(tab, url, mode) {
  const record = { console: [], requests: [], responses: [] };
  tab.record = record;
  await tab.page.setViewport(mode.viewport);
  await tab.page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: mode.scheme }]);
  const loadStart = Date.now();
  const response = await tab.page.goto(url, { waitUntil: "load" });
  timing.load += Date.now() - loadStart;
  record.status = response ? response.status() : 0;
  return record;
}

async function pageChecks(tab, pageInfo, mode, record) {
  const where = `${pageInfo.site} ${pageInfo.kind} ${pathOf(pageInfo.url)} @${mode.viewport.width} ${mode.scheme}`;
  const before = failures.length;
  const expected = pageInfo.kind === "404" ? 404 : 200;
  if (record.status !== expected) fail(where, `HTTP ${record.status}, expected ${expected}`);
  const isOwn404 = (r) => pageInfo.kind === "404" && r.status === 404 && r.url === pageInfo.url;
  for (const r of record.responses.filter((r) => !isOwn404(r))) fail(where, `HTTP ${r.status} for ${r.url}`);
  for (const r of record.requests) fail(where, `request failed: ${r}`);
  const consoleErrors = record.console.filter(
    (text) => !(pageInfo.kind === "404" && /status of 404/.test(text) && record.responses.every(isOwn404)),
  );
  for (const text of consoleErrors) fail(where, `console error: ${text}`);
  const csp = await tab.page.evaluate(() => window.__tssaCsp ?? []);
  for (const text of csp) fail(where, `CSP violation: ${text}`);
  for (const problem of await chromeProblems(tab, mode)) fail(where, problem);
  if (mode.viewport.width <= 390) {
    const [scroll, inner] = await tab.page.evaluate(() => [
      document.scrollingElement.scrollWidth,
      window.innerWidth,
    ]);
    if (scroll > inner) fail(where, `sideways scroll: scrollWidth ${scroll} > innerWidth ${inner}${await widest(tab)}`);
  }
  const axeStart = Date.now();
  const violations = await axe(tab);
  timing.axe += Date.now() - axeStart;
  for (const v of violations) fail(where, `axe ${v.impact} ${v.id}: ${v.help} — ${v.targets}`);
  if (failures.length > before) await shoot(tab, where);
}

/// The shared chrome: link-preview meta, and the preview's error overlay following the
/// reader's colour scheme.
async function chromeProblems(tab, mode) {
  return tab.page.evaluate((scheme) => {
    const problems = [];
    for (const key of ["og:title", "og:description", "og:type", "twitter:card"]) {
      const meta = document.querySelector(`meta[property="${key}"], meta[name="${key}"]`);
      if (!meta?.content.trim()) problems.push(`no ${key} meta`);
    }
    const overlay = document.getElementById("tssa-overlay");
    if (overlay) {
      const rgb = getComputedStyle(overlay).backgroundColor.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
      const light = (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255 > 0.5;
      if (light !== (scheme === "light")) problems.push(`serve overlay background rgb(${rgb}) in ${scheme} mode`);
    }
    return problems;
  }, mode.scheme);
}

/// On paper: no header nav, search or sidebar, dark ink on white, external link targets shown.
async function checkPrint(tab, site, url) {
  const where = `${site.name} print ${pathOf(url)}`;
  await visit(tab, url, { viewport: WIDTHS[1], scheme: "dark" });
  // One protocol call for both: puppeteer's emulateMediaType and emulateMediaFeatures each
  // reset what the other set.
  const cdp = await tab.page.createCDPSession();
  await cdp.send("Emulation.setEmulatedMedia", {
    media: "print",
    features: [{ name: "prefers-color-scheme", value: "dark" }],
  });
  try {
    const seen = await tab.page.evaluate(() => {
      const shown = (sel) => [...document.querySelectorAll(sel)].filter((el) => getComputedStyle(el).display !== "none").map(() => sel);
      const external = document.querySelector('main a[href^="http"]');
      return {
        shown: [".site-header nav", ".site-search", ".sidebar", "#tssa-overlay", ".skip"].flatMap(shown),
        background: getComputedStyle(document.body).backgroundColor,
        external: external ? [external.getAttribute("href"), getComputedStyle(external, "::after").content] : null,
      };
    });
    if (seen.shown.length) fail(where, `shown on paper: ${[...new Set(seen.shown)].join(", ")}`);
    if (!/^rgba?\(255, 255, 255/.test(seen.background)) fail(where, `page background ${seen.background} on paper in dark mode`);
    if (seen.external && !seen.external[1].includes(seen.external[0])) fail(where, `external link ${seen.external[0]} printed without its address (::after ${seen.external[1]})`);
    if (!seen.external) notes.push(`${where}: no external link to check`);
  } finally {
    await cdp.send("Emulation.setEmulatedMedia", { media: "", features: [] });
    await cdp.detach();
  }
}

/// The elements that stick out furthest to the right, to say what makes a page scroll.
async function widest(tab) {
  const culprits = await tab.page.evaluate(() => {
    const inner = window.innerWidth;
    return [...document.querySelectorAll("body *")]
      .map((el) => ({ el, right: el.getBoundingClientRect().right }))
      .filter((x) => x.right > inner + 1)
      .sort((a, b) => b.right - a.right)
      .slice(0, 3)
      .map(({ el, right }) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : ""} (right ${Math.round(right)})`);
  });
  return culprits.length ? `; widest: ${culprits.join(", ")}` : "";
}

async function axe(tab) {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await tab.page.evaluate(AXE_SOURCE);
  const violations = await tab.page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes
        .slice(0, 3)
        .map((n) => n.target.join(" ") + (n.failureSummary ? ` (${n.failureSummary.split("\n").slice(1, 2).join("").trim()})` : ""))
        .join("; ") + (v.nodes.length > 3 ? `; … ${v.nodes.length} in all` : ""),
    }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

async function shoot(tab, where) {
  mkdirSync(args.shots, { recursive: true });
  const name = where.replace(/[^A-Za-z0-9@.-]+/g, "_").slice(0, 150);
  try {
    await tab.page.screenshot({ path: join(args.shots, `${name}.png`) });
  } catch (err) {
    notes.push(`screenshot of ${where} failed: ${err.message}`);
  }
}

function pathOf(url) {
  const u = new URL(url);
  return u.pathname + u.search;
}

// ---- finding one page of each kind ---------------------------------------------------

async function fetchText(url) {
  const res = await fetch(url);
  return { status: res.status, text: await res.text() };
}

function links(html, base) {
  const out = [];
  for (const m of html.matchAll(/<a\b[^>]*\bhref="([^"]*)"/g)) {
    try {
      const url = new URL(m[1].replaceAll("&amp;", "&"), base);
      url.hash = "";
      if (url.origin === new URL(base).origin) out.push(url.href);
    } catch {
      /* not a URL: other checks report it */
    }
  }
  return [...new Set(out)];
}

/// One URL per page kind, found by following the site's own links from its home page.
async function discover(site, searchTerm) {
  const home = site.url;
  const homeLinks = links((await fetchText(home)).text, home);
  const statusPages = homeLinks.filter((u) => /\/projects\/[^/]+\/(index\.html)?$/.test(new URL(u).pathname));
  const preferred = statusPages.find((u) => searchTerm && u.includes(`/projects/${searchTerm}/`));
  const status = preferred ?? statusPages[0];
  const kinds = { home, status };
  kinds.document = await documentWithCode(statusPages, preferred);
  kinds.coverage = homeLinks.find((u) => /\/coverage\/(index\.html)?$/.test(u));
  const processLink = homeLinks.find((u) => new URL(u).pathname.includes("/process/"));
  kinds.process = processLink;
  if (processLink) {
    const processLinks = links((await fetchText(processLink)).text, processLink);
    kinds.glance = [...homeLinks, ...processLinks].find((u) => /glance/.test(new URL(u).pathname));
    kinds.guide = processLinks.find((u) => /\/guide\//.test(new URL(u).pathname) && u !== processLink);
  }
  kinds["404"] = new URL("no-such-page/deeper/", home).href;
  const pages = [];
  for (const [kind, url] of Object.entries(kinds)) {
    if (url) pages.push({ site: site.name, kind, url });
    else fail(site.name, `no ${kind} page found by following links from ${home}`);
  }
  return { pages, statusPages };
}

async function documentWithCode(statusPages, preferred) {
  const order = preferred ? [preferred, ...statusPages.filter((u) => u !== preferred)] : statusPages;
  let fetched = 0;
  for (const status of order.slice(0, 8)) {
    const docs = links((await fetchText(status)).text, status).filter(
      (u) => u.startsWith(status.replace(/index\.html$/, "")) && u.endsWith(".html") && !u.endsWith("/index.html"),
    );
    for (const doc of docs) {
      if (++fetched > 40) return undefined;
      if (/<pre[\s>]/.test((await fetchText(doc)).text)) return doc;
    }
  }
  return undefined;
}

// ---- feature contracts ---------------------------------------------------------------

const desktop = { viewport: WIDTHS[1], scheme: "light" };

async function checkSearch(tab, site, term) {
  const where = `${site.name} search "${term}"`;
  try {
    await visit(tab, site.url, desktop);
    await tab.page.keyboard.press("/");
    const focused = await tab.page.evaluate(() => document.activeElement?.id);
    if (focused !== "site-search") return fail(where, `"/" did not focus #site-search (focus: ${focused || "none"})`);
    await tab.page.keyboard.type(term);
    const selector = `#search-results a[href*="projects/${term}/"]`;
    await tab.page.waitForSelector(selector, { timeout: 2000 }).catch(() => null);
    if (!(await tab.page.$(selector))) return fail(where, `no result link matching ${selector} within 2 s`);
    await tab.page.keyboard.press("ArrowDown");
    await Promise.all([
      tab.page.waitForNavigation({ timeout: 5000 }).catch(() => null),
      tab.page.keyboard.press("Enter"),
    ]);
    const landed = tab.page.url();
    if (!landed.includes(`/projects/${term}/`)) fail(where, `ArrowDown+Enter went to ${landed}, not ${term}'s status page`);
  } catch (err) {
    fail(where, err.message);
  }
  if (failures.at(-1)?.startsWith(where)) await shoot(tab, where);
}

async function checkFilters(tab, site) {
  const where = `${site.name} filters ?path=joint`;
  try {
    await visit(tab, new URL("?path=joint", site.url).href, desktop);
    await new Promise((r) => setTimeout(r, 300)); // the deferred filter script has run by now
    const seen = await tab.page.evaluate(() => {
      const rows = [...document.querySelectorAll("#projects tbody tr")];
      const shown = rows.filter((tr) => !tr.hidden);
      const pathOf = (tr) =>
        tr.dataset.path ?? [...tr.querySelectorAll("[class*='path-']")].map((el) => [...el.classList].find((c) => c.startsWith("path-"))?.slice(5)).find(Boolean) ?? "?";
      return {
        form: !!document.querySelector("form#filters"),
        total: rows.length,
        shown: shown.length,
        paths: shown.map(pathOf),
        count: document.querySelector("#filter-count")?.textContent.trim() ?? null,
      };
    });
    if (!seen.form) fail(where, "no form#filters on the home page");
    const others = seen.paths.filter((p) => p !== "joint");
    if (others.length) fail(where, `${others.length} shown rows are not joint (${[...new Set(others)].join(", ")})`);
    if (seen.shown === 0 || seen.shown === seen.total) fail(where, `${seen.shown} of ${seen.total} rows shown; expected only the joint ones`);
    const m = /Showing\s+(\d+)\s+of\s+(\d+)/.exec(seen.count ?? "");
    if (!m) fail(where, `#filter-count says ${JSON.stringify(seen.count)}, not "Showing N of M"`);
    else if (+m[1] !== seen.shown || +m[2] !== seen.total) fail(where, `#filter-count "${seen.count}" but ${seen.shown} of ${seen.total} rows shown`);
  } catch (err) {
    fail(where, err.message);
  }
  if (failures.at(-1)?.startsWith(where)) await shoot(tab, where);
}

async function checkSummary(tab, site, url) {
  for (const viewport of WIDTHS) {
    const where = `${site.name} status summary ${pathOf(url)} @${viewport.width}`;
    await visit(tab, url, { viewport, scheme: "light" });
    const top = await tab.page.evaluate(() => document.querySelector("section#summary")?.getBoundingClientRect().top ?? null);
    if (top === null) fail(where, "no section#summary");
    else if (top >= viewport.height) fail(where, `#summary starts at ${Math.round(top)} px, below the first viewport (${viewport.height} px)`);
    if (failures.at(-1)?.startsWith(where)) await shoot(tab, where);
  }
}

/// A few `#L…` links per status page must land on an element with that id; the first page
/// must have some.
async function checkProvenance(tab, site, statusPages) {
  for (const url of statusPages.slice(0, 3)) {
    const where = `${site.name} provenance ${pathOf(url)}`;
    await visit(tab, url, desktop);
    const targets = await tab.page.evaluate(() => [...new Set([...document.querySelectorAll('a[href*="#L"]')].map((a) => a.href))]);
    // The first page is the one the other checks use: its facts and findings must cite lines.
    if (url === statusPages[0] && targets.length === 0) fail(where, 'no a[href*="#L"] line links on the status page');
    const sample = spread(targets, 5);
    for (const target of sample) {
      const u = new URL(target);
      const id = decodeURIComponent(u.hash.slice(1));
      u.hash = "";
      const { status, text } = await fetchText(u.href);
      if (status !== 200) fail(where, `${target}: HTTP ${status}`);
      else if (!new RegExp(`\\bid="${id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`).test(text)) fail(where, `${target}: no element with id ${id}`);
    }
    notes.push(`${where}: ${targets.length} line links, ${sample.length} followed`);
  }
}

function spread(items, n) {
  if (items.length <= n) return items;
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]);
}

/// The preview's error overlay, in every mode: the same page checks, and it must be there.
async function checkOverlay(tab, url) {
  const pageInfo = { site: "serve", kind: "overlay", url };
  for (const viewport of WIDTHS) {
    for (const scheme of SCHEMES) {
      const mode = { viewport, scheme };
      const record = await visit(tab, url, mode);
      if (!(await tab.page.$("#tssa-overlay"))) fail(`serve overlay ${pathOf(url)}`, "no #tssa-overlay on a page of a broken site");
      await pageChecks(tab, pageInfo, mode, record);
    }
  }
  return WIDTHS.length * SCHEMES.length;
}

// ---- main ----------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  const { browser, profile } = await launch();
  let visits = 0;
  try {
    const tab = await openTab(browser);
    for (const site of args.sites) {
      const term = args.search.get(site.name);
      const { pages, statusPages } = await discover(site, term);
      for (const pageInfo of pages) {
        for (const viewport of WIDTHS) {
          for (const scheme of SCHEMES) {
            const mode = { viewport, scheme };
            try {
              const record = await visit(tab, pageInfo.url, mode);
              await pageChecks(tab, pageInfo, mode, record);
            } catch (err) {
              fail(`${site.name} ${pageInfo.kind} ${pathOf(pageInfo.url)} @${viewport.width} ${scheme}`, err.message);
            }
            visits++;
          }
        }
      }
      tab.record = null;
      if (term) await checkSearch(tab, site, term);
      await checkFilters(tab, site);
      const status = pages.find((p) => p.kind === "status");
      if (status) await checkSummary(tab, site, status.url);
      const others = statusPages.filter((u) => u !== status?.url);
      await checkProvenance(tab, site, status ? [status.url, ...others] : others);
      const doc = pages.find((p) => p.kind === "document");
      if (doc) await checkPrint(tab, site, doc.url);
      notes.push(`${site.name}: ${pages.map((p) => `${p.kind}=${pathOf(p.url)}`).join(" ")}`);
    }
    if (args.overlay) visits += await checkOverlay(tab, args.overlay);
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  for (const note of notes) console.log(`note: ${note}`);
  console.log(`${visits} page visits in ${seconds} s (loads ${timing.load / 1000} s, axe ${timing.axe / 1000} s); ${failures.length} failures`);
  for (const failure of failures) console.log(`FAIL ${failure}`);
  if (failures.length) console.log(`screenshots of failing pages: ${args.shots}`);
  process.exitCode = failures.length ? 1 : 0;
}

main().catch((err) => {
  console.error(`browser run crashed: ${err.stack ?? err}`);
  process.exitCode = 2;
});
