// The Compare page: pick a plan (a shipped example, or one of your runs on this server) and 2-3 of
// its sites by name; the table is kopru compare's, on that plan's values and closures.
"use strict";

(() => {
  const planPick = document.getElementById("cmp-plan");
  const picks = [1, 2, 3].map((i) => document.getElementById(`cmp-site-${i}`));
  const errorBox = document.getElementById("cmp-error");
  const samples = document.getElementById("cmp-samples");
  const samplesErr = document.getElementById("cmp-samples-err");
  // the field as its label names it ("Risk draws"), without its hint in brackets
  const samplesLabel = samples.parentElement.firstChild.textContent.trim().replace(/\s*\(.*$/, "");

  // a run's time, in UTC as the Runs page gives it, short enough for a select
  const when = (iso) => `${new Date(iso).toLocaleString("en-GB", {
    day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "UTC",
  })} UTC`;
  const count = (n, thing) => `${n} ${thing}${n === 1 ? "" : "s"}`;

  // a run in words a person reads: whose plan, when, and what it changed (never its id)
  function runLabel(r) {
    const changes = [];
    if (r.overridden) changes.push(`${count(r.overridden, "value")} replaced`);
    if (r.disruptions.length) changes.push(`${count(r.disruptions.length, "corridor part")} closed`);
    if ((r.avoided || []).length) changes.push(`no route through ${r.avoided.join(", ")}`);
    if (r.kind === "risk") changes.push("with risk");
    const what = changes.length ? ` (${changes.join(", ")})` : "";
    return `${r.company}: ${r.product} — run of ${when(r.created)}${what}`;
  }

  // the select's value: "example:<name>" or "run:<id>", as the request names them
  function chosen() {
    const value = planPick.value;
    const at = value.indexOf(":");
    return { [value.slice(0, at)]: value.slice(at + 1) };
  }

  const option = (value, label) => `<option value="${kopru.esc(value)}">${kopru.esc(label)}</option>`;

  async function loadPlans() {
    // the runs are a help, not a need: when they cannot be listed the examples still work
    const [list, served] = await Promise.all([
      kopru.json("/api/examples"),
      kopru.json("/api/runs").catch((e) => {
        errorBox.textContent = `Your runs could not be listed (${e.message}); the examples can be compared.`;
        return [];
      }),
    ]);
    const runs = served.filter((r) => r.kind === "plan" || r.kind === "risk"); // newest first, as listed
    const groups = [`<optgroup label="Examples">${list.map((e) => option(`example:${e.name}`, `${e.company}: ${e.product}`)).join("")}</optgroup>`];
    if (runs.length) groups.push(`<optgroup label="Your runs on this server">${runs.map((r) => option(`run:${r.id}`, runLabel(r))).join("")}</optgroup>`);
    planPick.innerHTML = groups.join("");
    const query = new URLSearchParams(location.search);
    const run = query.get("run");
    const example = query.get("example");
    const showing = () => planPick.selectedOptions[0].textContent;
    if (run !== null) {
      if (runs.some((r) => r.id === run)) planPick.value = `run:${run}`;
      else errorBox.textContent = `The run in the address is not on this server (it holds its own runs since it started); showing ${showing()}.`;
    } else if (example) {
      if (list.some((e) => e.name === example)) planPick.value = `example:${example}`;
      else errorBox.textContent = `There is no example “${example.slice(0, 40)}”; showing ${showing()}.`;
    }
    await loadSites();
  }

  let latest = 0; // the answer for an earlier choice, arriving late, must not fill the lists

  // the sites of the chosen plan, cheapest first, by name (the id travels as the value)
  async function loadSites() {
    const mine = ++latest;
    const pick = chosen();
    const plan = pick.run
      ? await kopru.json(`/api/runs/${pick.run}`) // the run's own plan: its values and closures
      : await kopru.json("/api/plan", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ example: pick.example, record: false }), // filling a list is not a run
      });
    if (mine !== latest) return;
    const byId = Object.fromEntries(plan.sites.map((s) => [s.id, s]));
    const ranked = plan.ranking.map((id) => byId[id]);
    const rank = (s) => (s.rank ? `${s.rank}. ` : ""); // a site that cannot serve every market has none
    const options = ranked.map((s) => `<option value="${kopru.esc(s.id)}">${rank(s)}${kopru.esc(s.name)} (${s.country})</option>`).join("");
    picks.forEach((p, i) => { p.innerHTML = (i === 2 ? '<option value="">—</option>' : "") + options; });
    picks[0].value = ranked[0].id;
    picks[1].value = ranked[1].id;
    // the Turkish baseline third, unless a run's closures put it among the first two already
    const baseline = plan.recommendation.baseline_site || "";
    picks[2].value = [ranked[0].id, ranked[1].id].includes(baseline) ? "" : baseline;
    document.body.dataset.ready = "1";
  }

  function cell(value, unit, ownUnit) {
    if (value === null || value === undefined) return "—";
    if (typeof value === "string") return kopru.esc(value);
    // a % row's figures are percent (51.0), and so is a site's own "%" beside another's EUR/kg
    if ((ownUnit || unit) === "%") return `${value.toFixed(1)} %`;
    const text = Math.abs(value) >= 1000 ? value.toLocaleString("en-US", { maximumFractionDigits: 0 })
      : Math.abs(value) >= 1 ? value.toLocaleString("en-US", { maximumFractionDigits: 2 }) : value.toPrecision(3);
    return ownUnit ? `${text} ${kopru.esc(ownUnit)}` : text;
  }

  // whose plan the table is: the example, or the run with what it changed (the server says which)
  function showSource(result) {
    const source = result.source || {};
    const what = `${result.company}: ${result.product} (${result.currency})`;
    document.getElementById("cmp-title").textContent = source.run
      ? `Sites of your run of ${when(source.created)} — ${what}`
      : `Sites of the ${source.example ? "example" : "given profile"}'s plan — ${what}`;
    const line = document.getElementById("cmp-source");
    line.hidden = !source.run;
    if (!source.run) return;
    const parts = [];
    if (source.closed.length) parts.push(`Closed: ${source.closed.join(", ")}.`);
    if (source.replaced.length) parts.push(`Replaced: ${source.replaced.join("; ")}.`);
    if (source.avoided.length) parts.push(`Routes avoid ${source.avoided.join(", ")}.`);
    line.textContent = parts.length ? parts.join(" ")
      : "The run closed nothing and replaced no value: the data pack's figures.";
  }

  function render(result) {
    showSource(result);
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
    samplesErr.textContent = "";
    samples.classList.remove("invalid");
    samples.removeAttribute("aria-invalid");
    samples.removeAttribute("aria-describedby");
    const sites = picks.map((p) => p.value).filter(Boolean);
    try {
      // text the number field cannot read ("1-2000") reads as empty: refused, not run without risk
      if (samples.validity.badInput) {
        throw Object.assign(new Error("draws"), {
          body: { detail: [{ field: "samples", msg: "expected one whole number such as 2000 (0 for none), not a range or text" }] },
        });
      }
      const result = await kopru.json("/api/compare-sites", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ ...chosen(), sites, samples: Number(samples.value) || 0 }),
      });
      render(result);
    } catch (error) {
      // the server checks the draws (the field's bounds only mirror its own): its word is shown,
      // beside the field and in the label's words (a review: 'samples: expected at least 0')
      const detail = error.body && Array.isArray(error.body.detail) ? error.body.detail : [];
      const draws = detail.find((d) => d.field === "samples");
      if (draws) {
        samples.classList.add("invalid");
        samples.setAttribute("aria-invalid", "true");
        samples.setAttribute("aria-describedby", samplesErr.id);
        samplesErr.textContent = draws.msg;
        samples.focus();
      }
      const others = detail.filter((d) => d !== draws);
      errorBox.textContent = draws && !others.length ? `${samplesLabel}: ${draws.msg}` : error.message;
    }
  });
  planPick.addEventListener("change", () => {
    errorBox.textContent = "";
    // the choice goes into the address: Reload and Back keep it, and it can be shared on this server
    const [[kind, name]] = Object.entries(chosen());
    history.replaceState(null, "", `?${kind}=${encodeURIComponent(name)}`);
    loadSites().catch((e) => { errorBox.textContent = e.message; });
  });
  loadPlans().catch((e) => kopru.toast(e.message));
})();
