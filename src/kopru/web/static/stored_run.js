// Plan page, /plan?run=<id> of a run this server no longer holds (it was restarted, or the command
// line ran it): the scenario store's record of the run fills the form again, to be run anew.
// Kept apart from plan.js, which calls refill() only when the run is not on this server.
"use strict";

const kopruStoredRun = (() => {
  const RUN_ID = /^[0-9a-f]{32}$/;

  // the form's own fields for what the run asked beyond its profile: what-if values, closures,
  // the optimizer box, and a risk run's draws and seed (the page may lack the risk fields)
  function restoreOptions(d) {
    for (const input of document.querySelectorAll("[data-override]")) {
      input.value = (d.what_if || {})[input.dataset.override] ?? "";
    }
    const closed = document.getElementById("disruptions");
    if (closed) closed.value = (d.disruptions || []).join(", ");
    const optimize = document.getElementById("optimize");
    if (optimize) optimize.checked = Boolean(d.optimize);
    if (d.kind !== "risk") return;
    const samples = document.getElementById("risk-samples");
    const seed = document.getElementById("risk-seed");
    if (samples && d.samples !== null) samples.value = d.samples;
    if (seed && d.seed !== null) seed.value = d.seed;
  }

  // fill: plan.js's fill(profile); error: why the run could not be shown (said when it is not
  // this); resolves true when the form was filled
  async function refill(runId, fill, error) {
    if (!RUN_ID.test(runId)) return false;
    let d;
    try {
      d = await kopru.json(`/api/runs/${runId}/form`);
    } catch (e) {
      // a busy store is worth a retry; a run in neither place is not coming back
      kopru.toast(e.status === 404
        ? "The run in this address is neither on this server nor in its scenario store: the Runs page lists the runs there are."
        : e.message);
      return false;
    }
    if (d.on_server) {  // held after all: what failed was something else, said as it was
      kopru.toast(error ? error.message : "this run could not be shown");
      return false;
    }
    const note = document.getElementById("source-note");
    const when = String(d.created).replace("T", " ").replace("+00:00", "");
    const what = d.kind === "risk" ? "risk analysis" : "plan";
    const notes = d.notes || [];
    const extra = notes.length ? ` Note: ${notes.join("; ")}.` : "";
    note.setAttribute("role", "status");
    if (!d.profile) {
      note.textContent = `The ${what} of ${when} UTC is recorded in the scenario store, but not its profile, so the form cannot be filled from it.${extra}`;
      return false;
    }
    await fill(d.profile);
    restoreOptions(d);
    const example = document.getElementById("example");
    if (example) example.value = "";
    const button = d.kind === "risk" ? "Run risk" : "Run plan";
    note.textContent = `Filled in with the profile and options of the ${what} of ${when} UTC` +
      `${d.company ? ` (${d.company})` : ""}, as the scenario store recorded it. This server no longer holds` +
      ` its results (it was restarted since, or the command line ran it), so none are shown: ${button} to compute` +
      ` them again.${extra}`;
    return true;
  }

  return { refill };
})();
