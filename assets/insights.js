// 찾아 insights: what the news says about the query, above the results: a bar chart of its volume
// over time (inline SVG; hover a bar for its count, click it to filter the results to its days) and
// chips of related words, people and places (click one to add it to the query). Loaded before
// app.js, which calls Insights.show(state, go) after each search.
"use strict";

const Insights = (() => {
  const SVG = "http://www.w3.org/2000/svg";
  let controller = null;

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function params(s) {
    const p = new URLSearchParams({ q: s.q });
    s.sources.forEach((source) => p.append("source", source));
    if (s.from) p.set("from", s.from);
    if (s.to) p.set("to", s.to);
    return p;
  }

  // Bars of the query's volume; each bar filters to its days when clicked.
  function chart(trend, onPick) {
    const series = trend.series[0];
    const buckets = series ? series.buckets : [];
    const box = document.getElementById("trend");
    if (buckets.length < 2) {
      box.hidden = true;
      return;
    }
    const most = Math.max(1, ...buckets.map((b) => b.count));
    const width = 600, height = 90, gap = buckets.length > 60 ? 0 : 1;
    const bar = width / buckets.length;
    const plot = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "기간별 기사 수", preserveAspectRatio: "none" });
    buckets.forEach((b, i) => {
      const h = b.count ? Math.max(2, (b.count / most) * height) : 0;
      const x = i * bar;
      const g = svg("g", { class: "bar", tabindex: "0", "data-from": b.from, "data-to": b.to, "data-count": String(b.count) });
      g.append(svg("title", {}, `${b.key}: ${b.count.toLocaleString("ko-KR")}건`));
      g.append(svg("rect", { x: String(x), y: "0", width: String(bar), height: String(height), class: "hit-area" }));
      g.append(svg("rect", { x: String(x + gap / 2), y: String(height - h), width: String(Math.max(bar - gap, 0.5)), height: String(h), class: "fill" }));
      const pick = () => onPick(b.from, b.to);
      g.addEventListener("click", pick);
      g.addEventListener("keydown", (e) => { if (e.key === "Enter") pick(); });
      plot.append(g);
    });
    const unit = { day: "일별", week: "주별", month: "월별" }[trend.interval] || "";
    const about = series.total_exact === false ? "약 " : "";
    const caption = document.createElement("p");
    caption.className = "trend-caption";
    const range = `${buckets[0].key} – ${buckets[buckets.length - 1].key}`;
    caption.textContent = `${range} ${unit} 기사 수 · 최대 ${about}${most.toLocaleString("ko-KR")}건 · 막대를 누르면 그 기간만 봅니다`;
    box.replaceChildren(plot, caption);
    box.hidden = false;
  }

  // Chips of related words, people and places; each adds itself to the query.
  function chips(related, onRefine) {
    const box = document.getElementById("related");
    const groups = [["연관어", related.words.map((w) => w.word)], ["인물", related.people.map((p) => p.name)], ["장소", related.places.map((p) => p.name)]];
    const rows = groups.filter(([, names]) => names.length).map(([label, names]) => {
      const row = document.createElement("div");
      row.className = "chips";
      const title = document.createElement("span");
      title.className = "chips-label";
      title.textContent = label;
      row.append(title, ...names.map((name) => {
        const chip = document.createElement("button");
        chip.type = "button";
        chip.className = "chip";
        chip.textContent = name;
        chip.addEventListener("click", () => onRefine(name));
        return chip;
      }));
      return row;
    });
    box.replaceChildren(...rows);
    box.hidden = rows.length === 0;
  }

  // Fetches both for state `s`; `update` changes the URL state (filters, query).
  async function show(s, update) {
    if (controller) controller.abort();
    controller = new AbortController();
    const signal = controller.signal;
    const p = params(s);
    const trendParams = new URLSearchParams(p);
    trendParams.set("interval", "auto");
    try {
      const [trend, related] = await Promise.all([
        fetch(apiPath("trend?" + trendParams), { signal }).then((r) => (r.ok ? r.json() : null)),
        fetch(apiPath("related?" + p), { signal }).then((r) => (r.ok ? r.json() : null)),
      ]);
      if (trend) chart(trend, (from, to) => update({ from, to, page: 1 }));
      if (related) chips(related, (word) => update({ q: `${s.q} ${word}`, page: 1 }));
    } catch (err) {
      if (err.name !== "AbortError") hide();
    }
  }

  function hide() {
    if (controller) controller.abort();
    document.getElementById("trend").hidden = true;
    document.getElementById("related").hidden = true;
  }

  return { show, hide };
})();
