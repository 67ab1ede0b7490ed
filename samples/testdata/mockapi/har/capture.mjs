// capture.mjs HAR URL: opens URL (the mock API's web agent page) in
// Debian's Chromium through Playwright with HAR recording on, waits until
// the page says it is done, and lets Playwright write the HAR.
import { chromium } from "playwright-core";

const [out, url] = process.argv.slice(2);
if (!out || !url) {
  console.error("usage: node capture.mjs OUT.har URL");
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  // Root in a container: Chromium's sandbox needs user namespaces.
  args: ["--no-sandbox"],
});
const context = await browser.newContext({ recordHar: { path: out } });
const page = await context.newPage();
await page.goto(url);
await page.waitForFunction(() => document.title === "done" || document.title === "failed", null, { timeout: 180000 });
const title = await page.title();
await context.close();
await browser.close();
if (title !== "done") {
  console.error("capture: the page failed: " + (await Promise.resolve(title)));
  process.exit(1);
}
