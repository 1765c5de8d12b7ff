// The Compare page: pick an example and 2-3 of its sites by name; the table is kopru compare's.
"use strict";

(() => {
  const example = document.getElementById("cmp-example");
  const picks = [1, 2, 3].map((i) => document.getElementById(`cmp-site-${i}`));
  const errorBox = document.getElementById("cmp-error");
  const samples = document.getElementById("cmp-samples");

  async function loadExamples() {
    const list = await kopru.json("/api/examples");
    example.innerHTML = list.map((e) => `<option value="${kopru.esc(e.name)}">${kopru.esc(e.company)}: ${kopru.esc(e.product)}</option>`).join("");
    const wanted = new URLSearchParams(location.search).get("example");
    if (wanted && list.some((e) => e.name === wanted)) example.value = wanted;
    else if (wanted) errorBox.textContent = `There is no example “${wanted.slice(0, 40)}”; showing ${example.value}.`;
    await loadSites();
  }

  // the sites of this example's plan, cheapest first, by name (the id travels as the value)
  async function loadSites() {
    const plan = await kopru.json("/api/plan", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ example: example.value, record: false }), // filling a list is not a run
    });
    const byId = Object.fromEntries(plan.sites.map((s) => [s.id, s]));
    const ranked = plan.ranking.map((id) => byId[id]);
    const options = ranked.map((s) => `<option value="${kopru.esc(s.id)}">${s.rank}. ${kopru.esc(s.name)} (${s.country})</option>`).join("");
    picks.forEach((p, i) => { p.innerHTML = (i === 2 ? '<option value="">—</option>' : "") + options; });
    picks[0].value = ranked[0].id;
    picks[1].value = ranked[1].id;
    picks[2].value = plan.recommendation.baseline_site || "";
    document.body.dataset.ready = "1";
  }

  function cell(value, unit, ownUnit) {
    if (value === null || value === undefined) return "—";
    if (typeof value === "string") return kopru.esc(value);
    if (unit === "%") return `${(value * 100).toFixed(1)} %`;
    const text = Math.abs(value) >= 1000 ? value.toLocaleString("en-US", { maximumFractionDigits: 0 })
      : Math.abs(value) >= 1 ? value.toLocaleString("en-US", { maximumFractionDigits: 2 }) : value.toPrecision(3);
    return ownUnit ? `${text} ${kopru.esc(ownUnit)}` : text;
  }

  function render(result) {
    document.getElementById("cmp-title").textContent = `${result.company}: ${result.product} (${result.currency})`;
    const head = `<thead><tr><th>figure</th><th>unit</th>${result.sites.map((s) => `<th title="${kopru.esc(s.id)}">${kopru.esc(s.name)} (${s.country})</th>`).join("")}</tr></thead>`;
    let section = null;
    const rows = [];
    for (const r of result.rows) {
      if (r.section !== section) {
        section = r.section;
        rows.push(`<tr class="section"><th colspan="${2 + result.sites.length}">${kopru.esc(section)}</th></tr>`);
      }
      const cells = r.values.map((v, j) => {
        const note = r.notes[j] ? `<div class="note">${kopru.esc(r.notes[j])}</div>` : "";
        return `<td>${cell(v, r.unit, r.units ? r.units[j] : "")}${note}</td>`;
      });
      // data-unit: on a phone the unit column folds into the row's name
      const unit = r.unit ? ` data-unit="${kopru.esc(r.unit)}"` : "";
      rows.push(`<tr><th${unit}>${kopru.esc(r.label)}</th><td class="unit">${kopru.esc(r.unit)}</td>${cells.join("")}</tr>`);
    }
    const table = document.getElementById("cmp-table");
    table.innerHTML = head + `<tbody>${rows.join("")}</tbody>`;
    table.style.setProperty("--sites", result.sites.length); // a phone shows the sites' values side by side
    document.getElementById("cmp-notes").innerHTML = (result.notes || []).map((n) => `<p class="note">${kopru.esc(n)}</p>`).join("");
    document.getElementById("cmp-result").hidden = false;
  }

  document.getElementById("compare-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    errorBox.textContent = "";
    samples.classList.remove("invalid");
    const sites = picks.map((p) => p.value).filter(Boolean);
    try {
      const result = await kopru.json("/api/compare-sites", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ example: example.value, sites, samples: Number(samples.value) || 0 }),
      });
      render(result);
    } catch (error) {
      // the server checks the draws (the field's bounds only mirror its own): its word is shown
      errorBox.textContent = error.message;
      const fields = error.body && Array.isArray(error.body.detail) ? error.body.detail.map((d) => d.field) : [];
      if (fields.includes("samples")) samples.classList.add("invalid");
    }
  });
  example.addEventListener("change", () => loadSites().catch((e) => kopru.toast(e.message)));
  loadExamples().catch((e) => kopru.toast(e.message));
})();
