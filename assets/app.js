// 찾아 search page: the state lives in the URL (q, source, from, to, sort, page, strict, index); the page renders
// whatever the URL says, so links are shareable and back/forward work.
"use strict";

const PAGE_SIZE = 10;
const MAX_PAGES = 100;
const $ = (id) => document.getElementById(id);
let inflight = null;
let typingTimer = null;

function readState() {
  const p = new URLSearchParams(location.search);
  const page = parseInt(p.get("page") || "1", 10);
  return {
    q: (p.get("q") || "").trim(),
    sources: p.getAll("source").filter(Boolean),
    from: p.get("from") || "",
    to: p.get("to") || "",
    sort: p.get("sort") === "date" ? "date" : "relevance",
    page: Number.isFinite(page) && page > 0 ? Math.min(page, MAX_PAGES) : 1,
    strict: p.get("strict") === "1",
    index: p.get("index") || "",
  };
}

function pageParams(s) {
  const p = new URLSearchParams();
  if (s.q) p.set("q", s.q);
  s.sources.forEach((v) => p.append("source", v));
  if (s.from) p.set("from", s.from);
  if (s.to) p.set("to", s.to);
  if (s.sort === "date") p.set("sort", "date");
  if (s.page > 1) p.set("page", String(s.page));
  if (s.strict) p.set("strict", "1");
  if (s.index) p.set("index", s.index);
  return p;
}

function pageUrl(s) {
  const qs = pageParams(s).toString();
  return "/" + (qs ? "?" + qs : "");
}

function go(url, replace) {
  if (url === location.pathname + location.search) return render();
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  render();
}

function update(changes, replace) {
  // A new query is read generously again; other changes keep the strict reading asked for.
  const strict = "q" in changes ? false : readState().strict;
  go(pageUrl({ ...readState(), page: 1, strict, ...changes }), replace);
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") node.textContent = v;
    else if (k === "html") node.innerHTML = v; // only for server-escaped snippets
    else node.setAttribute(k, v === true ? "" : v);
  }
  children.flat().forEach((c) => c && node.append(c));
  return node;
}

function day(iso) {
  return iso ? iso.slice(0, 10) : "";
}

function setStatus(text, kind) {
  const status = $("status");
  status.textContent = text;
  status.className = kind || "";
}

function render() {
  if (location.pathname.startsWith("/doc/")) return renderDocument();
  $("doc-view").hidden = true;
  $("search-view").hidden = false;
  const s = readState();
  const box = $("q");
  if (document.activeElement !== box || box.value.trim() !== s.q) box.value = s.q;
  document.title = s.q ? `${s.q} - 찾아` : "찾아 · 한국어 뉴스 검색";
  syncFilters(s);
  if (!s.q) {
    if (inflight) inflight.abort();
    $("results").replaceChildren();
    $("pager").replaceChildren();
    $("filters").hidden = true;
    $("filter-toggle").hidden = true;
    $("search-view").classList.add("nofilters");
    Assist.analysis("");
    Insights.hide();
    lastInsights = "";
    setStatus("검색어를 입력하세요. 예: 월드컵, 대통령 선거, \"지구 온난화\", 올림픽 -축구", "empty");
    return;
  }
  search(s);
}

function syncFilters(s) {
  document.querySelectorAll(".sort button").forEach((b) => {
    b.setAttribute("aria-pressed", String(b.dataset.sort === s.sort));
  });
  $("from").value = s.from;
  $("to").value = s.to;
  $("clear-dates").hidden = !(s.from || s.to);
}

async function search(s) {
  if (inflight) inflight.abort();
  const controller = new AbortController();
  inflight = controller;
  const api = pageParams(s);
  api.delete("page");
  api.set("limit", String(PAGE_SIZE));
  api.set("offset", String((s.page - 1) * PAGE_SIZE));
  let data;
  try {
    const response = await fetch(apiPath("search?" + api.toString()), { signal: controller.signal });
    data = await response.json().catch(() => null);
    if (!response.ok) {
      const message = data && data.error ? data.error.message : `HTTP ${response.status}`;
      showError(`검색할 수 없습니다: ${message}`);
      return;
    }
  } catch (err) {
    if (err.name === "AbortError") return;
    showError("서버에 연결할 수 없습니다. 잠시 뒤 다시 시도하세요.");
    return;
  }
  if (controller !== inflight) return;
  inflight = null;
  showResults(s, data);
}

