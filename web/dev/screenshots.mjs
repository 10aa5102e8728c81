#!/usr/bin/env node
// DEVELOPMENT TOOL ONLY: signs in to a running perch (or dev/mock-server.mjs) with
// headless Chromium and saves screenshots of the main pages; prints browser
// console errors (CSP violations show up there).
//   node dev/screenshots.mjs [base-url] [out-dir] [user] [password]
import { chromium } from "playwright-core";
import fs from "node:fs";

const base = process.argv[2] ?? "http://127.0.0.1:18810";
const out = process.argv[3] ?? "/tmp/perch-shots";
const user = process.argv[4] ?? "demo";
const pass = process.argv[5] ?? "demo";
fs.mkdirSync(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
const problems = [];
async function session(name, opts) {
  const ctx = await browser.newContext(opts);
  const page = await ctx.newPage();
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") problems.push(`[${name}] ${m.type()}: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`[${name}] pageerror: ${e.message}`));
  return { ctx, page };
}
const shot = async (page, file) => {
  await page.waitForTimeout(1200);
  await page.screenshot({ path: `${out}/${file}.png`, fullPage: false });
  console.log("saved", `${out}/${file}.png`);
};

for (const [name, opts] of [
  ["desktop", { viewport: { width: 1366, height: 900 }, colorScheme: "light" }],
  ["dark", { viewport: { width: 1366, height: 900 }, colorScheme: "dark" }],
  ["phone", { viewport: { width: 390, height: 844 }, colorScheme: "light", isMobile: true, hasTouch: true, deviceScaleFactor: 2 }],
]) {
  const { ctx, page } = await session(name, opts);
  await page.goto(`${base}/`);
  await page.waitForSelector("#username");
  if (name === "desktop") {
    await page.fill("#username", user);
    await page.fill("#password", "wrong");
    await page.click("button[type=submit]");
    await page.waitForSelector("[data-testid=signin-error]");
    await shot(page, `${name}-signin`);
  }
  await page.fill("#username", user);
  await page.fill("#password", pass);
  await page.click("button[type=submit]");
  await page.waitForSelector("[data-testid=feed-row]");
  await page.waitForSelector("[data-testid=live-status][data-status=connected]", { timeout: 10000 }).catch(() => problems.push(`[${name}] live never connected`));
  await shot(page, `${name}-feeds`);
  await page.goto(`${base}/feeds/temperature`);
  await page.waitForSelector("[data-testid=feed-chart] canvas", { timeout: 10000 });
  await shot(page, `${name}-feed`);
  await page.goto(`${base}/dashboards/lab-bench`);
  await page.waitForSelector("[data-testid=block]");
  await page.waitForTimeout(1500);
  await shot(page, `${name}-dashboard`);
  if (name === "desktop") {
    await page.click("[data-testid=toggle]");
    await page.waitForTimeout(800);
    const st = await page.getAttribute("[data-testid=toggle]", "data-state");
    console.log("toggle state after click:", st);
    await page.click("[data-testid=edit-layout]");
    await page.click("[data-testid=add-block]");
    await page.waitForTimeout(400);
    await shot(page, `${name}-add-block`);
    await page.keyboard.press("Escape");
    await page.goto(`${base}/dashboards`);
    await page.waitForSelector("[data-testid=dashboard-card]");
    await shot(page, `${name}-dashboards`);
    await page.goto(`${base}/keys`);
    await page.fill("[data-testid=key-label]", "bench ESP32");
    await page.click("[data-testid=create-key]");
    await page.waitForSelector("[data-testid=new-key]");
    await shot(page, `${name}-keys-new`);
    await page.keyboard.press("Escape");
    await page.goto(`${base}/connect`);
    await page.waitForSelector("[data-testid=generated-code]");
    await shot(page, `${name}-connect`);
  }
  await ctx.close();
}
await browser.close();
console.log(problems.length ? `problems:\n${problems.join("\n")}` : "no console errors");
