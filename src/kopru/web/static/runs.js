// Runs page: every run of the scenario store (command line and web), one run's details, two side by side.
"use strict";

(() => {
  const body = document.querySelector("#runs-table tbody");
  const note = document.getElementById("store-note");
  const filter = document.getElementById("kind-filter");
  const button = document.getElementById("compare-btn");
  const hint = document.getElementById("compare-hint");
  const detail = document.getElementById("run-detail");
  const esc = kopru.esc;
  const KIND = { plan: "plan", risk: "risk", rank: "ranking", sweep: "sweep", match: "match" };
  const LABEL = {
    total: "annual cost", per_unit: "per unit", mean: "mean", p5: "p5", p50: "p50", p95: "p95",
    cvar95: "CVaR95", p_best: "P(best)", expected_regret: "regret", score: "score", rank: "rank",
    best: "best site", best_total: "best site's cost", baseline: "baseline", baseline_total: "baseline cost",
    saving_pct: "saving", feasible_sites: "feasible sites", error: "error",
    name: "name", zone: "zone", jobs: "jobs", investment_usd: "investment, USD", saving_usd: "saving, USD a year",
    advantage: "saving", enterprises: "enterprises placed", incentive_cost_usd: "incentives' cost, USD a year",
    exports_usd: "exports, USD a year", value_added_usd: "value added, USD a year", npv_gain_usd: "NPV gain, USD",
    // a risk run's statistics and a ranking's criteria, in words (a review: "mean se", "p over capacity")
    base: "cost at the data pack's values", at_means: "cost with every input at its mean",
    mean_se: "standard error of the mean", p_best_se: "standard error of P(best)",
    per_unit_base: "per unit, at the data pack's values", per_unit_mean: "per unit, mean", per_unit_p5: "per unit, p5",
    per_unit_p50: "per unit, p50", per_unit_p95: "per unit, p95", per_unit_cvar95: "per unit, CVaR95",
    capacity: "capacity, units a year", p_over_capacity: "chance of selling more than capacity",
    incentives_unconfirmed: "incentives unconfirmed",
    p_best_if_unconfirmed_incentives_fail: "P(best) if the unconfirmed incentives fail",
    cost: "annual landed cost", risk: "cost tail, share of the mean", npv: "NPV", distance: "distance to markets, km",
    crossings: "border crossings and ferry legs", port_access: "way to a seaport, km",
  };
  const SHARES = new Set([
    "p_best", "saving_pct", "risk", "advantage", "p_best_se", "p_over_capacity", "p_best_if_unconfirmed_incentives_fail",
  ]);
  const COUNTS = new Set(["rank", "feasible_sites", "borders", "enterprises", "jobs"]);
  const FIRST_METRIC = { plan: "total", risk: "mean", rank: "score", sweep: "best_total" };
  const YES_NO = { True: "yes", False: "no", true: "yes", false: "no" };  // the store keeps Python's words
  const PARAM = {
    optimize: "network optimized", samples: "samples", seed: "seed", avoid: "routes around", method: "method",
    weights: "weights", file: "scenario file", dask: "run on Dask", uncertainty: "uncertain inputs",
    objective: "objective", hurdle_pct: "hurdle, %", max_incentive_cost: "incentives' cost at most, USD a year",
    min_jobs: "jobs targets", confirmed_only: "confirmed SEZ eligibility only", prefer: "ties toward",
    include_operating: "operating plants placed too", zones: "zones of its own",
  };
  let runs = [];

  const label = (metric) => LABEL[metric] ?? metric.replace(/^component_/, "").replaceAll("_", " ");
  const when = (iso) => esc(String(iso).replace("T", " ").replace("+00:00", ""));
  const base = (path) => String(path).split(/[\\/]/).pop();

  function number(metric, value) {
    if (value === null || value === undefined) return "—";
    if (SHARES.has(metric)) return `${(100 * value).toFixed(1)} %`;
    if (COUNTS.has(metric)) return kopru.money(value);
    if (metric === "score" || metric === "reliability") return Number(value).toFixed(3);
    if (metric === "per_unit" || metric.startsWith("per_unit_")) return kopru.money(value, 2);
    // a zero (a regret where the site is always cheapest) reads as the whole numbers beside it
    return kopru.money(value, value !== 0 && Math.abs(value) < 100 ? 2 : 0);
  }

  function options(r) {
    const p = r.params || {};
    const parts = [];
    if (r.kind === "plan") parts.push(p.optimize ? "network optimized" : "ranking of sites");
    if (r.kind === "risk") parts.push(`${kopru.money(p.samples)} samples, seed ${esc(p.seed)}`);
    if (r.kind === "rank") parts.push(`${esc(String(p.method || "").toUpperCase())}`);
    if (r.kind === "sweep" && p.file) parts.push(`file ${esc(base(p.file))}${p.dask ? " on Dask" : ""}`);
    if (r.kind === "match") {
      parts.push(`for ${esc(String(p.objective || "jobs").replaceAll("_", " "))}`);
      if (p.hurdle_pct !== null && p.hurdle_pct !== undefined) parts.push(`hurdle ${esc(p.hurdle_pct)} %`);
      if (p.max_incentive_cost !== null && p.max_incentive_cost !== undefined) parts.push(`incentives at most ${kopru.money(p.max_incentive_cost)} USD a year`);
      // every option that changes the portfolio (an analyst's review: runs with different targets,
      // ties or routes read alike)
      const targets = Object.entries(p.min_jobs || {});
      const named = (code) => esc((r.named || {})[code] || code);
      if (targets.length) parts.push(`at least ${targets.map(([reg, n]) => `${kopru.money(n)} jobs in ${named(reg)}`).join(", ")}`);
      if (p.prefer === "saving") parts.push("ties toward the largest saving");
      if (p.include_operating) parts.push("operating plants placed too");
      if (p.confirmed_only) parts.push("confirmed SEZ eligibility only");
      if (p.zones) parts.push("zones of its own");
    }
    // a plan's "No route through" as a match's avoid: runs with and without it read alike (a review)
    const country = (code) => esc((r.named || {})[code] || code);
    if ((p.avoid || []).length) parts.push(`routes around ${p.avoid.map(country).join(", ")}`);
    if (r.profile_path) parts.push(`profile ${esc(base(r.profile_path))}`);
    if (r.disruptions.length) parts.push(`closed ${esc(r.disruptions.join(", "))}`);
    // what it replaced, named and with its value (runs of different what-ifs read alike otherwise)
    const replaced = r.replaced || [];
    if (replaced.length) parts.push(`replaced ${esc(replaced.slice(0, 3).join("; "))}${replaced.length > 3 ? ` and ${replaced.length - 3} more` : ""}`);
    else if (r.overridden.length) parts.push(`${r.overridden.length} value${r.overridden.length > 1 ? "s" : ""} overridden`);
    return parts.join("; ");
  }

  function headline(r) {
    const h = r.headline;
    if (!h || !h.item) return '<span class="muted">—</span>';
    const cur = esc(r.currency || "");
    const site = `<b>${esc(h.name || h.item)}</b>`;
    if (r.kind === "plan") return `${site}: ${kopru.money(h.value)} ${cur} a year <span class="muted">(best of ${h.count} sites)</span>`;
    if (r.kind === "risk") {
      return `lowest mean ${site}: ${kopru.money(h.value)} ${cur} a year` +
        (h.p_best !== null ? `, cheapest in ${(100 * h.p_best).toFixed(0)} % of samples` : "");
    }
    if (r.kind === "rank") return `first ${site}, score ${number("score", h.value)}`;
    if (r.kind === "match") {
      const key = String((r.params || {}).objective || "jobs");
      // the objective's unit (a review: 'investment 1,531,678,377' said none)
      const unit = { jobs: "jobs", investment: "USD", exports: "USD a year", value_added: "USD a year",
        savings: "USD a year", npv_gain: "USD" }[key];
      const value = unit ? `${kopru.money(h.value)} ${unit}` : `score ${number("score", h.value)}`;
      return `<b>${kopru.money(h.enterprises)}</b> of ${h.count} enterprises placed; ${esc(key.replaceAll("_", " "))}: ${value}`;
    }
    if (r.kind === "sweep") {
      return `${h.count} scenarios; cheapest “${esc(h.item)}”: <b>${esc(h.text_name || h.text || "—")}</b> ` +
        `${kopru.money(h.value)} ${cur}`;
    }
    return `${esc(h.item)}: ${number(h.metric, h.value)}`;
  }

  // the Plan page fills its form from the store for a run it does not hold (stored_run.js)
  const refillHref = (r) => `/plan?run=${r.id}${r.kind === "risk" ? "&risk=1" : ""}`;

  function openCell(r, details = true) {
    // each row's buttons say whose run they act on (a screen reader lists them out of their row)
    const of = `the run of ${when(r.created)}`;
    let html = details ? `<button class="small" data-open="${r.id}" aria-label="details of ${of}">details</button>` : "";
    const file = (url, name, what) => `<button class="small" data-url="${url}" data-dl="${name}" aria-label="${what} of ${of}">${what}</button>`;
    if (r.on_server && r.kind === "match") {
      // a match run this server still holds: its page, its report and workbook (a web review: match
      // runs could be listed but never reopened)
      const at = `/api/match/${r.id}`;
      html += ` <a class="small-link" href="/match?run=${r.id}" aria-label="${of} on the Match page">on the Match page</a>
        ${file(`${at}/report.html`, "match_report.html", "report")} ${file(`${at}/match.xlsx`, "match.xlsx", "Excel")}`;
    } else if (r.kind === "match") {
      // a stored match run this server does not hold (it was restarted, or the command line ran it):
      // its options fill the Match form again; its portfolio is not there to show (a web review)
      html += ` <a class="small-link" href="/match?form=${r.id}" aria-label="fill the Match form with the options of ${of}">fill the Match form again</a>`;
    } else if (r.on_server) {
      const at = `/api/runs/${r.id}`;
      html += ` <a class="small-link" href="/plan?run=${r.id}${r.kind === "risk" ? "&risk=1" : ""}" aria-label="${of} on the Plan page">on the Plan page</a>
        ${file(`${at}/plan.json`, "plan.json", "plan.json")} ${file(`${at}/report.html`, "report.html", "report")}
        ${file(`${at}/plan.xlsx`, "plan.xlsx", "Excel")} ${file(`${at}/summary.pdf`, "summary.pdf", "summary")}`;
    } else if (r.kind === "plan" || r.kind === "risk") {
      // a stored plan or risk run this server does not hold (a restart, or the command line's): its
      // profile and options fill the Plan form again, to be run anew (a first-time user's review)
      html += ` <a class="small-link" href="${refillHref(r)}" aria-label="fill the Plan form with the profile and options of ${of}">fill the Plan form again</a>`;
    }
    return `<div class="actions">${html}</div>`;
  }

  // -- the list --------------------------------------------------------------------------------
  function ticked() {
    return [...body.querySelectorAll("input:checked")].map((c) => c.value);
  }

  function update() {
    const n = ticked().length;
    button.disabled = n !== 2;
    hint.textContent = n === 2 ? "" : `tick two runs (${n} ticked)`;
  }

  async function load() {
    const kind = filter.value;
    note.className = "muted store-note";
    let listing;
    try {
      listing = await kopru.json(`/api/store/runs${kind ? `?kind=${encodeURIComponent(kind)}` : ""}`);
    } catch (e) {
      // a busy store (another kopru is writing) or one that cannot be read: say so, offer a retry
      note.className = "error store-note";
      note.innerHTML = `${esc(e.message)} <button class="small" id="retry">Retry</button>`;
      document.getElementById("retry").addEventListener("click", load);
      body.innerHTML = '<tr><td colspan="6" class="muted">The scenario store could not be read.</td></tr>';
      runs = [];
      update();
      return;
    }
    runs = listing.runs;
    const where = `<code>${esc(listing.store)}</code>`;
    if (!listing.exists) {
      note.innerHTML = `No runs recorded yet. The scenario store will be created at ${where} when the first plan or
        risk run is recorded, here (<a href="/plan">Plan</a>) or by <code>kopru plan</code>, <code>risk</code>,
        <code>rank</code> or <code>sweep</code>.`;
    } else {
      const shown = listing.total > runs.length ? `the newest ${runs.length} of ${listing.total}` : `${listing.total}`;
      note.innerHTML = `Scenario store ${where}: ${shown} ${kind ? esc(KIND[kind]) + " " : ""}run${listing.total === 1 ? "" : "s"}.`;
    }
    if (!runs.length) {
      body.innerHTML = `<tr><td colspan="6" class="muted">No ${kind ? esc(KIND[kind]) + " " : ""}runs yet: <a href="/plan">run a plan</a> first.</td></tr>`;
    } else {
      // data-label: on a narrow screen each row becomes a card and the cells say what they are
      body.innerHTML = runs.map((r, i) => `<tr data-run="${r.id}">
        <td class="pick"><input type="checkbox" value="${r.id}" ${i < 2 ? "checked" : ""} aria-label="compare the run of ${when(r.created)}"></td>
        <td class="nowrap" data-label="when (UTC)">${when(r.created)}
          <span class="kind kind-${esc(r.kind)}">${esc(KIND[r.kind] || r.kind)}</span></td>
        <td data-label="company · product">${r.kind === "match" ? `pipeline: ${esc(pipelineOf(r))}` : `${esc(r.company || "—")}<br><span class="muted">${esc(r.product || "")}</span>`}</td>
        <td data-label="options">${options(r) || "—"}</td><td data-label="headline result">${headline(r)}</td>
        <td data-label="open">${openCell(r)}</td></tr>`).join("");
    }
    update();
  }

  async function loadUnrecorded() {
    let mine = [];
    try {
      mine = (await kopru.json("/api/runs")).filter((r) => !r.recorded);
    } catch (_) {
      return;
    }
    const section = document.getElementById("unrecorded");
    section.hidden = !mine.length;
    document.querySelector("#unrecorded-table tbody").innerHTML = mine.map((r) => `<tr>
      <td class="nowrap" data-label="when (UTC)">${when(r.created)} <span class="kind kind-${esc(r.kind)}">${esc(KIND[r.kind])}</span></td>
      <td data-label="company · product">${esc(r.company)}<br><span class="muted">${esc(r.product)}</span></td>
      <td data-label="recommended site">${esc(r.recommended_name ?? "none")}</td>
      <td class="num" data-label="annual cost">${kopru.money(r.total)} ${esc(r.currency)}</td>
      <td data-label="open">${openCell({ ...r, on_server: true }, false)}</td></tr>`).join("");
  }

  // -- one run ---------------------------------------------------------------------------------
  // a match run's pipeline: the example, or the uploaded file's name
  const pipelineOf = (r) => {
    const source = String((r.params || {}).pipeline || "");
    return source === "example:pipeline" ? "the example pipeline" : source.replace(/^upload:/, "") || "—";
  };
  // what the user must give again: a file is never sent back (by its name, not a path on the server)
  const refillNote = (r) => {
    const source = String((r.params || {}).pipeline || "");
    const name = esc(source.replace(/^upload:/, "").split(/[\\/]/).pop());
    if (source.startsWith("upload:")) return `; the pipeline file “${name}” must be chosen again`;
    if (source && source !== "example:pipeline") return `; the file the command line read, “${name}”, must be chosen`;
    return "";
  };

  function params(p, shown = [], named = {}) {
    // options not set (null, {}) say nothing; those shown elsewhere are not repeated
    const set = (v) => v !== null && v !== undefined && !(typeof v === "object" && !Array.isArray(v) && !Object.keys(v).length);
    const name = (code) => named[code] || code;
    return Object.entries(p || {}).filter(([k, v]) => set(v) && !shown.includes(k)).map(([k, v]) => {
      let text;
      if (k === "uncertainty" && v && v.variables) text = `${Object.keys(v.variables).length} uncertain inputs (${v.copula.length} correlated)`;
      // countries and regions by name, not as codes in JSON (a review: routes around ["BY","IR","RU"])
      else if (k === "avoid" && Array.isArray(v)) text = v.map(name).join(", ") || "none";
      else if (k === "min_jobs" && typeof v === "object") text = Object.entries(v).map(([c, n]) => `${kopru.money(n)} jobs in ${name(c)}`).join(", ");
      else if (v !== null && typeof v === "object") text = JSON.stringify(v).slice(0, 160);
      else if (typeof v === "boolean") text = v ? "yes" : "no";
      else text = String(v);
      return `<tr><th>${esc(PARAM[k] || k.replaceAll("_", " "))}</th><td>${esc(text)}</td></tr>`;
    }).join("");
  }

  function pivot(results, names, kind) {
    const items = [];
    const metrics = [];
    const cell = new Map();
    for (const r of results) {
      if (!cell.has(r.item)) { cell.set(r.item, new Map()); items.push(r.item); }
      if (!metrics.includes(r.metric)) metrics.push(r.metric);
      cell.get(r.item).set(r.metric, r);
    }
    const show = (metric, r) => {
      if (!r) return "";
      if (r.value !== null) return number(metric, r.value);
      if (r.text in YES_NO) return YES_NO[r.text];
      return esc(names[r.text] || r.text || "—");
    };
    // a plan's or a ranking's sites in rank order (the store keeps them in the data pack's order)
    const rank = (item) => cell.get(item).get("rank")?.value ?? Infinity;
    if (metrics.includes("rank")) items.sort((x, y) => rank(x) - rank(y));
    if (metrics.includes("enterprise")) metrics.splice(metrics.indexOf("enterprise"), 1);
    const textual = new Set(metrics.filter((m) => results.every((r) => r.metric !== m || r.value === null)));
    const head = `<tr><th>${{ sweep: "scenario", match: "enterprise" }[kind] || "site"}</th>${metrics.map((m) => `<th${textual.has(m) ? "" : ' class="num"'}>${esc(label(m))}</th>`).join("")}</tr>`;
    // a match run keeps each enterprise's name beside its id: the row is named by it
    const named = (item) => names[item] || cell.get(item).get("enterprise")?.text || item;
    const rows = items.map((item) => `<tr><td>${esc(named(item))}</td>${metrics.map((m) => {
      const r = cell.get(item).get(m);
      return `<td${r && r.value === null && r.text !== null ? "" : ' class="num"'}>${show(m, r)}</td>`;
    }).join("")}</tr>`).join("");
    return `<table class="grid results"><thead>${head}</thead><tbody>${rows}</tbody></table>`;
  }

  async function openRun(id) {
    let r;
    try {
      r = await kopru.json(`/api/store/runs/${id}`);
    } catch (e) {
      kopru.toast(e.message);
      return;
    }
    // each value as a reader names it, with its value (the server's words), not its key and JSON
    const over = (r.replaced || []).join("; ") || Object.keys(r.overrides || {}).join("; ");
    detail.innerHTML = `<div class="row spread"><h2>${esc(KIND[r.kind] || r.kind)} run: ${esc(r.kind === "match" ? pipelineOf(r) : r.company || "")}</h2>
        <span><button class="small" id="delete-run">delete this run</button>
        <button class="small" id="close-detail">close</button></span></div>
      <p>${headline(r)}</p>
      <div class="table-wrap"><table class="grid facts">
        <tr><th>run id</th><td><code>${esc(r.id)}</code></td></tr>
        <tr><th>when (UTC)</th><td>${when(r.created)}</td></tr>
        ${r.kind === "match" ? `<tr><th>pipeline</th><td>${esc(pipelineOf(r))}</td></tr>` : `
        <tr><th>product</th><td>${esc(r.product || "—")}</td></tr>
        <tr><th>profile</th><td>${r.profile_path ? esc(r.profile_path) : "no file recorded (the profile itself is kept in the run's inputs)"}</td></tr>
        <tr><th>closed corridor parts</th><td>${esc(r.disruptions.join(", ") || "none")}</td></tr>
        <tr><th>overridden values</th><td>${esc(over || "none")}</td></tr>`}
        ${params(r.params, r.kind === "match" ? ["pipeline"] : [], r.named || {})}
        ${r.kind === "match" ? "" : `<tr><th>currency</th><td>${esc(r.currency || "—")}</td></tr>`}
        <tr><th>data pack · kopru</th><td>${esc(r.data_pack_version || "—")} · ${esc(r.kopru_version || "—")}</td></tr>
        <tr><th>inputs hash</th><td><code class="hash">${esc(r.inputs_hash)}</code> (equal inputs, equal hash)</td></tr>
      </table></div>
      ${r.kind === "match" && !r.on_server ? `<p class="muted">Each enterprise's zone, as the store keeps it. This server does not
        hold the run's portfolio (it keeps its last 50 match runs while it runs; the command line's are never here):
        <a href="/match?form=${r.id}">fill the Match form again</a> with the run's options to compute it anew${refillNote(r)}.</p>` : r.on_server ? `<p>${openCell(r, false)}</p>` : `<p class="muted">Recorded by the command line or an earlier server: the
        results below are what the store keeps; <code>kopru runs show ${esc(r.id.slice(0, 12))}</code> prints them too.${
        r.kind === "plan" || r.kind === "risk" ? ` This server does not hold its plan:
        <a href="${refillHref(r)}">fill the Plan form again</a> with the run's profile and options to compute it anew.` : ""}</p>`}
      <h3>Results (${r.headline ? r.headline.count : 0} ${{ sweep: "scenarios", match: "enterprises" }[r.kind] || "sites"})</h3>
      <div class="table-wrap scroll">${pivot(r.results, r.names, r.kind)}</div>`;
    detail.hidden = false;
    document.getElementById("close-detail").addEventListener("click", () => { detail.hidden = true; });
    // a review: runs could not be deleted (a confidential profile's, a useless one's); asked first
    document.getElementById("delete-run").addEventListener("click", async () => {
      const what = `the ${KIND[r.kind] || r.kind} run of ${when(r.created)}`;
      if (!window.confirm(`Delete ${what} and its results from the scenario store? It cannot be undone.`)) return;
      try {
        await kopru.json(`/api/store/runs/${r.id}`, { method: "DELETE" });
      } catch (e) {
        kopru.toast(e.message);
        return;
      }
      detail.hidden = true;
      kopru.toast(`Deleted ${what}.`, "ok");
      await load();
    });
    detail.scrollIntoView({ behavior: "smooth" });
  }

  // -- two runs side by side --------------------------------------------------------------------
  function side(r, name) {
    return `<div class="side"><h3>${name}: ${esc(KIND[r.kind] || r.kind)}, ${esc(r.company || "")}</h3>
      <p class="muted">${esc(r.product || "")} · ${when(r.created)}</p>
      <p>${options(r) || "&nbsp;"}</p><p class="headline">${headline(r)}</p></div>`;
  }

  let comparison = null;

  // a plan, risk or ranking run with no site that serves every market: its headline names none
  const SITED = new Set(["plan", "risk", "rank"]);
  const noSite = (r) => SITED.has(r.kind) && !(r.headline && r.headline.item);
  const whose = (r, currency) => `${r.company || "a company not recorded"}'s ${r.product || "product"}` +
    (currency && r.currency ? ` in ${r.currency}` : "");

  // what the side-by-side figures do not say by themselves: runs of different products, companies
  // or currencies, and a run with no feasible site (a review: fridges against T-shirts, -79 %, and
  // "0.0 %" against a run that could serve no market)
  function warnings(a, b) {
    const said = [];
    if (SITED.has(a.kind) && SITED.has(b.kind)) {
      const differ = ["company", "product", "currency"].filter((k) => a[k] && b[k] && a[k] !== b[k]);
      if (differ.length) {
        said.push(`A and B are runs of a different ${differ.join(", ").replace(/, ([^,]*)$/, " and $1")}: A is ` +
          `${whose(a, differ.includes("currency"))}, B ${whose(b, differ.includes("currency"))}. Their figures are of different plans: B − A and the change compare unlike things.`);
      }
    }
    const none = [["A", a], ["B", b]].filter(([, r]) => noSite(r)).map(([n]) => n);
    if (none.length === 2) said.push("Neither run has a site that can serve every market, so their figures are not compared. Open each run for its results.");
    else if (none.length) {
      said.push(`${none[0]} has no site that can serve every market: its costs by component are not a plan's, so the ` +
        "runs' figures are not compared. Open each run for its results.");
    }
    return said;
  }

  function drawMetric(metric) {
    const { rows, names, a } = comparison;
    const name = (item) => names[item] || item;
    const pairs = rows.filter((r) => r.metric === metric && (r.a !== null || r.b !== null));
    // by A; the sites only B has come last (a review: they came first, with "—" for A)
    pairs.sort((x, y) => (x.a ?? Infinity) - (y.a ?? Infinity) || (x.b ?? Infinity) - (y.b ?? Infinity));
    document.querySelector("#compare-table tbody").innerHTML = pairs.map((r) => {
      // a relative change of a share or a rank says nothing: B − A says it already
      const relative = r.a && r.diff !== null && !SHARES.has(metric) && !COUNTS.has(metric);
      const change = relative ? `${((100 * r.diff) / Math.abs(r.a)).toFixed(1)} %` : "—";
      return `<tr><td>${esc(name(r.item))}</td><td class="num">${number(metric, r.a)}</td><td class="num">${number(metric, r.b)}</td>
        <td class="num">${number(metric, r.diff)}</td><td class="num">${change}</td></tr>`;
    }).join("");
    const top = pairs.slice(0, 15).reverse(); // the smallest at the top of a horizontal chart
    const bar = (key, title, colour) => ({
      type: "bar", orientation: "h", name: title, marker: { color: colour },
      y: top.map((r) => name(r.item)), x: top.map((r) => r[key]),
      hovertemplate: `%{y}: %{x:,.4~g}<extra>${esc(title)}</extra>`,
    });
    const cur = a.currency && !SHARES.has(metric) && !COUNTS.has(metric) && metric !== "score" ? ` (${a.currency})` : "";
    return kopru.plot(document.getElementById("compare-chart"), {
      // plotly stacks a horizontal group's first trace at the bottom: B first puts A on top
      data: [bar("b", "B", "#f2a541"), bar("a", "A", "#1f3b73")],
      layout: {
        barmode: "group", height: Math.max(320, 34 * top.length + 120),
        margin: { l: 10, r: 10, t: 40, b: 40 }, yaxis: { automargin: true },
        title: { text: `${label(metric)}${cur}: A and B`, font: { size: 15 } },
        legend: { orientation: "h", y: -0.12, traceorder: "reversed" },
      },
    });
  }

  button.addEventListener("click", async () => {
    const [a, b] = ticked();
    try {
      comparison = await kopru.json(`/api/store/compare?a=${a}&b=${b}`);
    } catch (e) {
      kopru.toast(e.message);
      return;
    }
    const section = document.getElementById("comparison");
    section.hidden = false;
    document.getElementById("compare-cols").innerHTML = side(comparison.a, "A") + side(comparison.b, "B");
    const warned = warnings(comparison.a, comparison.b);
    const warning = document.getElementById("compare-warning");
    warning.textContent = warned.join(" ");
    warning.hidden = !warned.length;
    // the figures both runs have (a plan's totals, a risk run's means ...), the headline one first;
    // none when a run has no feasible site (its components would read as "0.0 %" apart)
    const both = noSite(comparison.a) || noSite(comparison.b) ? []
      : [...new Set(comparison.rows.filter((r) => r.a !== null && r.b !== null).map((r) => r.metric))];
    const select = document.getElementById("compare-metric");
    const noteEl = document.getElementById("compare-note");
    const preferred = [FIRST_METRIC[comparison.a.kind], FIRST_METRIC[comparison.b.kind]].find((m) => both.includes(m));
    both.sort((x, y) => (x === preferred ? -1 : y === preferred ? 1 : 0));
    select.innerHTML = both.map((m) => `<option value="${esc(m)}">${esc(label(m))}</option>`).join("");
    document.getElementById("compare-metric-row").hidden = !both.length;
    document.getElementById("compare-chart").hidden = !both.length;
    document.getElementById("compare-table-wrap").hidden = !both.length;
    if (!both.length && warned.length && (noSite(comparison.a) || noSite(comparison.b))) {
      noteEl.textContent = "";
      document.querySelector("#compare-table tbody").innerHTML = "";
    } else if (!both.length) {
      noteEl.textContent = `These runs share no figure: a ${KIND[comparison.a.kind]} run and a ${KIND[comparison.b.kind]} run record different results. Open each one for its results.`;
      document.querySelector("#compare-table tbody").innerHTML = "";
    } else {
      noteEl.textContent = comparison.a.inputs_hash === comparison.b.inputs_hash
        ? "Both runs have the same inputs (same hash)."
        : "Sorted by A, smallest first; B − A and the change are relative to A.";
      await drawMetric(both[0]);
    }
    section.scrollIntoView({ behavior: "smooth" });
  });

  document.getElementById("compare-metric").addEventListener("change", (e) => drawMetric(e.target.value));

  // -- wiring ----------------------------------------------------------------------------------
  for (const table of [body, document.querySelector("#unrecorded-table tbody")]) {
    table.addEventListener("click", (event) => {
      const dl = event.target.closest("button[data-dl]");
      if (dl) kopru.download(dl.dataset.url, dl.dataset.dl);
      const open = event.target.closest("button[data-open]");
      if (open) openRun(open.dataset.open);
    });
  }
  detail.addEventListener("click", (event) => {
    const dl = event.target.closest("button[data-dl]");
    if (dl) kopru.download(dl.dataset.url, dl.dataset.dl);
  });
  body.addEventListener("change", update);
  filter.addEventListener("change", load);
  load();
  loadUnrecorded();
})();
