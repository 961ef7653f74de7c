// End-to-end test of the search page in headless Chromium. The Rust test `it::browser` starts chaja on a
// free port and runs this with CHAJA_URL set; it can also be run by hand against any running chaja
// serving the bundled sample: CHAJA_URL=http://127.0.0.1:8080 node page.test.mjs
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const base = process.env.CHAJA_URL || "http://127.0.0.1:8080";
// A server on an index without the sample (tests/it/support.rs `newsroom`: 24 publishers, 삼성전자 in
// every article); its checks are skipped when it is not given.
const newsroom = process.env.CHAJA_NEWSROOM_URL;
// An index where one story was copied by three outlets (related-article groups).
const groups = process.env.CHAJA_GROUPS_URL;
const indexes = process.env.CHAJA_INDEXES_URL;
const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const shots = join(dirname(fileURLToPath(import.meta.url)), "screenshots");
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
const outside = [];
const steps = [];

async function step(name, fn) {
  const started = Date.now();
  await fn();
  steps.push(`ok ${name} (${Date.now() - started} ms)`);
  console.log(`ok ${name}`);
}

async function newPage(viewport = { width: 1280, height: 900 }) {
  const page = await browser.newPage({ viewport, locale: "ko-KR" });
  page.on("request", (req) => {
    const url = req.url();
    const ours = [base, newsroom, groups, indexes].some((server) => server && url.startsWith(server));
    if (!ours && !url.startsWith("data:")) outside.push(url);
  });
  page.on("pageerror", (err) => outside.push(`page error: ${err.message}`));
  page.on("console", (msg) => {
    if (/Content Security Policy/i.test(msg.text())) outside.push(`CSP: ${msg.text()}`);
  });
  return page;
}

const hits = (page) => page.locator("#results li.hit");
const statusText = (page) => page.locator("#status").innerText();
/// Waits until the results on screen belong to this URL state (q, page, …).
const resultsFor = (page, params) =>
  page.waitForFunction(
    (want) => document.querySelector("#results").dataset.state === want,
    new URLSearchParams(params).toString(),
  );