// The query and filters the chart and chips were last drawn for: paging and sorting keep them.
let lastInsights = "";

function showInsights(s) {
  const key = JSON.stringify([s.q, s.sources, s.from, s.to]);
  if (key === lastInsights) return;
  lastInsights = key;
  Insights.show(s, (changes) => update(changes));
}

function showError(message) {
  Insights.hide();
  lastInsights = "";
  renderRelaxed(null, null);
  renderCorrected(null, null);
  $("results").replaceChildren();
  $("pager").replaceChildren();
  setStatus(message, "error");
}

function showResults(s, data) {
  // Which state these results belong to (tests and scripts can wait for it).
  $("results").dataset.state = pageParams(s).toString();
  $("filters").hidden = false;
  $("filter-toggle").hidden = false;
  $("search-view").classList.remove("nofilters");
  renderFacets(s, data.facets || { source: [], month: [] });
  if (data.total === 0) {
    Insights.hide();
    lastInsights = "";
    $("results").replaceChildren();
    $("pager").replaceChildren();
    renderRelaxed(s, null);
    renderCorrected(s, data);
    Assist.analysis(s.q);
    const filtered = s.sources.length || s.from || s.to;
    setStatus(
      `'${s.q}'에 대한 검색결과가 없습니다. ` +
        (filtered ? "언론사나 기간 필터를 해제해 보세요." : "철자를 확인하거나 더 짧은 검색어로 찾아보세요."),
      "empty",
    );
    return;
  }
  const seconds = (data.took_ms / 1000).toFixed(3);
  const first = (s.page - 1) * PAGE_SIZE + 1;
  const last = first + data.hits.length - 1;
  // Past search.exact_total_up_to the server estimates the total from samples.
  const count = `${data.total.toLocaleString("ko-KR")}건`;
  const total = data.total_exact === false ? `약 ${count}` : count;
  setStatus(`검색결과 ${total} 중 ${first}–${last} (${seconds}초)`);
  renderRelaxed(s, data.relaxed);
  renderCorrected(s, data);
  Assist.analysis(s.q);
  $("results").replaceChildren(...data.hits.map((hit) => renderHit(hit, s.q)));
  renderPager(s, data.total);
  showInsights(s);
}

// What the server relaxed to find something (quotes not required, words left out), in Korean, with
// a link to the query as typed.
function renderRelaxed(s, relaxed) {
  const notice = $("relaxed");
  if (!relaxed) {
    notice.hidden = true;
    notice.replaceChildren();
    return;
  }
  const quote = (words) => words.map((w) => `'${w}'`).join(", ");
  const parts = [];
  if (relaxed.phrases.length) parts.push(`따옴표 안의 ${quote(relaxed.phrases)}를 정확히 일치시키지 않고`);
  if (relaxed.dropped.length) parts.push(`${quote(relaxed.dropped)} 없이`);
  const strict = pageUrl({ ...s, page: 1, strict: true });
  notice.replaceChildren(
    `${parts.join(", ")} 검색한 결과입니다. `,
    el("a", { href: strict, "data-internal": true, text: "입력한 그대로 검색" }),
  );
  notice.hidden = false;
}

// A query typed in the wrong keyboard mode and searched as meant (쿠팡 for znvkd), or, when nothing
// was found, the closest words the index knows.
function renderCorrected(s, data) {
  const notice = $("corrected");
  const parts = [];
  if (data && data.corrected_query) {
    parts.push(
      `'${data.corrected_query}'(으)로 검색한 결과입니다. `,
      el("a", { href: pageUrl({ ...s, page: 1, strict: true }), "data-internal": true, text: `'${s.q}'(으)로 검색` }),
    );
  } else if (data && data.did_you_mean) {
    parts.push(
      "혹시 ",
      el("a", { href: pageUrl({ ...s, q: data.did_you_mean, page: 1, strict: false }), "data-internal": true, text: `'${data.did_you_mean}'` }),
      "을(를) 찾으셨나요?",
    );
  }
  notice.replaceChildren(...parts);
  notice.hidden = parts.length === 0;
}

