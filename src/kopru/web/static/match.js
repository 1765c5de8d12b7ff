// Match page: choose a pipeline (the example or a CSV), run kopru.match as a job, show the portfolio.
"use strict";

(() => {
  const form = document.getElementById("match-form");
  const errors = document.getElementById("match-errors");
  let currentRun = null;
  let lastSource = null; // which pipeline the shown portfolio is of: the example or a file's name
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const pct = (v) => `${(100 * v).toFixed(1)} %`;

  // the request's fields, as the form names them (a review: 'hurdle_pct: Input should be less than
  // 100' under the form, the field not marked)
  const FIELDS = {
    pipeline_csv: ["pipeline-file", "Pipeline file"],
    hurdle_pct: ["hurdle", "Hurdle, % saving"],
    max_incentive_cost: ["max-incentive", "Cap on incentive cost"],
    min_jobs: ["min-jobs", "Jobs target"],
  };

  function clearFieldErrors() {
    for (const [id] of Object.values(FIELDS)) {
      const input = document.getElementById(id);
      input.classList.remove("invalid");
      input.removeAttribute("aria-invalid");
      input.parentElement.querySelector("small.err").textContent = "";
    }
  }

  function showError(message, detail = []) {
    errors.hidden = false;
    const said = [];
    for (const d of detail) {
      const known = FIELDS[(d.loc || [])[1]];
      if (!known) continue;
      const input = document.getElementById(known[0]);
      input.classList.add("invalid");
      input.setAttribute("aria-invalid", "true");
      input.parentElement.querySelector("small.err").textContent = d.msg;
      said.push(`${known[1]}: ${d.msg}`);
    }
    errors.textContent = said.length ? said.join("; ") : message;
  }

  // a number field's value, or "" when empty; text it cannot read ("10-15", "1e") reads "" too,
  // so it is refused here, not run with the default (a review: the pitch sheets said "hurdle 10%")
  function numberIn(id, field, example) {
    const input = document.getElementById(id);
    if (input.validity.badInput) {
      throw Object.assign(new Error(`expected one number such as ${example}, not a range or text`), { field });
    }
    return input.value.trim();
  }

  let shownAt = "";  // when the portfolio shown was made

  async function body() {
    const out = { objective: document.getElementById("objective").value };
    const hurdle = numberIn("hurdle", "hurdle_pct", "12.5");
    if (hurdle !== "") out.hurdle_pct = Number(hurdle);
    const cap = numberIn("max-incentive", "max_incentive_cost", "5000000");
    if (cap !== "") out.max_incentive_cost = Number(cap);
    if (document.getElementById("confirmed-only").checked) out.confirmed_only = true;
    // the unplaced ones' advice named the API's key, which the page had no control for (a review)
    if (document.getElementById("include-operating").checked) out.include_operating = true;
    // a region's jobs target (an analyst's review: the core question had no input on the page)
    const region = document.getElementById("min-jobs-region").value;
    const jobs = numberIn("min-jobs", "min_jobs", "1000");
    if (region && jobs === "") throw Object.assign(new Error("give the jobs the target asks for, or no region"), { field: "min_jobs" });
    // a number without its region was dropped without a word (a review): which region is the user's to say
    if (!region && jobs !== "") throw Object.assign(new Error("choose the region the jobs are for under “jobs in”, or leave the jobs empty"), { field: "min_jobs" });
    if (region) out.min_jobs = { [region]: Number(jobs) };
    const around = document.getElementById("avoid-restricted");
    if (around.checked) out.avoid = around.dataset.avoid.split(",");
    if (form.elements.source.value === "upload") {
      const file = document.getElementById("pipeline-file").files[0];
      if (!file) throw new Error("choose a pipeline CSV, or the example");
      out.pipeline_csv = await file.text();
      out.pipeline_name = file.name;
    } else {
      out.example = "pipeline";
    }
    return out;
  }

  async function run() {
    errors.hidden = true;
    clearFieldErrors();
    const bar = document.getElementById("match-progress");
    const text = document.getElementById("match-progress-text");
    const button = document.getElementById("match-btn");
    button.disabled = true;
    document.getElementById("match-progress-row").hidden = false;  // no empty bar before a run
    let sent = false;  // a form check that fails sends nothing, and leaves the shown portfolio
    try {
      const request = await body();
      sent = true;
      let job = await kopru.json("/api/match", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(request),
      });
      lastSource = request.pipeline_name ? `“${request.pipeline_name}”` : "the example pipeline";
      while (job.status === "queued" || job.status === "running") {
        await sleep(250);
        job = await kopru.json(`/api/jobs/${job.id}`);
        bar.value = job.progress.length;
        text.textContent = job.progress.length ? `${job.progress[job.progress.length - 1]}…` : job.status;
      }
      if (job.status === "failed") {
        // a target no portfolio reaches names its field: said beside it, as a refused field is
        const fields = (job.error && job.error.fields) || [];
        throw Object.assign(new Error(job.error ? job.error.message : "the match failed"),
          { body: { detail: fields.map((f) => ({ loc: ["body", f.field], msg: f.msg })) } });
      }
      bar.value = bar.max;
      text.textContent = "done";
      document.getElementById("match-reopened").hidden = true;
      // the run in the address: Reload and Back bring the portfolio back (the page reopens ?run=)
      history.replaceState(null, "", `/match?run=${job.run}`);
      await show(job.run);
      kopru.focusResult(document.getElementById("match-results"));
    } catch (e) {
      // the last portfolio stays, said to be the earlier run's (as the Plan page does): a typo
      // should not cost the analyst the sheet they were reading (a review)
      if (sent && !document.getElementById("match-results").hidden) {
        const stale = document.getElementById("match-stale");
        stale.textContent = `This portfolio is of the earlier run (${shownAt}); the run just asked for failed: fix the form and run again.`;
        stale.hidden = false;
      }
      document.getElementById("match-progress-row").hidden = true;  // no empty bar under an error
      const detail = e.body && Array.isArray(e.body.detail) ? e.body.detail
        : e.field ? [{ loc: ["body", e.field], msg: e.message }] : [];
      showError(e.message, detail);
      text.textContent = "";
    } finally {
      button.disabled = false;
      if (document.activeElement === document.body) button.focus({ preventScroll: true });
    }
  }

  // a sheet opens in a tab of its own, to read, print or save (it was only downloaded, a file to find
  // and open before an analyst saw it); the Turkish sheet is for the company the agency pitches to
  function pitchLink(runId, enterprise, name) {
    const href = (lang) => kopru.esc(`/api/match/${encodeURIComponent(runId)}/pitch/${encodeURIComponent(enterprise)}?lang=${lang}`);
    const of = kopru.esc(name);
    return `<a class="small-link pitch" href="${href("en")}" target="_blank" rel="noopener" aria-label="pitch sheet of ${of}">pitch sheet</a>
      <a class="small-link pitch" href="${href("tr")}" target="_blank" rel="noopener" lang="tr" title="Türkçe sunum" aria-label="TR, Türkçe sunum: ${of}">TR</a>`;
  }

  async function show(runId) {
    const [d, figures] = await Promise.all([
      kopru.json(`/api/match/${runId}`),
      kopru.json(`/api/match/${runId}/figures`),
    ]);
    currentRun = runId;
    shownAt = new Date(d.created).toLocaleString();
    document.getElementById("match-stale").hidden = true;
    const imp = d.impact;
    const source = lastSource || "the example pipeline";
    document.getElementById("match-results").hidden = false;
    const est = imp.estimated, un = imp.unconfirmed, tie = d.tie_break;
    const lines = [
      `${imp.enterprises} of the ${d.enterprises.length} enterprises of ${source} placed (${d.status}, objective ${d.objective_name.replace("_", " ")}): ` +
      `${kopru.money(imp.jobs)} jobs, ${kopru.money(imp.investment_usd / 1e6)} million USD invested, ` +
      `${kopru.money(imp.exports_usd / 1e6)} million USD of exports a year, saving the enterprises ` +
      `${kopru.money(imp.saving_usd / 1e6)} million USD a year (an NPV gain of ${kopru.money(imp.npv_gain_usd / 1e6)} million USD over the plants' lives); ` +
      `the zones' incentives cost the state an estimated ` +
      `${kopru.money(imp.incentive_cost_usd / 1e6, 1)} million USD a year` +
      (imp.incentive_cost_per_job_usd ? ` (${kopru.money(imp.incentive_cost_per_job_usd)} USD per job placed`
        + (imp.incentive_cost_per_counted_job_usd > 1.005 * imp.incentive_cost_per_job_usd
          ? `, ${kopru.money(imp.incentive_cost_per_counted_job_usd)} per job where incentives are counted` : "") + ")." : "."),
    ];
    if (est.jobs || est.investment_usd) {
      lines.push(`Of these, kopru estimated ${kopru.money(est.jobs)} jobs and ${kopru.money(est.investment_usd / 1e6)} million USD of investment from the sector templates.`);
    }
    // an analyst's review: only jobs and investment read as estimates, and the figures without the
    // enterprises scaled far beyond their template were the command line's alone
    lines.push("Exports, value added, savings, the NPV gain and the cost to the state are kopru's estimates: each sector template's costs and sales scaled to the enterprise's size.");
    const big = imp.scaled || {};
    if (big.enterprises) {
      const m = (v) => kopru.money(v / 1e6);
      lines.push(`Without the ${big.enterprises} enterprise${big.enterprises === 1 ? "" : "s"} costed at more than ${big.above} times ${big.enterprises === 1 ? "its" : "their"} template's size: `
        + `${m(imp.exports_usd - big.exports_usd)} million USD of exports a year, a saving of ${m(imp.saving_usd - big.saving_usd)} million USD a year and an NPV gain of ${m(imp.npv_gain_usd - big.npv_gain_usd)} million USD.`);
    }
    if (un.enterprises) {
      lines.push(`* ${un.enterprises} placements (${kopru.money(un.jobs)} jobs) count SEZ incentives without the sector confirmed as a priority activity of the zone: check before pitching.`);
    }
    if (tie.alternative) {
      lines.push(`Ties broken toward ${tie.rule}; the equal portfolio with ${tie.alternative.rule} would cost the state ${kopru.money(tie.alternative.incentive_cost_usd / 1e6, 1)} million USD a year.`);
    }
    const transit = d.restricted_transit;
    if (transit) {
      lines.push(`! ${transit.enterprises} placement${transit.enterprises === 1 ? " routes" : "s route"} to some of their markets through ${transit.names.join(", ")}, under sanctions or transit restrictions: each pitch sheet gives the cheapest route through none of them; tick "routes around" to place and price on such routes.`);
    }
    if ((d.avoid_names || []).length) {
      lines.push(`No route passes through ${d.avoid_names.join(", ")} (a market there is still reached).`);
    }
    for (const t of d.targets || []) {
      const met = t.met ? (t.binding ? "met, and binding: the portfolio sits on it" : "met") : "not met";
      lines.push(`Target: ${t.target}: ${kopru.money(t.reached)}, ${met}.`);
    }
    for (const n of d.notes || []) {
      // what the totals rest on (scaled-up rows, zones whose land is not capped, old leads) and the
      // pipeline's sector words no zone or template reads (how to give the land is the API's
      // zones_csv, which this page has no input for)
      if (/times (its|their) template's size give|zones whose land is not published|placed on leads more than|no SEZ's priority sector and no template's|name no home province|incentives cost the state/.test(n)) lines.push(`Note: ${n.replace(/; give their free land in zones_csv.*$/, "")}.`);
    }
    const summary = document.getElementById("match-summary");
    summary.replaceChildren(...lines.map((text) => Object.assign(document.createElement("p"), { textContent: text })));
    const star = (a) => a.confirmed ? "" : ' <span class="assume" title="SEZ incentives counted without the sector confirmed">*</span>';
    const guess = (a, field) => a.estimated.includes(field) ? ' <span class="assume" title="kopru\'s estimate from the sector template">est.</span>' : "";
    document.querySelector("#match-assignments tbody").innerHTML = d.assignments.map((a) =>
      `<tr><td>${kopru.esc(a.name)}</td><td>${kopru.esc(a.zone_name)}${star(a)}</td><td class="num">${pct(a.advantage)}</td>
       <td class="num">${a.npv_gain_usd === null ? "—" : kopru.money(a.npv_gain_usd / 1e6, 1)}</td>
       <td class="num">${kopru.money(a.jobs)}${guess(a, "jobs")}</td><td class="num">${kopru.money(a.investment_usd / 1e6, 1)}${guess(a, "investment_usd")}</td>
       <td>${pitchLink(runId, a.enterprise, a.name)}</td></tr>`).join("");
    const m = (v) => kopru.money(v / 1e6, 1);
    document.querySelector("#match-trade-offs tbody").innerHTML = (d.trade_offs || []).map((r) => {
      const chosen = r.objective === d.objective_name && r.targets ? ' class="chosen"' : "";
      const name = r.objective.replace("_", " ") + (r.targets ? "" : " (no targets)");
      return `<tr${chosen}><td>${kopru.esc(name)}</td><td class="num">${r.enterprises}</td><td class="num">${kopru.money(r.jobs)}</td>
        <td class="num">${m(r.investment_usd)}</td><td class="num">${m(r.exports_usd)}</td><td class="num">${m(r.value_added_usd)}</td>
        <td class="num">${m(r.saving_usd)}</td><td class="num">${m(r.npv_gain_usd)}</td><td class="num">${m(r.incentive_cost_usd)}</td>
        <td class="num">${r.incentive_cost_per_job_usd == null ? "—" : kopru.money(r.incentive_cost_per_job_usd)}</td>
        <td class="num">${r.value_added_per_incentive_usd == null ? "—" : kopru.money(r.value_added_per_incentive_usd, 1)}</td></tr>`;
    }).join("");
    const RESOURCE = { land_ha: "land, ha", power_mw: "power, MW", water_m3_day: "water, m3 a day" };
    const zoneRows = [];
    for (const z of d.zones) {
      for (const [res, v] of Object.entries(z.resources)) {
        zoneRows.push(`<tr><td>${kopru.esc(z.name)}</td><td class="num">${z.enterprises}</td><td>${kopru.esc(RESOURCE[res] || res)}</td>
          <td class="num">${kopru.money(v.used, 1)}</td><td class="num">${v.capacity === null ? "not capped" : kopru.money(v.capacity, 1)}</td>
          <td class="num">${v.shadow === null ? "—" : kopru.money(v.shadow, 2)}</td></tr>`);
      }
    }
    document.querySelector("#match-zones tbody").innerHTML = zoneRows.join("");
    document.querySelector("#match-unassigned tbody").innerHTML = d.unassigned.map((u) =>
      `<tr><td>${kopru.esc(u.name)}</td><td class="note">${kopru.esc(u.why)}</td><td>${pitchLink(runId, u.enterprise, u.name)}</td></tr>`).join("");
    await kopru.plot(document.getElementById("match-map"), figures.map);
    document.getElementById("match-results").scrollIntoView({ behavior: "smooth" });
  }

  // a run reopened from the Runs page (/match?run=<id>): its portfolio, and its form as it was asked;
  // or a stored run this server no longer holds (/match?form=<id>): its form only, to run it again
  function restoreForm(d, filled = false) {
    const o = d.options || {};
    document.getElementById("objective").value = o.objective || "jobs";
    document.getElementById("hurdle").value = o.hurdle_pct ?? "";
    document.getElementById("max-incentive").value = o.max_incentive_cost ?? "";
    document.getElementById("confirmed-only").checked = Boolean(o.confirmed_only);
    document.getElementById("include-operating").checked = Boolean(o.include_operating);
    // the box routes around exactly the countries it names: another set is said in the note
    const box = document.getElementById("avoid-restricted");
    const avoided = [...(o.avoid || [])].sort().join(",");
    box.checked = avoided !== "" && avoided === box.dataset.avoid.split(",").sort().join(",");
    const upload = String(d.source || "").startsWith("upload:");
    form.elements.source.value = upload ? "upload" : "example";
    lastSource = upload ? `“${d.source.slice("upload:".length)}”` : "the example pipeline";
    const note = document.getElementById("match-reopened");
    // what the server could not put in the form as recorded (options the store lacks, ...); a held
    // run's notes are its portfolio's, not the form's
    const extra = filled ? [...(d.notes || [])] : [];
    if (upload && d.command_line) extra.push(`it read ${lastSource} on the command line: to run it here, choose that file (this page cannot read it from the server)`);
    else if (upload) extra.push(`to run it again, choose ${lastSource} again (a browser never refills a file input)`);
    if (o.own_zones) extra.push("it was run with zones of its own, which the page cannot send again");
    const targets = Object.entries(o.min_jobs || {});
    document.getElementById("min-jobs-region").value = targets.length ? targets[0][0] : "";
    document.getElementById("min-jobs").value = targets.length ? targets[0][1] : "";
    if (targets.length > 1) extra.push(`it had ${targets.length} jobs targets, of which this form holds the first`);
    // what the page has no input for, so a run again would leave out (a diff review)
    if (avoided && !box.checked) extra.push(`it routed around ${(d.avoid_names || o.avoid).join(", ")} only, which the box cannot say`);
    if (o.prefer === "saving") extra.push("it broke ties toward the largest saving, which this form cannot ask");
    if (o.include_operating) extra.push("it placed plants already operating, which this form cannot ask");
    const when = String(d.created).replace("T", " ").replace("+00:00", "");
    // said plainly: the form is the run's, the portfolio is not on screen until it is run again
    const lead = filled
      ? `Filled in with the options of the run of ${when} UTC, as the scenario store recorded them. This server no longer holds its portfolio, so none is shown: Run match to compute it again.`
      : `Reopened: the run of ${when} UTC.`;
    note.textContent = lead + (extra.length ? ` Note: ${extra.join("; ")}.` : "");
    note.hidden = false;
  }

  async function refill(runId) {
    if (!/^[0-9a-f]{32}$/.test(runId)) {
      showError(`The address asks for the match run “${runId.slice(0, 40)}”, which is not a run id; the Runs page lists the runs.`);
      return;
    }
    try {
      const d = await kopru.json(`/api/match/${encodeURIComponent(runId)}/form`);
      if (d.on_server) return reopen(runId);  // its portfolio is here after all: show it
      restoreForm(d, true);
      document.getElementById("match-results").hidden = true;
      document.getElementById("match-reopened").focus({ preventScroll: true });
    } catch (e) {
      showError(e.status === 422 ? `The address asks for the match run “${runId.slice(0, 40)}”, which is not a run id; the Runs page lists the runs.` : e.message);
    }
  }

  async function reopen(runId) {
    if (!/^[0-9a-f]{32}$/.test(runId)) {  // any other text in the address: no request to make
      showError(`The address asks for the match run “${runId.slice(0, 40)}”, which is not a run id; the Runs page lists the runs.`);
      return;
    }
    try {
      const d = await kopru.json(`/api/match/${encodeURIComponent(runId)}`);
      restoreForm(d);
      await show(d.run);
      kopru.focusResult(document.getElementById("match-results"));
    } catch (e) {
      // the address, not a field, was wrong: say so in the page's words
      showError(e.status === 422 ? `The address asks for the match run “${runId.slice(0, 40)}”, which is not a run id; the Runs page lists the runs.` : e.message);
    }
  }

  // choosing a file means matching it: the radio follows (a chosen file was silently ignored)
  document.getElementById("pipeline-file").addEventListener("change", (event) => {
    if (event.target.files.length) form.elements.source.value = "upload";
  });
  form.addEventListener("submit", (event) => { event.preventDefault(); run(); });
  document.getElementById("match-results").addEventListener("click", (event) => {
    const link = event.target.closest("a.pitch");
    if (link) kopru.openPage(link.getAttribute("href"), event);
  });
  document.getElementById("dl-match-json").addEventListener("click", async () => {
    if (!currentRun) return;
    const d = await kopru.json(`/api/match/${currentRun}`);
    const url = URL.createObjectURL(new Blob([JSON.stringify(d, null, 1)], { type: "application/json" }));
    const a = document.createElement("a");
    a.href = url; a.download = "match.json"; document.body.appendChild(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });
  document.getElementById("dl-match-report").addEventListener("click", () =>
    currentRun && kopru.download(`/api/match/${currentRun}/report.html`, "match_report.html"));
  document.getElementById("dl-match-xlsx").addEventListener("click", () =>
    currentRun && kopru.download(`/api/match/${currentRun}/match.xlsx`, "match.xlsx"));
  document.getElementById("dl-match-zip").addEventListener("click", () =>
    currentRun && kopru.download(`/api/match/${currentRun}/match.zip`, `kopru_match_${currentRun.slice(0, 8)}.zip`));
  const query = new URLSearchParams(location.search);
  if (query.get("run")) reopen(query.get("run"));
  else if (query.get("form")) refill(query.get("form"));
})();