try {
  const page = await newPage();

  await step("deep link /?q=월드컵 shows ranked, highlighted results without typing", async () => {
    await page.goto(`${base}/?q=${encodeURIComponent("월드컵")}`);
    await hits(page).first().waitFor();
    assert.ok((await hits(page).count()) >= 5);
    assert.match(await statusText(page), /검색결과 [\d,]+건/);
    assert.equal(await page.locator("#q").inputValue(), "월드컵");
    const marks = await page.locator("#results .snippet mark").allInnerTexts();
    assert.ok(marks.length >= 5 && marks.every((m) => m.includes("월드컵")), `marks: ${marks}`);
    assert.match(await hits(page).first().locator("h3").innerText(), /월드컵/);
    await page.screenshot({ path: join(shots, "results.png"), fullPage: true });
  });

  await step("source facet narrows results to that publisher", async () => {
    const facet = page.locator("#source-facets label", { hasText: "가상일보" });
    await facet.waitFor();
    const countText = await page.locator("#source-facets li", { hasText: "가상일보" }).locator(".count").innerText();
    await facet.locator("input").check();
    await page.waitForURL((url) => url.searchParams.getAll("source").includes("가상일보"));
    await resultsFor(page, { q: "월드컵", source: "가상일보" });
    const sources = await page.locator("#results .source").allInnerTexts();
    assert.ok(sources.length > 0 && sources.every((s) => s === "가상일보"), `sources: ${sources}`);
    assert.equal(String(sources.length), countText, "facet count matches the filtered results");
    assert.ok(await facet.locator("input").isChecked());
    await page.screenshot({ path: join(shots, "facets.png"), fullPage: true });
    await facet.locator("input").uncheck();
    await page.waitForURL((url) => url.searchParams.getAll("source").length === 0);
  });

  await step("sort by date puts the newest first", async () => {
    await page.locator(".sort button[data-sort=date]").click();
    await page.waitForURL((url) => url.searchParams.get("sort") === "date");
    await resultsFor(page, { q: "월드컵", sort: "date" });
    const dates = await page.locator("#results time").evaluateAll((ts) => ts.map((t) => t.getAttribute("datetime")));
    assert.ok(dates.length >= 2);
    assert.deepEqual([...dates].sort().reverse(), dates, `dates: ${dates}`);
  });

  await step("typing searches as you type, with the query in the URL", async () => {
    await page.goto(base + "/");
    assert.equal(await page.evaluate(() => document.activeElement.id), "q", "search box focused on load");
    assert.match(await statusText(page), /검색어를 입력하세요/);
    await page.locator("#q").pressSequentially("올림픽", { delay: 40 });
    await page.waitForURL((url) => url.searchParams.get("q") === "올림픽");
    await resultsFor(page, { q: "올림픽" });
    const marks = await page.locator("#results mark").allInnerTexts();
    assert.ok(marks.some((m) => m.includes("올림픽")), `marks: ${marks}`);
  });

  await step("Enter searches; paging forward and back/forward follow the URL", async () => {
    await page.locator("#q").fill("대통령");
    await page.locator("#q").press("Enter");
    await page.waitForURL((url) => url.searchParams.get("q") === "대통령");
    await resultsFor(page, { q: "대통령" });
    assert.match(await statusText(page), /1–10/);
    const firstPage = await hits(page).first().getAttribute("data-id");
    await page.locator("#pager a", { hasText: "다음" }).click();
    await page.waitForURL((url) => url.searchParams.get("page") === "2");
    await resultsFor(page, { q: "대통령", page: "2" });
    assert.match(await statusText(page), /11–20/);
    const secondPage = await hits(page).first().getAttribute("data-id");
    assert.notEqual(secondPage, firstPage);
    assert.equal(await page.locator("#pager [aria-current=page]").innerText(), "2");
    await page.goBack();
    await resultsFor(page, { q: "대통령" });
    assert.equal(await hits(page).first().getAttribute("data-id"), firstPage);
    await page.goForward();
    await resultsFor(page, { q: "대통령", page: "2" });
    assert.equal(await hits(page).first().getAttribute("data-id"), secondPage);
  });

  await step("document view shows the whole article with the query highlighted", async () => {
    await page.goto(`${base}/?q=${encodeURIComponent("월드컵")}`);
    await resultsFor(page, { q: "월드컵" });
    const title = await hits(page).first().locator("h3").innerText();
    await hits(page).first().locator("a", { hasText: "본문 보기" }).click();
    await page.waitForURL((url) => url.pathname.startsWith("/doc/"));
    await page.locator("#doc-view h1").waitFor();
    assert.equal(await page.locator("#doc-view h1").innerText(), title);
    assert.ok((await page.locator("#doc-view .body mark").count()) >= 1);
    await page.goBack();
    await hits(page).first().waitFor();
  });

  await step("no-result and error states say what happened", async () => {
    await page.goto(`${base}/?q=${encodeURIComponent("퀘벡캬라멜프라푸치노")}`);
    await page.waitForFunction(() => /검색결과가 없습니다/.test(document.querySelector("#status").textContent));
    assert.equal(await hits(page).count(), 0);
    await page.screenshot({ path: join(shots, "no-result.png"), fullPage: true });
    await page.goto(`${base}/?q=${encodeURIComponent("월드컵")}&from=2020-12-01&to=2020-01-01`);
    await page.waitForFunction(() => document.querySelector("#status").classList.contains("error"));
    assert.match(await statusText(page), /검색할 수 없습니다/);
  });

  await step("a document's javascript: url is never a link", async () => {
    const response = await page.goto(`${base}/?q=${encodeURIComponent("악성 링크")}`);
    assert.match(response.headers()["content-security-policy"] || "", /script-src 'self'/);
    await resultsFor(page, { q: "악성 링크" });
    const hrefs = await page.locator("#results li[data-id=xss-1] a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    assert.ok(hrefs.length >= 2, `links: ${hrefs}`);
    assert.ok(hrefs.every((h) => h.startsWith("/doc/")), `links: ${hrefs}`);
    await page.goto(`${base}/doc/xss-1`);
    await page.locator("#doc-view h1").waitFor();
    const docLinks = await page.locator("#doc-view a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    assert.ok(docLinks.every((h) => !/^\s*(javascript|data):/i.test(h)), `links: ${docLinks}`);
    assert.equal(await page.locator("#doc-view a", { hasText: "원문" }).count(), 0);
  });

  await step("a query relaxed to find something says so, and links to the query as typed", async () => {
    await page.goto(`${base}/?q=${encodeURIComponent("앙드레김 타계")}`);
    await resultsFor(page, { q: "앙드레김 타계" });
    const notice = page.locator("#relaxed");
    await notice.waitFor();
    assert.match(await notice.innerText(), /'타계' 없이 검색한 결과입니다/);
    assert.match(await hits(page).first().locator("h3").innerText(), /앙드레김/);
    await page.screenshot({ path: join(shots, "relaxed.png"), fullPage: true });
    await notice.locator("a").click();
    await page.waitForURL((url) => url.searchParams.get("strict") === "1");
    await page.waitForFunction(() => /검색결과가 없습니다/.test(document.querySelector("#status").textContent));
    assert.ok(await notice.isHidden());
  });

  await step("suggestions follow typing and one is picked with the keyboard", async () => {
    await page.goto(base + "/");
    await page.locator("#q").pressSequentially("대토", { delay: 30 });
    const first = page.locator("#suggestions li").first();
    await first.waitFor();
    const text = await first.getAttribute("data-text");
    assert.match(text, /^대통/);
    await page.keyboard.press("ArrowDown");
    assert.equal(await first.getAttribute("aria-selected"), "true");
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.searchParams.get("q") === text);
    await resultsFor(page, { q: text });
    assert.ok(await page.locator("#suggestions").isHidden());
    const titleMarks = await page.locator("#results h3 mark").allInnerTexts();
    assert.ok(titleMarks.some((m) => text.includes(m)), `title marks: ${titleMarks}`);
  });

  await step("a query typed in the wrong keyboard mode is searched as meant, with a link to it as typed", async () => {
    await page.goto(`${base}/?q=dhqkak`);
    const notice = page.locator("#corrected");
    await notice.waitFor();
    assert.match(await notice.innerText(), /'오바마'\(으\)로 검색한 결과입니다/);
    assert.ok((await hits(page).count()) >= 1);
    await notice.locator("a").click();
    await page.waitForURL((url) => url.searchParams.get("strict") === "1" && url.searchParams.get("q") === "dhqkak");
    await page.waitForFunction(() => /검색결과가 없습니다/.test(document.querySelector("#status").textContent));
  });

  await step("the analysis panel shows what the analyzer does with the query", async () => {
    await page.goto(`${base}/?q=${encodeURIComponent("삼성전자가")}`);
    await page.locator("#analysis").waitFor();
    await page.locator("#analysis summary").click();
    const cells = page.locator("#analysis td");
    await cells.first().waitFor();
    const text = (await cells.allInnerTexts()).join(" ");
    assert.match(text, /삼성전자@0/);
    assert.match(text, /JKS/);
  });

  await step("'/' focuses the search box", async () => {
    await page.goto(`${base}/?q=${encodeURIComponent("월드컵")}`);
    await hits(page).first().waitFor();
    // Focus off the search box (a click on the page could land on the sticky header while the
    // results still move, and was flaky).
    await page.evaluate(() => document.activeElement.blur());
    await page.keyboard.press("/");
    assert.equal(await page.evaluate(() => document.activeElement.id), "q");
  });

  await step("the footer credits Wikinews where the sample is served", async () => {
    await page.goto(base + "/");
    const footer = await page.locator("footer").innerText();
    assert.match(footer, /위키뉴스 \(CC BY 2\.5\)/);
    assert.match(footer, /기사 [\d,]+건/);
  });

  if (newsroom) {
    await step("Enter on 초성 searches what was meant, with a link to the query as typed", async () => {
      await page.goto(newsroom + "/");
      await page.locator("#q").pressSequentially("ㅅㅅㅈㅈ", { delay: 30 });
      await page.locator("#suggestions li").first().waitFor();
      await page.keyboard.press("Enter");
      await page.waitForURL((url) => url.searchParams.get("q") === "ㅅㅅㅈㅈ");
      const notice = page.locator("#corrected");
      await notice.waitFor();
      assert.match(await notice.innerText(), /'삼성전자'\(으\)로 검색한 결과입니다/);
      await hits(page).first().waitFor();
      assert.match(await hits(page).first().locator("h3").innerText(), /삼성전자/);
      assert.match(await statusText(page), /24건/);
      await page.screenshot({ path: join(shots, "completed.png"), fullPage: true });
      await notice.locator("a", { hasText: "ㅅㅅㅈㅈ" }).click();
      await page.waitForURL((url) => url.searchParams.get("strict") === "1" && url.searchParams.get("q") === "ㅅㅅㅈㅈ");
      await page.waitForFunction(() => !/24건/.test(document.querySelector("#status").textContent));
      assert.ok(await notice.isHidden());
    });

    await step("an index without the sample carries no Wikinews credit, and says what it holds", async () => {
      await page.goto(newsroom + "/");
      const footer = await page.locator("footer").innerText();
      assert.doesNotMatch(footer, /위키뉴스|CC BY/);
      assert.match(footer, /기사 24건/);
    });

    await step("the publisher list shows the ten largest, the rest behind 더보기, narrowed by name", async () => {
      await page.goto(`${newsroom}/?q=${encodeURIComponent("삼성전자")}`);
      await hits(page).first().waitFor();
      const boxes = page.locator("#source-facets li:visible input[type=checkbox]");
      assert.ok((await boxes.count()) <= 12, `${await boxes.count()} publishers shown`);
      const more = page.locator("#source-more");
      assert.ok(await more.isVisible());
      assert.match(await more.innerText(), /더보기 \(14\)/);
      await more.click();
      assert.equal(await boxes.count(), 24);
      await more.click();
      assert.equal(await boxes.count(), 10);
      // A publisher beyond the ten, found by name and chosen, stays shown after the search.
      await page.locator("#source-filter").fill("세계");
      assert.equal(await boxes.count(), 1);
      assert.equal(await boxes.first().getAttribute("value"), "세계일보");
      await boxes.first().check();
      await page.waitForURL((url) => url.searchParams.getAll("source").includes("세계일보"));
      await resultsFor(page, { q: "삼성전자", source: "세계일보" });
      await page.locator("#source-filter").fill("");
      await page.locator("#source-filter").dispatchEvent("input");
      const shown = await boxes.evaluateAll((bs) => bs.map((b) => b.value));
      assert.ok(shown.includes("세계일보") && shown.length <= 12, `shown: ${shown}`);
      await page.screenshot({ path: join(shots, "publishers.png"), fullPage: true });
    });

    await step("the publisher list fits a phone", async () => {
      const phone = await newPage({ width: 390, height: 844 });
      await phone.goto(`${newsroom}/?q=${encodeURIComponent("삼성전자")}`);
      await hits(phone).first().waitFor();
      await phone.locator("#filter-toggle").click();
      const filter = phone.locator("#source-filter");
      assert.ok(await filter.isVisible());
      const box = await filter.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `filter box at ${JSON.stringify(box)}`);
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `page is ${overflow}px wider than the phone`);
      await phone.screenshot({ path: join(shots, "phone-publishers.png"), fullPage: true });
    });
  }

  await step("the volume chart filters to a bar's days, and a related word's chip refines the query", async () => {
    await page.goto(`${base}/?q=${encodeURIComponent("월드컵")}`);
    await hits(page).first().waitFor();
    const trend = page.locator("#trend");
    await trend.waitFor();
    const bars = trend.locator("g.bar");
    assert.ok((await bars.count()) >= 2);
    assert.match(await trend.locator(".trend-caption").innerText(), /기사 수/);
    // Hovering shows the count (an SVG title); clicking filters to its days.
    const full = trend.locator('g.bar:not([data-count="0"])').first();
    assert.match(await full.locator("title").textContent(), /\d+건$/);
    const from = await full.getAttribute("data-from");
    const to = await full.getAttribute("data-to");
    await full.click();
    await page.waitForURL((url) => url.searchParams.get("from") === from && url.searchParams.get("to") === to);
    await resultsFor(page, { q: "월드컵", from, to });
    assert.ok((await hits(page).count()) >= 1);
    await page.goto(`${base}/?q=${encodeURIComponent("월드컵")}`);
    const chips = page.locator("#related .chip");
    await chips.first().waitFor();
    assert.match(await page.locator("#related").innerText(), /연관어/);
    await page.screenshot({ path: join(shots, "insights.png"), fullPage: false });
    const word = await chips.first().innerText();
    await chips.first().click();
    await page.waitForURL((url) => url.searchParams.get("q") === `월드컵 ${word}`);
    await hits(page).first().waitFor();
  });

  await step("the chart and chips fit a phone", async () => {
    const phone = await newPage({ width: 390, height: 844 });
    await phone.goto(`${base}/?q=${encodeURIComponent("월드컵")}`);
    await phone.locator("#related .chip").first().waitFor();
    assert.ok(await phone.locator("#trend").isVisible());
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `page is ${overflow}px wider than the phone`);
    await phone.screenshot({ path: join(shots, "phone-insights.png"), fullPage: false });
  });

  if (groups) {
    const story = process.env.CHAJA_GROUPS_QUERY;
    const leader = process.env.CHAJA_GROUPS_LEADER;
    await step("a story copied by three outlets is one hit with 관련기사 3건 under it", async () => {
      await page.goto(`${groups}/?q=${encodeURIComponent(story)}`);
      await hits(page).first().waitFor();
      const hit = page.locator(`#results li.hit[data-id="${leader}"]`);
      assert.equal(await hit.count(), 1);
      assert.equal(await page.locator('#results li.hit[data-id^="copy-"]').count(), 0);
      const similar = hit.locator(".similar");
      assert.match(await similar.locator(".similar-count").innerText(), /관련기사 3건/);
      const links = similar.locator(".similar-list li:visible a");
      assert.equal(await links.count(), 3);
      assert.match(await links.first().innerText(), /^뉴시스 \d\d-\d\d \d\d:\d\d$/);
      assert.equal(await links.first().getAttribute("href"), `/doc/copy-${encodeURIComponent("뉴시스")}?q=${encodeURIComponent(story)}`);
      await page.screenshot({ path: join(shots, "groups.png"), fullPage: true });
      await links.nth(1).click();
      await page.waitForURL((url) => url.pathname.startsWith("/doc/"));
      const group = page.locator("#doc-view .similar.group");
      await group.waitFor();
      assert.match(await group.locator("h2").innerText(), /관련기사 3건/);
      assert.equal(await group.locator("li a").count(), 3);
      await page.screenshot({ path: join(shots, "doc-group.png"), fullPage: true });
    });

    await step("related articles fit a phone", async () => {
      const phone = await newPage({ width: 390, height: 844 });
      await phone.goto(`${groups}/?q=${encodeURIComponent(story)}`);
      await hits(phone).first().waitFor();
      assert.ok(await phone.locator(".similar").first().isVisible());
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `page is ${overflow}px wider than the phone`);
      await phone.screenshot({ path: join(shots, "phone-groups.png"), fullPage: true });
    });
  }

  if (indexes) {
    await step("a server of two indexes shows a picker that searches the chosen one", async () => {
      await page.goto(`${base}/?q=${encodeURIComponent("월드컵")}`);
      await hits(page).first().waitFor();
      assert.ok(await page.locator("#index-pick").isHidden(), "no picker for one index");
      await page.goto(`${indexes}/?q=${encodeURIComponent("삼성전자")}`);
      await hits(page).first().waitFor();
      assert.match(await hits(page).first().getAttribute("data-id"), /^newsroom-/);
      const pick = page.locator("#index-pick");
      await pick.waitFor();
      assert.deepEqual(await pick.locator("option").evaluateAll((o) => o.map((x) => x.value)), ["default", "sample"]);
      assert.equal(await pick.inputValue(), "default");
      await pick.selectOption("sample");
      await page.waitForURL((url) => url.searchParams.get("index") === "sample");
      await page.locator("#search-form input").fill("월드컵");
      await page.locator("#search-form button[type=submit]").click();
      await page.waitForURL((url) => url.searchParams.get("q") === "월드컵" && url.searchParams.get("index") === "sample");
      await hits(page).first().waitFor();
      for (const id of await hits(page).evaluateAll((h) => h.map((x) => x.dataset.id))) {
        assert.ok(!id.startsWith("newsroom-"), `${id} is not in the sample index`);
      }
      // The footer speaks of the chosen index: its articles, and the sample's credit it holds.
      await page.reload();
      await hits(page).first().waitFor();
      assert.match(await page.locator("footer").innerText(), /위키뉴스/);
      await page.goto(`${indexes}/?q=${encodeURIComponent("삼성전자")}`);
      await hits(page).first().waitFor();
      assert.doesNotMatch(await page.locator("footer").innerText(), /위키뉴스/);
      await page.goto(`${indexes}/?q=${encodeURIComponent("월드컵")}&index=sample`);
      await hits(page).first().waitFor();
      const link = hits(page).first().locator("a").first();
      assert.match(await link.getAttribute("href"), /[?&]index=sample/);
      await link.click();
      await page.waitForURL((url) => url.pathname.startsWith("/doc/"));
      await page.locator("#doc-view h1").waitFor();
      assert.equal(await page.locator("#index-pick").inputValue(), "sample");
      await page.screenshot({ path: join(shots, "indexes.png"), fullPage: false });
    });
  }

  await step("usable at phone width", async () => {
    const phone = await newPage({ width: 390, height: 844 });
    await phone.goto(`${base}/?q=${encodeURIComponent("월드컵")}`);
    await hits(phone).first().waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `page is ${overflow}px wider than the phone`);
    // Results first: the first hit is on the first screen; the filters open behind a button.
    const box = await hits(phone).first().boundingBox();
    assert.ok(box && box.y + box.height <= 844, `first result at ${box && box.y}`);
    assert.ok(await phone.locator("#filters").isHidden());
    await phone.screenshot({ path: join(shots, "phone.png"), fullPage: false });
    await phone.locator("#filter-toggle").click();
    assert.ok(await phone.locator("#filters").isVisible());
    await phone.screenshot({ path: join(shots, "phone-filters.png"), fullPage: false });
  });

  assert.deepEqual(outside, [], "the page fetched nothing outside the server and threw no errors");
  console.log(`all ${steps.length} browser checks passed; screenshots in ${shots}`);
} finally {
  await browser.close();
}
