// The Space page: own antennas against the pooled network, and request-to-ground times per zone.
"use strict";

(() => {
  const form = document.getElementById("space-form");
  const errorBox = document.getElementById("sp-error");
  // the request's fields, each by its input (a field the server refuses is said beside its input)
  const inputs = {
    start: document.getElementById("sp-start"),
    days: document.getElementById("sp-days"),
    min_elevation: document.getElementById("sp-mask"),
    downlink_s: document.getElementById("sp-downlink"),
    max_off_nadir: document.getElementById("sp-off-nadir"),
    min_sun_elevation: document.getElementById("sp-sun"),
    refraction: document.getElementById("sp-refraction"),
  };
  const noteOf = (input) => input.closest("label").querySelector("small.err");
  // a field as its label names it ("Window, days (up to 14)", not days)
  const labelOf = (input) => [...input.closest("label").childNodes]
    .filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join(" ").replace(/\s+/g, " ").trim();

  // the pass list's fields: the form's window and mask, and its own choices
  const passFields = {
    start: inputs.start,
    days: inputs.days,
    min_elevation: inputs.min_elevation,
    refraction: inputs.refraction,
    satellite: document.getElementById("ps-satellite"),
    station: document.getElementById("ps-station"),
  };
  const passBox = document.getElementById("ps-error");

  function clearErrors(box = errorBox, fields = inputs) {
    box.textContent = "";
    Object.values(fields).forEach((i) => {
      i.classList.remove("invalid");
      i.removeAttribute("aria-invalid");
      i.removeAttribute("aria-describedby");
      noteOf(i).textContent = "";
    });
  }

  // each refused field's message beside its input, and all of them under the form in the labels' words:
  // the server's own line ("days: expected at most 14") stood under the whole form, far from the field and
  // by its API name; an error about no field stays under the form as the server says it
  function showError(error, box = errorBox, fields = inputs) {
    const detail = error.body && Array.isArray(error.body.detail) ? error.body.detail : [];
    const said = [];
    for (const d of detail) {
      const input = fields[d.field];
      if (!input) {
        said.push(d.field ? `${d.field}: ${d.msg}` : d.msg);
        continue;
      }
      const note = noteOf(input);
      note.textContent = d.msg;
      input.classList.add("invalid");
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", note.id);
      said.push(`${labelOf(input)}: ${d.msg}`);
    }
    box.textContent = said.length ? said.join("; ") : error.message;
  }

  // the Sun's limit in words, below the horizon too (twilight imaging)
  const sunWords = (deg) => (deg >= 0 ? `Sun ≥ ${deg}° above the horizon` : `Sun no more than ${-deg}° below the horizon`);
  const hours = (v) => (v === null || v === undefined ? "—" : v.toFixed(1));
  const minutes = (v) => (v === null || v === undefined ? "—" : (v * 60).toFixed(0));
  const num = (text, worse) => `<td class="num${worse ? " worse" : ""}">${text}</td>`;

  // '≥': no pass within a day beyond the window, so the gap is at least that long (as the CLI says)
  const gap = (side) => `${side.longest_gap_at_least ? "≥" : ""}${(side.longest_gap_min / 60).toFixed(1)}`;

  function contactTable(pool) {
    const head = "<thead><tr><th>satellite</th><th>country</th><th class=num>min/day own</th><th class=num>pooled</th>"
      + "<th class=num>contacts own</th><th class=num>pooled</th><th class=num>longest gap h own</th><th class=num>pooled</th></tr></thead>";
    const rows = pool.satellites.map((s) => {
      const worse = new Set(s.worse_when_pooled.map((w) => w.metric));
      return `<tr><th>${kopru.esc(s.satellite)}</th><td>${kopru.esc(s.country)}</td>`
        + num(s.own.contact_min_per_day.toFixed(1)) + num(s.pooled.contact_min_per_day.toFixed(1), worse.has("contact_min_per_day"))
        + num(s.own.contacts) + num(s.pooled.contacts, worse.has("contacts"))
        + num(gap(s.own)) + num(gap(s.pooled), worse.has("longest_gap_min"))
        + "</tr>";
    });
    document.getElementById("sp-contact").innerHTML = head + `<tbody>${rows.join("")}</tbody>`;
    document.getElementById("sp-guarantee").textContent = `Pooling guarantees only this: ${pool.guarantee}. Red: worse than own antennas alone.`
      + " Longest gap: its gaps across the window's start and end run to the satellite's nearest pass outside it, taken as booked (≥: none within a day)."
      + (pool.parameters.assume_leo_antennas ? " HYPOTHESIS: the geostationary control centres are used as LEO antennas." : "");
    // a satellite operator's review: the page left out that the pooled figures are an upper bound
    document.getElementById("sp-interoperable").textContent = `The pooled figures assume full interoperability: ${pool.interoperability}.`
      + leoAssumed(pool.leo_antennas_assumed);
  }

  // a review: Azercosmos Main's LEO antenna, an assumption of the data, carried a quarter of the pooled
  // contact time with no word said (the CLI's words, kopru.space.pooling.leo_assumed_words)
  // a station by its name before the description the data adds ("KGS National Space Centre")
  const shortName = (name) => name.split(/,\s| \(/)[0];
  // what a LEO antenna without a source rests on, for the pool and the pass list alike
  const assumedBy = (basis) => (basis === "assume_leo_antennas"
    ? "this run's assumption (the box “geostationary centres as LEO antennas”)" : "an assumption of the stations file");

  function leoAssumed(rows) {
    if (!rows || !rows.length) return "";
    const said = rows.map((r) => `${shortName(r.station)}'s LEO antenna is ${assumedBy(r.basis)}, not a source: `
      + `${r.pooled_min_per_day.toFixed(0)} of ${r.pooled_total_min_per_day.toFixed(0)} pooled min/day use it`);
    return ` Not established: ${said.join("; ")}.`;
  }

  // the element sets' epochs and age first: a review found the stale warning last on the page, twice
  const STALE = /^stale element sets/;

  function elementSets(pool, latency) {
    const sets = [...pool.element_sets, ...latency.element_sets];
    const box = document.getElementById("sp-elements");
    if (!sets.length) { box.hidden = true; return; }
    const epochs = sets.map((a) => a.epoch.slice(0, 10)).sort();
    const when = epochs[0] === epochs[epochs.length - 1] ? epochs[0] : `${epochs[0]} to ${epochs[epochs.length - 1]}`;
    const oldest = Math.max(...sets.map((a) => a.days_from_epoch_max));
    const stale = sets.filter((a) => a.stale);
    const leo = stale.filter((a) => !a.geostationary).map((a) => a.days_from_epoch_max);
    box.hidden = false;
    box.className = stale.length ? "stale" : "muted";
    box.textContent = `Element sets of ${when}, up to ${oldest.toFixed(0)} days from the window`
      + (stale.length ? `: ${staleness(leo.length ? Math.max(...leo) : oldest, leo.length > 0)}; use sets from within a few days of the window.` : ".");
  }

  // the words grow with the age, as the command line's (kopru.space.tle.staleness): "minutes off" at
  // 31 days and at 460 misled a planner
  function staleness(days, leo) {
    if (!leo) return "the pass times may be minutes off";
    const error = 5.5 * (days / 104) ** 2;  // Göktürk-2 measured 5-6 min off at 104 days (SOURCE.md)
    const scale = "Göktürk-2's error, the largest the project measured: 5-6 min at 104 days, growing with the square of the age";
    if (days <= 90) {
      const said = error < 1 ? `${(error * 60).toFixed(0)} s` : `${error.toFixed(0)} min`;
      return `the pass times may be up to about ${said} off at ${days.toFixed(0)} days (${scale})`;
    }
    if (error < 12) return `the pass times can be about ${error.toFixed(0)} minutes off: not usable for planning (${scale})`;
    const beyond = error >= 95 ? "more than one orbit" : "longer than a pass lasts";
    return `the pass times can be about ${error.toFixed(0)} minutes off, ${beyond}: not usable for planning, the passes listed are not the real ones (${scale})`;
  }

  const labels = { own: "own", partners: "with partners' satellites", pooled: "pooled" };

  function requestTable(latency) {
    const nets = ["own", "partners", "pooled"];
    const head = "<thead><tr><th>zone</th><th class=num>images own</th><th class=num>all</th>"
      + "<th class=num>median own</th><th class=num>+ satellites</th><th class=num>pooled</th>"
      + "<th class=num>worst own</th><th class=num>+ satellites</th><th class=num>pooled</th></tr></thead>";
    const unanswered = [];
    const together = [];  // zones at one point: said in words under the table, not in a tooltip alone
    const rows = latency.sites.map((s) => {
      const r = nets.map((n) => (s[n] ? s[n].request_h : null));
      const worse = new Set(s.worse_when_pooled); // pooled against partners' satellites on their own antennas
      const same = s.same_point_as.length ? ` <span class="muted" title="at the same point as ${kopru.esc(s.same_point_as.join(", "))}">=</span>` : "";
      if (s.same_point_as.length) together.push(`${s.site} (as ${s.same_point_as.join(", ")})`);
      const left = nets.filter((n) => s[n] && s[n].requests_unanswered > 0)
        .map((n) => `${labels[n]} ${s[n].requests_unanswered.toLocaleString("en-US")} of ${s[n].requests.toLocaleString("en-US")}`);
      if (left.length) unanswered.push(`${s.site}: ${left.join(", ")}`);
      return `<tr><th>${kopru.esc(s.site)}${same}</th>`
        + num(s.own ? s.own.images : "—") + num(s.pooled.images)
        + r.map((x, i) => num(hours(x && x.median), i === 2 && worse.has("median"))).join("")
        + r.map((x, i) => num(hours(x && x.worst), i === 2 && worse.has("longest"))).join("") + "</tr>";
    });
    document.getElementById("sp-request").innerHTML = head + `<tbody>${rows.join("")}</tbody>`;
    const follow = latency.parameters.follow_days;
    document.getElementById("sp-unanswered").textContent = (unanswered.length
      ? `Requests with no image on the ground within ${follow} day(s) after the window (—): ${unanswered.join("; ")}. `
      : "") + (together.length ? `=: at the same point as another zone, so with the same figures: ${together.join("; ")}.` : "");
  }

  function imageTable(latency) {
    const head = "<thead><tr><th>satellite</th><th>country</th><th class=num>images</th>"
      + "<th class=num>median own</th><th class=num>pooled</th><th class=num>90 % own</th><th class=num>pooled</th>"
      + "<th class=num>longest own</th><th class=num>pooled</th></tr></thead>";
    const rows = latency.satellites.map((s) => {
      const worse = new Set(s.worse_when_pooled);
      return `<tr><th>${kopru.esc(s.satellite)}</th><td>${kopru.esc(s.country)}</td>` + num(s.images)
        + num(minutes(s.own.median_h)) + num(minutes(s.pooled.median_h), worse.has("median"))
        + num(minutes(s.own.p90_h)) + num(minutes(s.pooled.p90_h), worse.has("90th percentile"))
        + num(minutes(s.own.max_h)) + num(minutes(s.pooled.max_h), worse.has("longest")) + "</tr>";
    });
    document.getElementById("sp-image").innerHTML = head + `<tbody>${rows.join("")}</tbody>`;
  }

  function notes(pool, latency) {
    // in words, with the value (a review: 'downlink_s 120 s' named the API's parameter)
    const assumed = latency.assumptions.filter((a) => a.basis.startsWith("assumption"))
      .map((a) => `${a.meaning}${typeof a.value === "number" ? ` (${a.value} ${a.unit})` : ""}`);
    const out = [`Assumed, no source: ${assumed.join("; ")}.`];
    if (latency.excluded.length) out.push(`Left out: ${latency.excluded.map((e) => `${e.satellite} (${e.reason})`).join(", ")}.`);
    const stations = pool.stations_left_out.map((s) => `${s.name} (${s.status.replace(/_/g, " ")})`);
    if (stations.length) out.push(`Stations left out by status: ${stations.join("; ")}.`);
    const said = [...new Set([...pool.warnings, ...latency.warnings])].filter((w) => !STALE.test(w));
    for (const w of said) out.push(`Warning: ${w}`);
    document.getElementById("sp-notes").innerHTML = out.map((t) => `<p class="note">${kopru.esc(t)}</p>`).join("");
  }

  // an empty box is sent as null, which the server refuses naming the field (Number("") would be 0)
  const numberOf = (input) => (input.value.trim() === "" ? null : Number(input.value));
  const windowOf = () => ({
    start: inputs.start.value,
    days: numberOf(inputs.days),
    min_elevation: numberOf(inputs.min_elevation),
    refraction: inputs.refraction.value,
    assume_leo_antennas: document.getElementById("sp-assume").checked,
  });
  const posted = (body) => ({ method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const post = (path, body) => kopru.json(path, posted(body));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    document.getElementById("sp-result").hidden = true; // a failed run must not leave the last one's tables
    const window = windowOf();
    const button = document.getElementById("sp-run");
    button.disabled = true;
    document.body.dataset.ready = "";
    try {
      const imaging = { max_off_nadir: numberOf(inputs.max_off_nadir), min_sun_elevation: numberOf(inputs.min_sun_elevation) };
      // latency first: it takes every field, so a refused one is said before the pool is computed
      const latency = await post("/api/space/latency", {
        ...window,
        ...imaging,
        downlink_s: numberOf(inputs.downlink_s),
        direct_downlink: !document.getElementById("sp-store").checked,
      });
      const pool = await post("/api/space/pool", window);
      // the limits the answer was computed with: the server took them as sent, or refused them
      document.getElementById("sp-limits").textContent = "An imaging opportunity, in both tables below: the"
        + ` satellite's off-nadir ≤ ${imaging.max_off_nadir}°, ${sunWords(imaging.min_sun_elevation)} at the zone.`;
      elementSets(pool, latency);
      contactTable(pool);
      requestTable(latency);
      imageTable(latency);
      notes(pool, latency);
      document.getElementById("sp-result").hidden = false;
      kopru.focusResult(document.getElementById("sp-result"));
      document.body.dataset.ready = "1";
    } catch (error) {
      showError(error);  // the server names the field and the range it expects
    } finally {
      button.disabled = false;
      if (document.activeElement === document.body) button.focus({ preventScroll: true });
    }
  });

  // ---- the pass list ----
  // the command line's flag, as this page's box (a reader of a page has the page, not its flags)
  const pageWords = (text) => text.replace(/\(--assume-leo-antennas ([^)]*)\)/g, "(the box “geostationary centres as LEO antennas” $1)")
    .replace(/--assume-leo-antennas/g, "the box “geostationary centres as LEO antennas”");
  const utc = (iso) => kopru.esc(`${iso.slice(0, 10)} ${iso.slice(11, 19)}`);
  // '2026-06-02T00:21:20.000+05:00' for an AOS of 1 June 19:21 UTC: "00:21 +05:00 +1d", the day after
  // the UTC date beside it (as the command line marks it)
  const onClock = (local, aos) => {
    const days = Math.round((Date.parse(local.slice(0, 10)) - Date.parse(aos.slice(0, 10))) / 86400000);
    return `${local.slice(11, 16)} ${local.slice(23)}${days ? ` ${days > 0 ? "+" : "−"}${Math.abs(days)}d` : ""}`;
  };
  const lasting = (s) => (s >= 3600 ? `${(s / 3600).toFixed(1)} h` : `${(s / 60).toFixed(1)} min`);
  let listed = null;  // the request of the passes on the page: the CSV is of these, not of the form's later edits

  function passTable(found) {
    const head = "<thead><tr><th>satellite</th><th>station</th><th>AOS (UTC)</th><th>TCA</th><th>LOS</th>"
      + "<th>AOS, station's clock</th><th class=num>duration</th><th class=num>max elevation °</th>"
      + "<th class=num>azimuth AOS → LOS °</th></tr></thead>";
    const cut = (row, end) => (row[end] ? " *" : "");
    // TCA and LOS by their time alone on the AOS's day, with the date on another
    const later = (iso, aos) => (iso.slice(0, 10) === aos.slice(0, 10) ? kopru.esc(iso.slice(11, 19)) : utc(iso));
    // antennas whose LEO passes rest on an assumption, marked where they are read (said under the table)
    const geo = new Set(found.element_sets.filter((e) => e.geostationary).map((e) => e.norad));
    const assumed = new Set(found.leo_antennas_assumed.map((r) => r.station));
    const mark = (p) => (assumed.has(p.station) && !geo.has(p.norad) ? ' <span class="muted">‡</span>' : "");
    // a satellite the satellites file calls inactive, marked as the command line marks it
    const inactive = new Set(found.inactive_satellites);
    const gone = (p) => (inactive.has(p.satellite) ? ' <span class="muted">✝</span>' : "");
    // a geostationary satellite is in view the whole window: no closest approach, no set
    const whole = (p) => p.truncated_start && p.truncated_end;
    const rows = found.passes.map((p) => `<tr><th class="nowrap">${kopru.esc(p.satellite)}${gone(p)}</th>`
      + `<td title="${kopru.esc(p.station)}">${kopru.esc(shortName(p.station))}${mark(p)}</td>`
      + `<td class="nowrap">${utc(p.aos)}${cut(p, "truncated_start")}</td>`
      + `<td class="nowrap">${whole(p) ? "—" : later(p.tca, p.aos)}</td>`
      + `<td class="nowrap">${whole(p) ? "whole window" : later(p.los, p.aos) + cut(p, "truncated_end")}</td>`
      + `<td class="nowrap">${kopru.esc(onClock(p.aos_local, p.aos))}</td>`
      + num(lasting(p.duration_s)) + num(p.max_elevation_deg.toFixed(1))
      + num(`${p.aos_azimuth_deg.toFixed(0)} → ${p.los_azimuth_deg.toFixed(0)}`) + "</tr>");
    document.getElementById("ps-table").innerHTML = head + `<tbody>${rows.join("")}</tbody>`;
  }

  function passSummary(found, request, satellite) {
    const n = found.passes.length;
    const whole = found.passes.filter((p) => !p.truncated_start && !p.truncated_end);
    const stations = new Set(found.passes.map((p) => p.station)).size;
    const station = request.station.length ? shortName(request.station[0]) : null;
    let text = `${n.toLocaleString("en-US")} pass${n === 1 ? "" : "es"} of ${request.satellite.length ? satellite : "the satellites"}`
      + ` over ${station || `${stations} antenna${stations === 1 ? "" : "s"}`} in ${request.days} day${request.days === 1 ? "" : "s"}`
      + ` from ${request.start} (mask ${request.min_elevation}°)`;
    if (whole.length) {
      const mean = whole.reduce((t, p) => t + p.duration_s, 0) / whole.length;
      const high = Math.max(...whole.map((p) => p.max_elevation_deg));
      text += `: ${(whole.length / request.days).toFixed(1)} whole passes a day, ${lasting(mean)} on average, the highest at ${high.toFixed(1)}°`;
    }
    document.getElementById("ps-summary").textContent = `${text}.`
      + (found.passes.some((p) => p.truncated_start || p.truncated_end) ? " *: in view at the window's start or end, so the pass is cut there." : "");
  }

  function passNotes(found) {
    const out = [];
    if (!found.passes.length) out.push("No pass in this window over these antennas with this mask.");
    for (const r of found.leo_antennas_assumed) {
      out.push(`‡ Not established: ${shortName(r.station)}'s LEO antenna is ${assumedBy(r.basis)}, not a source: ${r.leo_passes} of the`
        + ` ${r.leo_passes_listed} passes of LEO satellites listed are over it.`);
    }
    // each reason once, with the stations it keeps from LEO satellites (it read four times over)
    const byReason = new Map();
    for (const s of found.stations_not_for_leo) byReason.set(s.reason, [...(byReason.get(s.reason) || []), shortName(s.name)]);
    if (found.element_sets.some((e) => !e.geostationary)) {
      for (const [reason, names] of byReason) out.push(`Not offered to LEO satellites: ${names.join(", ")}: ${reason}.`);
    }
    if (found.inactive_satellites.length) out.push(`✝ Not active (the satellites file; listed as the orbit allows, left out of the pool and imaging): ${found.inactive_satellites.join(", ")}.`);
    const left = found.stations_left_out.map((s) => `${shortName(s.name)} (${s.status.replace(/_/g, " ")})`);
    if (left.length) out.push(`Stations left out by status: ${left.join("; ")}.`);
    for (const w of found.warnings) out.push(`Warning: ${w}`);
    document.getElementById("ps-notes").innerHTML = out.map((t) => `<p class="note">${kopru.esc(pageWords(t))}</p>`).join("");
  }

  const passForm = document.getElementById("passes-form");
  const csvButton = document.getElementById("ps-csv");
  passForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(passBox, passFields);
    const result = document.getElementById("ps-result");
    result.hidden = true;
    csvButton.disabled = true;
    listed = null;
    const request = {
      ...windowOf(),
      satellite: passFields.satellite.value ? [passFields.satellite.value] : [],
      station: passFields.station.value ? [passFields.station.value] : [],
    };
    const button = document.getElementById("ps-run");
    button.disabled = true;
    document.body.dataset.passes = "";
    try {
      // named as asked, whatever the lists show when the answer comes
      const satellite = passFields.satellite.selectedOptions[0].textContent.split(" (")[0];
      const found = await post("/api/space/passes", request);
      passTable(found);
      passSummary(found, request, satellite);
      passNotes(found);
      listed = request;
      result.hidden = false;
      csvButton.disabled = false;
      document.body.dataset.passes = "1";
    } catch (error) {
      showError(error, passBox, passFields);
    } finally {
      button.disabled = false;
      if (document.activeElement === document.body) button.focus({ preventScroll: true });
    }
  });
  csvButton.addEventListener("click", () => listed && kopru.download("/api/space/passes.csv", "passes.csv", posted(listed)));
})();