function docUrl(id, q) {
  const parts = [];
  if (q) parts.push(`q=${encodeURIComponent(q)}`);
  if (chosenIndex()) parts.push(`index=${encodeURIComponent(chosenIndex())}`);
  return `/doc/${encodeURIComponent(id)}` + (parts.length ? "?" + parts.join("&") : "");
}

// The index picker, shown only when the server has more than one index.
async function wireIndexPicker() {
  let listed;
  try {
    const response = await fetch("/api/indexes");
    if (!response.ok) return;
    listed = await response.json();
  } catch {
    return;
  }
  const names = (listed.indexes || []).map((i) => i.name);
  if (names.length < 2) return;
  const pick = $("index-pick");
  const current = chosenIndex() || listed.default;
  pick.replaceChildren(
    ...names.map((name) => {
      const label = name === listed.default ? `${name} (기본)` : name;
      return el("option", { value: name, text: label, selected: name === current });
    }),
  );
  pick.hidden = false;
  pick.addEventListener("change", () => {
    const index = pick.value === listed.default ? "" : pick.value;
    go(pageUrl({ ...readState(), page: 1, index }), false);
  });
}

// A document's url as a link target only when it is an absolute http(s) URL: anything else
// (javascript:, data:, relative paths) is never linked, whatever the API returns.
function webUrl(url) {
  if (typeof url !== "string") return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

function renderHit(hit, q) {
  const internal = docUrl(hit.id, q);
  const external = webUrl(hit.url);
  // The title as the server marked it (HTML-escaped there), or the id when there is none.
  const title = hit.title ? { html: hit.title_html || "" } : { text: hit.id };
  const titleLink = external
    ? el("a", { href: external, target: "_blank", rel: "noopener", ...title })
    : el("a", { href: internal, "data-internal": true, ...title });
  const meta = el("div", { class: "meta" });
  if (hit.source) meta.append(el("span", { class: "source", text: hit.source }), " · ");
  if (hit.published_at) meta.append(el("time", { datetime: hit.published_at, text: day(hit.published_at) }), " · ");
  meta.append(el("a", { href: internal, "data-internal": true, text: "본문 보기" }));
  return el(
    "li",
    { class: "hit", "data-id": hit.id },
    el("h3", {}, titleLink),
    meta,
    el("p", { class: "snippet", html: hit.snippet }),
    hit.similar ? renderSimilar(hit.similar, q) : null,
  );
}

// Related articles shown before "더보기" under a hit.
const SIMILAR_SHOWN = 3;

// "03-12 09:30": the month, day and time of an ISO time as written (Korea time).
function when(iso) {
  return iso ? iso.slice(5, 16).replace("T", " ") : "";
}

// A related article as its publisher and time, linking to it.
function similarLink(member, q) {
  const label = [member.source || member.id, when(member.published_at)].filter(Boolean).join(" ");
  return el("a", { href: docUrl(member.id, q), "data-internal": true, text: label });
}

// "관련기사 N건" and the group's other articles: a few inline, the rest behind "더보기".
function renderSimilar(similar, q) {
  const list = el("ul", { class: "similar-list" });
  similar.members.forEach((member, i) => {
    list.append(el("li", { hidden: i >= SIMILAR_SHOWN }, similarLink(member, q)));
  });
  const box = el("div", { class: "similar" }, el("span", { class: "similar-count", text: `관련기사 ${similar.count.toLocaleString("ko-KR")}건` }), list);
  const hidden = similar.count - Math.min(similar.members.length, SIMILAR_SHOWN);
  if (hidden > 0) {
    const more = el("button", { type: "button", class: "link similar-more", "aria-expanded": "false", text: `더보기 (${hidden}건)` });
    more.addEventListener("click", () => {
      list.querySelectorAll("li[hidden]").forEach((li) => (li.hidden = false));
      const unlisted = similar.count - similar.members.length;
      if (unlisted > 0) list.append(el("li", { class: "muted", text: `외 ${unlisted}건` }));
      more.remove();
    });
    box.append(more);
  }
  return box;
}

// Publishers shown before "더보기": the largest of the match set, and every selected one.
const SOURCES_SHOWN = 10;

function renderFacets(s, facets) {
  renderSources(s, facets.source);
  const months = $("month-facets");
  months.replaceChildren(
    ...facets.month.slice(0, 12).map((f) => {
      const [y, m] = f.value.split("-").map(Number);
      const lastDay = new Date(y, m, 0).getDate();
      const button = el("button", { type: "button", "data-month": f.value, text: `${y}년 ${m}월` });
      button.addEventListener("click", () =>
        update({ from: `${f.value}-01`, to: `${f.value}-${String(lastDay).padStart(2, "0")}` }),
      );
      return el("li", {}, button, el("span", { class: "count", text: f.count.toLocaleString("ko-KR") }));
    }),
  );
}

// The publisher list: the ten largest and the selected ones; the rest behind "더보기", and a box that
// narrows the whole list by name as one types.
function renderSources(s, values) {
  const sources = $("source-facets");
  const known = new Set(values.map((f) => f.value));
  const entries = [...values, ...s.sources.filter((v) => !known.has(v)).map((value) => ({ value, count: 0 }))];
  const items = entries.map((f, i) => {
    const checked = s.sources.includes(f.value);
    const box = el("input", { type: "checkbox", name: "source", value: f.value, checked });
    box.addEventListener("change", () => {
      const current = readState().sources;
      const next = box.checked ? [...current, f.value] : current.filter((v) => v !== f.value);
      update({ sources: next });
    });
    const li = el("li", { "data-name": f.value.toLowerCase() }, el("label", {}, box, " ", f.value), el("span", { class: "count", text: f.count.toLocaleString("ko-KR") }));
    li.dataset.top = i < SOURCES_SHOWN || checked ? "1" : "";
    return li;
  });
  sources.replaceChildren(...items);
  const more = $("source-more");
  const filter = $("source-filter");
  const rest = items.filter((li) => !li.dataset.top).length;
  more.hidden = filter.hidden = rest === 0;
  if (rest === 0) filter.value = "";
  let expanded = false;
  const show = () => {
    const needle = filter.value.trim().toLowerCase();
    items.forEach((li) => {
      li.hidden = needle ? !li.dataset.name.includes(needle) : !(li.dataset.top || expanded);
    });
    more.setAttribute("aria-expanded", String(expanded));
    more.textContent = expanded ? "접기" : `더보기 (${rest})`;
    more.hidden = rest === 0 || needle !== "";
  };
  more.onclick = () => {
    expanded = !expanded;
    show();
  };
  filter.oninput = show;
  show();
}

function renderPager(s, total) {
  const pages = Math.min(Math.ceil(total / PAGE_SIZE), MAX_PAGES);
  const pager = $("pager");
  if (pages <= 1) return pager.replaceChildren();
  const link = (page, text, label) =>
    el("a", { href: pageUrl({ ...s, page }), "data-internal": true, "aria-label": label, text });
  const items = [];
  if (s.page > 1) items.push(link(s.page - 1, "‹ 이전", "이전 페이지"));
  const start = Math.max(1, Math.min(s.page - 4, pages - 9));
  for (let p = start; p <= Math.min(pages, start + 9); p++) {
    items.push(p === s.page ? el("span", { "aria-current": "page", text: String(p) }) : link(p, String(p), `${p} 페이지`));
  }
  if (s.page < pages) items.push(link(s.page + 1, "다음 ›", "다음 페이지"));
  pager.replaceChildren(...items);
}

// The article's group on its own page: every other article listed.
function renderGroup(similar, q) {
  const list = el("ul", { class: "similar-list" }, similar.members.map((m) => el("li", {}, similarLink(m, q))));
  const unlisted = similar.count - similar.members.length;
  if (unlisted > 0) list.append(el("li", { class: "muted", text: `외 ${unlisted}건` }));
  return el("section", { class: "similar group" }, el("h2", { text: `관련기사 ${similar.count.toLocaleString("ko-KR")}건` }), list);
}

async function renderDocument() {
  $("search-view").hidden = true;
  const view = $("doc-view");
  view.hidden = false;
  const id = decodeURIComponent(location.pathname.slice("/doc/".length));
  const q = new URLSearchParams(location.search).get("q") || "";
  $("q").value = q;
  view.replaceChildren(el("p", { text: "불러오는 중…" }));
  const back = el("a", { href: pageUrl({ q, sources: [], from: "", to: "", sort: "relevance", page: 1, index: chosenIndex() }), "data-internal": true, text: "← 검색결과로" });
  try {
    const response = await fetch(apiPath(`documents/${encodeURIComponent(id)}`) + (q ? `?q=${encodeURIComponent(q)}` : ""));
    const doc = await response.json().catch(() => null);
    if (!response.ok) {
      const message = response.status === 404 ? "문서를 찾을 수 없습니다." : `문서를 불러올 수 없습니다: ${doc && doc.error ? doc.error.message : response.status}`;
      view.replaceChildren(back, el("p", { class: "error", text: message }));
      return;
    }
    document.title = `${doc.title || doc.id} - 찾아`;
    const meta = el("div", { class: "meta" });
    if (doc.source) meta.append(el("span", { class: "source", text: doc.source }), " · ");
    if (doc.published_at) meta.append(el("time", { datetime: doc.published_at, text: day(doc.published_at) }));
    const original = webUrl(doc.url);
    if (original) meta.append(" · ", el("a", { href: original, target: "_blank", rel: "noopener", text: "원문" }));
    view.replaceChildren(
      back,
      el("h1", { text: doc.title || doc.id }),
      meta,
      doc.body_html ? el("div", { class: "body", html: doc.body_html }) : el("div", { class: "body", text: doc.body }),
      doc.similar ? renderGroup(doc.similar, q) : null,
    );
  } catch (err) {
    view.replaceChildren(back, el("p", { class: "error", text: "서버에 연결할 수 없습니다." }));
  }
}

function wire() {
  const box = $("q");
  const closeSuggestions = Assist.wire(box, (text) => {
    clearTimeout(typingTimer);
    update({ q: text }, false);
  });
  Assist.wireAnalysis();
  $("filter-toggle").addEventListener("click", () => {
    const open = $("filters").classList.toggle("open");
    $("filter-toggle").setAttribute("aria-expanded", String(open));
  });
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(typingTimer);
    closeSuggestions();
    update({ q: box.value.trim() }, false);
  });
  box.addEventListener("input", () => {
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => {
      if (location.pathname.startsWith("/doc/")) return;
      const had = readState().q !== "";
      update({ q: box.value.trim() }, had);
    }, 300);
  });
  document.querySelectorAll(".sort button").forEach((b) =>
    b.addEventListener("click", () => update({ sort: b.dataset.sort })),
  );
  for (const id of ["from", "to"]) {
    $(id).addEventListener("change", () => update({ [id]: $(id).value }));
  }
  $("clear-dates").addEventListener("click", () => update({ from: "", to: "" }));
  document.addEventListener("click", (event) => {
    const a = event.target.closest("a[data-internal]");
    if (!a || event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    go(a.getAttribute("href"), false);
    window.scrollTo(0, 0);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    const tag = (document.activeElement && document.activeElement.tagName) || "";
    if (["INPUT", "TEXTAREA", "SELECT"].includes(tag)) return;
    event.preventDefault();
    box.focus();
    box.select();
  });
  window.addEventListener("popstate", render);
  wireIndexPicker();
  render();
  if (!location.pathname.startsWith("/doc/")) box.focus();
}

wire();
