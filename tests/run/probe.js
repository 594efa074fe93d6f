// Measures a page as a browser lays it out: the boxes of heatmaps, charts and tables, and each visible text with its colour and background. tests/run/test_reading.py injects it and reads the JSON it posts.
(function () {
  function rect(e) { const r = e.getBoundingClientRect(); return [Math.round(r.left), Math.round(r.top), Math.round(r.width), Math.round(r.height)]; }
  function bg(e) {
    for (; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      if (c && c !== "rgba(0, 0, 0, 0)" && c !== "transparent") return c;
    }
    return "rgb(255, 255, 255)";
  }
  const out = { width: document.documentElement.clientWidth, scrollWidth: document.documentElement.scrollWidth,
    heat: [...document.querySelectorAll(".rb-heat-cell")].map(rect),
    trends: [...document.querySelectorAll(".rb-trend")].map(rect),
    tables: [...document.querySelectorAll("table")].map(rect),
    cells: [...document.querySelectorAll("td")].slice(0, 400).map(e => [rect(e), (e.innerText || "").slice(0, 40), e.dataset.label || ""]),
    text: [] };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const e = n.parentElement;
    if (!n.textContent.trim() || !e || e.closest("svg,script,style,pre#rb-probe")) continue;
    const s = getComputedStyle(e);
    if (s.display === "none" || s.visibility === "hidden" || e.getClientRects().length === 0) continue;
    out.text.push([n.textContent.trim().slice(0, 30), s.color, bg(e)]);
  }
  const pre = document.createElement("pre"); pre.id = "rb-probe"; pre.textContent = JSON.stringify(out);
  parent.postMessage(pre.textContent, "*");
})();
