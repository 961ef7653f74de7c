// 찾아 typing assistance: suggestions under the search box as you type (↑/↓ to move, Enter to pick,
// Esc to close, or the mouse), and the "형태소 분석" panel for the current query. Loaded before app.js,
// which calls Assist.wire(box, pick) and Assist.analysis(q).
"use strict";

// The index the page searches: `index=` in the URL names one of the server's indexes; none is the
// default. Every API path goes through apiPath, so each script asks the same index.
function chosenIndex() {
  return new URLSearchParams(location.search).get("index") || "";
}

function apiPath(path) {
  const index = chosenIndex();
  return index ? `/api/indexes/${encodeURIComponent(index)}/${path}` : `/api/${path}`;
}

const Assist = (() => {
  let timer = null;
  let controller = null;
  let active = -1;

  function list() {
    return document.getElementById("suggestions");
  }

  function close(box) {
    const ul = list();
    ul.hidden = true;
    ul.replaceChildren();
    active = -1;
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
  }

  function highlight(box, i) {
    const items = [...list().children];
    if (!items.length) return;
    active = (i + items.length) % items.length;
    items.forEach((li, n) => li.setAttribute("aria-selected", String(n === active)));
    box.setAttribute("aria-activedescendant", items[active].id);
  }

  async function fetchSuggestions(box) {
    const q = box.value.trim();
    if (controller) controller.abort();
    if (!q) return close(box);
    controller = new AbortController();
    try {
      const response = await fetch(apiPath(`suggest?limit=8&q=${encodeURIComponent(q)}`), { signal: controller.signal });
      const data = await response.json();
      if (box.value.trim() !== q) return;
      show(box, response.ok ? data.suggestions : []);
    } catch (err) {
      if (err.name !== "AbortError") close(box);
    }
  }

  function show(box, suggestions) {
    const ul = list();
    if (!suggestions.length || document.activeElement !== box) return close(box);
    ul.replaceChildren(
      ...suggestions.map((s, n) => {
        const li = document.createElement("li");
        li.id = `suggestion-${n}`;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.text = s.text;
        const text = document.createElement("span");
        text.textContent = s.text;
        const count = document.createElement("span");
        count.className = "count";
        count.textContent = s.count.toLocaleString("ko-KR");
        li.append(text, count);
        return li;
      }),
    );
    ul.hidden = false;
    active = -1;
    box.setAttribute("aria-expanded", "true");
  }

  // Suggestions follow the box; picking one fills it and calls `pick(text)`.
  function wire(box, pick) {
    box.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => fetchSuggestions(box), 60);
    });
    box.addEventListener("keydown", (event) => {
      const open = !list().hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!open) return;
        event.preventDefault();
        highlight(box, active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        const text = list().children[active].dataset.text;
        box.value = text;
        close(box);
        pick(text);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close(box);
      }
    });
    box.addEventListener("blur", () => setTimeout(() => close(box), 150));
    list().addEventListener("mousedown", (event) => {
      const li = event.target.closest("li");
      if (!li) return;
      event.preventDefault();
      box.value = li.dataset.text;
      close(box);
      pick(li.dataset.text);
    });
    return () => close(box);
  }

  // The "형태소 분석" panel: what the analyzer does with `q`, fetched when opened.
  function analysis(q) {
    const panel = document.getElementById("analysis");
    const body = document.getElementById("analysis-body");
    panel.hidden = !q;
    panel.dataset.q = q;
    body.replaceChildren();
    if (panel.open) load(panel, body);
  }

  async function load(panel, body) {
    const q = panel.dataset.q;
    if (!q || body.dataset.loaded === q) return;
    body.dataset.loaded = q;
    const response = await fetch(apiPath(`analyze?text=${encodeURIComponent(q)}`));
    const data = await response.json().catch(() => null);
    if (!response.ok || !data) {
      body.textContent = "분석할 수 없습니다.";
      return;
    }
    const table = document.createElement("table");
    const head = table.createTHead().insertRow();
    for (const h of ["형태소", "품사", "위치", "색인어", "설명"]) {
      const th = document.createElement("th");
      th.textContent = h;
      head.append(th);
    }
    const rows = table.createTBody();
    for (const t of data.tokens) {
      const row = rows.insertRow();
      const cells = [
        t.surface,
        t.pos,
        `${t.start}–${t.end}`,
        t.indexed.map((i) => `${i.term}@${i.position}`).join(" "),
        t.dropped || [...new Set(t.indexed.map((i) => i.kind))].join(", ") + (t.user_dictionary ? " · 사용자 사전" : ""),
      ];
      for (const c of cells) row.insertCell().textContent = c;
    }
    body.replaceChildren(table);
  }

  function wireAnalysis() {
    const panel = document.getElementById("analysis");
    panel.addEventListener("toggle", () => {
      if (panel.open) load(panel, document.getElementById("analysis-body"));
    });
  }

  return { wire, analysis, wireAnalysis };
})();
