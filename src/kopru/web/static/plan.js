// Plan page: edit a profile (form + markets table + JSON for the rest), run a plan or a risk job,
// poll it, show the plan (and the risk distributions).
"use strict";

(() => {
  const form = document.getElementById("profile-form");
  const SCALARS = [...form.querySelectorAll(".fields [name]")].map((el) => el.name);
  const TEXT = new Set(["company", "product", "hs", "currency"]);
  const other = document.getElementById("other");
  const marketsBody = document.querySelector("#markets tbody");
  let source = null; // "example:apparel" or "upload:file.yaml"
  let currentRun = null;

  // -- profile <-> form ----------------------------------------------------------------------
  // markets are picked by name; the id is what the profile holds (and shows on hover)
  let MARKETS = [];
  const marketsLoaded = kopru.json("/api/markets").then((list) => { MARKETS = list; }).catch(() => {});

  // the saving over the comparator with each input at its 5th and 95th percentile (plans stored
  // before switching values have none)
  function showTornado(figure) {
    const box = document.getElementById("tornado-chart");
    box.hidden = !figure;
    return figure ? kopru.plot(box, figure) : null;
  }

  // two inputs together, a cell per pair of percentiles, shaded where another site comes first: the
  // tornado's two widest (the saving over the other country) and the two that move the lead over
  // the best other site most (which site comes first); plans stored before either have none
  function showTwoWay(plan) {
    const v = plan.switching;
    const tables = [
      ["two-way", v && v.two_way, "Two inputs together", `saving over ${v ? v.comparator : ""}`],
      ["two-way-site", v && v.two_way_site, "Which site comes first", "lead over the best other site (negative: behind)"],
    ];
    for (const [id, t, title, measure] of tables) {
      document.getElementById(id).hidden = !t;
      if (!t) continue;
      const pct = (x) => t.measure === "lead" ? `${x >= 0 ? "+" : ""}${(100 * x).toFixed(2)} %` : `${(100 * x).toFixed(1)} %`;
      document.getElementById(`${id}-title`).textContent = `${title}: ${t.rows.label} × ${t.columns.label}`;
      const head = `<tr><th>${kopru.esc(t.rows.label)} ↓ · ${kopru.esc(t.columns.label)} →</th>` +
        t.columns.changes.map((c, j) => `<th class="num">${t.percentiles[j]}th<br><small>${kopru.esc(c)}</small></th>`).join("") + "</tr>";
      const rows = t.saving_pct.map((row, i) => `<tr><th>${t.percentiles[i]}th <small>${kopru.esc(t.rows.changes[i])}</small></th>` +
        row.map((x, j) => {
          const other = t.first[i][j] !== v.site;
          const who = other ? `<br><small>${kopru.esc(t.first_name[i][j])} first</small>` : "";
          return `<td class="num${other ? " flip" : ""}">${pct(x)}${who}</td>`;
        }).join("") + "</tr>").join("");
      document.getElementById(`${id}-table`).innerHTML = head + rows;
      document.getElementById(`${id}-note`).textContent =
        `${v.name}'s ${measure}; the other inputs at the plan's values. ` +
        `${v.name} first in ${Math.round(100 * t.holds)} % of the cells.`;
    }
  }

  function marketOptions(selected) {
    const known = MARKETS.some((k) => k.id === selected);
    const extra = selected && !known ? `<option value="${kopru.esc(selected)}" selected>${kopru.esc(selected)}</option>` : "";
    return '<option value="">choose a market…</option>' + extra + MARKETS.map((k) =>
      `<option value="${kopru.esc(k.id)}" title="${kopru.esc(k.id)}"${k.id === selected ? " selected" : ""}>${kopru.esc(k.name)}</option>`).join("");
  }

  function marketRow(m = {}) {
    const tr = document.createElement("tr");
    tr.innerHTML = `<td data-label="market"><select data-m="id" aria-label="market">${marketOptions(m.id ?? "")}</select></td>
      <td data-label="demand / year"><input data-m="demand" size="10" inputmode="decimal" aria-label="demand per year" value="${kopru.esc(m.demand ?? "")}"></td>
      <td data-label="price (optional)"><input data-m="price" size="8" inputmode="decimal" aria-label="price per unit (optional)" value="${kopru.esc(m.price ?? "")}"></td>
      <td><button type="button" class="small remove" title="remove this market" aria-label="remove this market">×</button></td>`;
    tr.querySelector(".remove").addEventListener("click", () => tr.remove());
    marketsBody.appendChild(tr);
  }

  // materials' origins and baseline provinces are typed or picked by name (a datalist searches
  // as one types); the profile keeps the id, and an id typed by hand is kept as it is
  const PICKS = { nodes: [], provinces: [] };
  const picksLoaded = Promise.all([
    kopru.json("/api/nodes").then((list) => {
      PICKS.nodes = [{ id: "local", name: "local (bought at the site)" }, ...list];
    }),
    kopru.json("/api/sites").then((list) => {
      PICKS.provinces = list.filter((s) => s.kind === "tr_province");
    }),
  ]).then(() => {
    for (const [list, id] of [["nodes", "dl-nodes"], ["provinces", "dl-provinces"]]) {
      document.getElementById(id).innerHTML = PICKS[list].map((k) => `<option value="${kopru.esc(k.name)}"></option>`).join("");
    }
  }).catch(() => {});
  const nameOf = (list, id) => (PICKS[list].find((k) => k.id === id) || { name: id ?? "" }).name;
  // a name typed without Turkish letters ('Izmir', 'Eskisehir') is the node it names, as on the
  // command line (a review: the exact match sent 'Izmir' as an id after the names were respelt)
  function idOf(list, text) {
    const t = text.trim();
    const folded = kopru.fold(t);
    const known = PICKS[list].find((k) => kopru.fold(k.name) === folded) || PICKS[list].find((k) => kopru.fold(k.id) === folded);
    return known ? known.id : t;
  }

  // columns: key in the profile; text: keep as a string; pick: a list of PICKS; check: a checkbox;
  // json: an object is edited as JSON (a material's {KZ: .., TR: ..} cost, its alternatives)
  const TABLES = {
    materials: {
      body: document.querySelector("#materials tbody"),
      columns: [
        { key: "name", label: "material", text: true, size: 22, hint: "cotton fabric" },
        { key: "cost", label: "cost per unit of product", json: true, size: 8, hint: "1.30" },
        { key: "weight", label: "weight per unit", size: 8, hint: "220 g" },
        { key: "volume", label: "packed volume per unit", size: 8, hint: "2 l" },
        { key: "origin", label: "bought at", pick: "nodes", size: 24, hint: "Tashkent" },
        { key: "hs", label: "HS heading", text: true, size: 5, hint: "6006" },
        { key: "duty_pct", label: "duty %", size: 5, hint: "5" },
        { key: "alternatives", label: "other sources", json: true, origins: true, size: 20, hint: '[{"origin": "Istanbul", "cost": 0.2}]' },
      ],
    },
    baseline: {
      body: document.querySelector("#baseline tbody"),
      columns: [
        { key: "province", label: "province", pick: "provinces", size: 16, hint: "Denizli" },
        { key: "name", label: "plant name", text: true, size: 26 },
        { key: "existing", label: "existing", check: true },
        { key: "capacity", label: "capacity, units / year", size: 10, hint: "1200000" },
      ],
    },
  };

  // a material's other sources name their origins as the "bought at" column does (Istanbul, not
  // istanbul): ``as`` is nameOf to show them, idOf to send them; anything else is left as typed
  function originsAs(sources, as) {
    if (!Array.isArray(sources)) return sources;
    return sources.map((a) => (a && typeof a === "object" && typeof a.origin === "string" ? { ...a, origin: as("nodes", a.origin) } : a));
  }

  function cell(c, item) {
    const v = item[c.key];
    const named = ` aria-label="${kopru.esc(c.label)}"`;
    if (c.check) return `<input type="checkbox" data-m="${c.key}"${named}${v === false ? "" : " checked"}>`;
    let shown = v ?? "";
    if (c.pick) shown = v === undefined ? "" : nameOf(c.pick, v);
    else if (Array.isArray(v) && !v.length) shown = ""; // a stored run's profile lists none as []
    else if (c.json && v !== null && typeof v === "object") shown = JSON.stringify(c.origins ? originsAs(v, nameOf) : v);
    const list = c.pick ? ` list="dl-${c.pick}" title="${kopru.esc(v ?? "")}" autocomplete="off"` : "";
    const hint = c.hint ? ` placeholder="e.g. ${kopru.esc(c.hint)}"` : "";
    return `<input data-m="${c.key}" size="${c.size || 10}"${named}${list}${hint} value="${kopru.esc(shown)}">`;
  }

  function tableRow(name, item = {}) {
    const tr = document.createElement("tr");
    tr.innerHTML = TABLES[name].columns.map((c) => `<td data-label="${kopru.esc(c.label)}">${cell(c, item)}</td>`).join("") +
      `<td><button type="button" class="small remove" title="remove this row" aria-label="remove this row">×</button></td>`;
    tr.querySelector(".remove").addEventListener("click", () => tr.remove());
    TABLES[name].body.appendChild(tr);
  }

  function readTable(name) {
    const { body, columns } = TABLES[name];
    return [...body.querySelectorAll("tr")].map((tr) => {
      const item = {};
      for (const c of columns) {
        const input = tr.querySelector(`[data-m="${c.key}"]`);
        if (c.check) { item[c.key] = input.checked; continue; }
        const raw = input.value.trim();
        if (raw === "") continue;
        if (c.pick) item[c.key] = idOf(c.pick, raw);
        else if (c.json && (raw.startsWith("{") || raw.startsWith("["))) {
          try {
            const parsed = JSON.parse(raw);
            item[c.key] = c.origins ? originsAs(parsed, idOf) : parsed;
          } catch (_) { item[c.key] = raw; }
        } else item[c.key] = value(raw, c.text);
      }
      return item;
    }).filter((item) => Object.keys(item).some((k) => k !== "existing"));
  }

  async function fill(profile) {
    await Promise.all([marketsLoaded, picksLoaded]);
    const rest = { ...profile };
    for (const name of SCALARS) {
      const el = form.elements[name];
      el.value = profile[name] ?? (name === "currency" ? "USD" : "");
      delete rest[name];
    }
    marketsBody.innerHTML = "";
    for (const m of profile.markets || []) marketRow(m);
    delete rest.markets;
    for (const name of Object.keys(TABLES)) {
      TABLES[name].body.innerHTML = "";
      for (const item of profile[name] || []) tableRow(name, item);
      delete rest[name];
    }
    const energy = { ...(profile.energy || {}) };
    for (const input of form.querySelectorAll("[data-energy]")) {
      input.value = energy[input.dataset.energy] ?? "";
      delete energy[input.dataset.energy];
    }
    if (Object.keys(energy).length) rest.energy = energy; else delete rest.energy;
    // the countries of the "No route through" boxes are ticked; any other stays in the JSON
    if (Array.isArray(profile.avoid)) {
      const boxed = tickAvoided(profile.avoid);
      const others = profile.avoid.filter((c) => !boxed.has(String(c).toUpperCase()));
      if (others.length) rest.avoid = others; else delete rest.avoid;
    } else tickAvoided([]);
    other.value = JSON.stringify(rest, null, 2);
    clearErrors();
  }

  // the plan's advice to route around a country, said as this page does it (the box, not the
  // profile's avoid key or the command line's --avoid)
  function onThePage(text) {
    const named = (code) => {
      const box = form.querySelector(`[data-avoid="${code}"]`);
      return box ? box.parentElement.textContent.trim() : null;
    };
    return String(text).replace(/plan with avoid: \[([A-Z, ]+)\] in the profile \(--avoid [^)]*\)/, (said, codes) => {
      const names = codes.split(", ").map(named);
      if (!names.every(Boolean)) return said;
      const listed = names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names.at(-1)}` : names[0];
      return `tick ${listed} under “No route through” and run again`;
    });
  }

  // tick the "No route through" boxes of these country codes (the others unticked); the codes
  // that have a box
  function tickAvoided(codes) {
    const wanted = new Set(codes.map((c) => String(c).toUpperCase()));
    const boxed = new Set();
    for (const box of form.querySelectorAll("[data-avoid]")) {
      box.checked = wanted.has(box.dataset.avoid);
      boxed.add(box.dataset.avoid);
    }
    return boxed;
  }

  // numbers typed in a field become numbers ("3,000,000" too: commas that group thousands); "200 g"
  // or "12 %" stay strings (kopru parses units), and so does a decimal comma ("6,8"): kopru refuses
  // it saying to write 6.8, where reading it as 68 would cost the plan ten times over
  function value(raw, text) {
    const v = raw.trim();
    if (v === "") return undefined;
    if (text) return v;
    // '600.000' is 600,000 to a Turkish writer: sent as typed, the server asks which (as for '1,500')
    if (/^[-+]?[1-9]\d{0,2}\.\d\d0$/.test(v)) return v;
    // two or more groups only: '1,500' could be 1500 or 1.5, and kopru asks which
    const plain = /^-?\d{1,3}(,\d{3}){2,}(\.\d+)?$/.test(v) ? v.replaceAll(",", "") : v;
    if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(plain)) return Number(plain);
    return v;
  }

  function collect() {
    let rest = {};
    const otherText = other.value.trim();
    if (otherText) {
      try {
        rest = JSON.parse(otherText);
      } catch (e) {
        return { error: { field: "other", msg: `not valid JSON: ${e.message}` } };
      }
      if (typeof rest !== "object" || Array.isArray(rest) || rest === null) {
        return { error: { field: "other", msg: "expected a JSON object { ... }" } };
      }
    }
    const profile = { ...rest };
    for (const name of SCALARS) {
      const v = value(form.elements[name].value, TEXT.has(name));
      if (v !== undefined) profile[name] = v;
    }
    profile.markets = [...marketsBody.querySelectorAll("tr")].map((tr) => {
      const m = {};
      for (const input of tr.querySelectorAll("input, select")) {
        const v = value(input.value, input.dataset.m === "id");
        if (v !== undefined) m[input.dataset.m] = v;
      }
      return m;
    }).filter((m) => Object.keys(m).length);
    for (const name of Object.keys(TABLES)) profile[name] = readTable(name);
    const energy = { ...(profile.energy || {}) };
    for (const input of form.querySelectorAll("[data-energy]")) {
      const v = value(input.value, false);
      if (v !== undefined) energy[input.dataset.energy] = v;
    }
    if (Object.keys(energy).length) profile.energy = energy;
    // the boxes ticked join the countries the JSON names (a value that is no list is the server's
    // to refuse, as given)
    const ticked = [...form.querySelectorAll("[data-avoid]:checked")].map((box) => box.dataset.avoid);
    if (ticked.length && (profile.avoid === undefined || Array.isArray(profile.avoid))) {
      const given = profile.avoid || [];
      const known = new Set(given.map((c) => String(c).toUpperCase()));
      profile.avoid = [...given, ...ticked.filter((c) => !known.has(c))];
    }
    return { profile };
  }

  // -- field-level messages --------------------------------------------------------------------
  const RUN_OPTIONS = ["samples", "seed"]; // the risk options: fields of the request, not of the profile

  let noteIds = 0;
  // a field in error: red, and said so to a screen reader, with its message as its description
  function flag(input, note) {
    input.classList.add("invalid");
    input.setAttribute("aria-invalid", "true");
    if (!note) return;
    if (!note.id) note.id = `field-note-${++noteIds}`;
    input.setAttribute("aria-describedby", note.id);
  }

  // a scalar field as its label names it ("Annual volume (units)", not annual_volume)
  function fieldLabel(field) {
    const el = SCALARS.includes(field) || RUN_OPTIONS.includes(field) ? form.elements[field] : null;
    const label = el && el.closest && el.closest("label");
    if (!label) return "";
    return [...label.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join(" ").trim();
  }

  // a message names the profile's fields as the API does (annual_volume); the page, as its labels do
  function labelled(msg) {
    return String(msg ?? "").replace(/\b[a-z]+(?:_[a-z]+)+\b/g, (name) => {
      const label = SCALARS.includes(name) ? fieldLabel(name) : "";
      return label ? `“${label}”` : name;
    });
  }

  function clearErrors() {
    form.querySelectorAll(".invalid").forEach((el) => el.classList.remove("invalid"));
    form.querySelectorAll("[aria-invalid]").forEach((el) => {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
    });
    form.querySelectorAll("small.err").forEach((el) => { el.textContent = ""; });
    const box = document.getElementById("form-errors");
    box.hidden = true;
    box.innerHTML = "";
  }

  // a table's cell as the page names it, "Materials, row 3 (motors), bought at", not the API's
  // materials[2].origin (a web review: the note under a table and the summary read as paths)
  const TABLE_NAMES = { markets: "Markets", materials: "Materials", baseline: "Turkish baseline plants" };
  const MARKET_COLUMNS = { id: "market", demand: "demand / year", price: "price" };
  function cellName(table, index, rest) {
    const columns = table === "markets" ? MARKET_COLUMNS
      : Object.fromEntries(TABLES[table].columns.map((c) => [c.key, c.label]));
    const tr = (table === "markets" ? marketsBody : TABLES[table].body).querySelectorAll("tr")[index];
    // the row by the name it shows: its name cell, else its first cell (a market's select by its text)
    const cellOf = tr && (tr.querySelector('[data-m="name"]') || tr.querySelector("[data-m]"));
    const shown = !cellOf ? "" : cellOf.tagName === "SELECT"
      ? (cellOf.selectedOptions[0] ? cellOf.selectedOptions[0].textContent : "") : cellOf.value;
    const key = (rest.match(/^\.?(\w+)/) || [])[1];
    // deeper, as in alternatives[0].cost: "item 1, cost"
    const deeper = rest.replace(/^\.?\w+/, "").replace(/\[(\d+)\]/g, (_, i) => `, item ${Number(i) + 1}`).replace(/\./g, ", ");
    return `${TABLE_NAMES[table]}, row ${index + 1}${shown.trim() ? ` (${shown.trim()})` : ""}`
      + `${key ? `, ${columns[key] || key}` : ""}${deeper}`;
  }
  // the cell's words for a table's field, or "" for any other field
  function tableCell(field) {
    const at = field.match(/^(markets|materials|baseline)\[(\d+)\](.*)$/);
    return at ? cellName(at[1], Number(at[2]), at[3]) : "";
  }

  // the what-if input of an override key (null for any other key), and what its label says
  const whatIfInput = (key) => form.querySelector(`[data-override="${CSS.escape(key)}"]`);
  const whatIfLabel = (input) => input.parentElement.firstChild.textContent.trim();

  function showErrors(errors, message) {
    clearErrors();
    const box = document.getElementById("form-errors");
    const lines = [];
    for (const e of errors) {
      const field = e.field || "";
      // a market's row is named by the cell's words: the message's own "(market Russia, 'mkt_RU')"
      // would say it again, with the id
      const msg = labelled(tableCell(field) ? e.msg.replace(/ \(market .*, '[^']*'\)$/, "") : e.msg);
      const whatIf = whatIfInput(field);
      if (whatIf) {  // a what-if value the data pack refused: said under its input
        const err = whatIf.parentElement.querySelector("small.err");
        flag(whatIf, err);
        err.textContent = msg.replace(/^override \S+: /, "");
        lines.push(`<li><b>${kopru.esc(whatIfLabel(whatIf))}</b>: ${kopru.esc(err.textContent)}</li>`);
        continue;
      }
      if (field === "disruptions") {  // a closure that matches nothing: said under its input
        const input = document.getElementById("disruptions");
        const err = input.parentElement.querySelector("small.err");
        flag(input, err);
        err.textContent = msg;
        lines.push(`<li><b>Close corridor parts</b>: ${kopru.esc(msg)}</li>`);
        continue;
      }
      const top = field.split(/[.[]/)[0];
      const market = field.match(/^markets\[(\d+)\]\.?(\w+)?/);
      const row = field.match(/^(materials|baseline)\[(\d+)\]\.?(\w+)?/);
      const energy = field.match(/^energy\.(electricity|gas)/);
      if (row || (top in TABLES)) {
        if (row) {
          const tr = TABLES[row[1]].body.querySelectorAll("tr")[Number(row[2])];
          const input = tr && tr.querySelector(`[data-m="${row[3] || TABLES[row[1]].columns[0].key}"]`);
          if (input) flag(input, form.querySelector(`small[data-for="${row[1]}"]`));
        }
        form.querySelector(`small[data-for="${row ? row[1] : top}"]`).textContent += `${tableCell(field) || field}: ${msg}. `;
      } else if (energy) {
        const input = form.querySelector(`[data-energy="${energy[1]}"]`);
        flag(input, input.parentElement.querySelector("small.err"));
        input.parentElement.querySelector("small.err").textContent = msg;
      } else if (SCALARS.includes(top) || RUN_OPTIONS.includes(top)) {
        const el = form.elements[top];
        flag(el, el.parentElement.querySelector("small.err"));
        el.parentElement.querySelector("small.err").textContent = msg;
      } else if (field === "file") {
        // the uploaded file itself (binary, empty, malformed): said at the upload, not the JSON box
        const upload = document.getElementById("upload");
        flag(upload, upload.parentElement.querySelector("small.err"));
        upload.parentElement.querySelector("small.err").textContent = msg.replace(/^the file: /, "");
      } else if (market || top === "markets") {
        if (market) {
          const row = marketsBody.querySelectorAll("tr")[Number(market[1])];
          const input = row && row.querySelector(`[data-m="${market[2] || "id"}"]`);
          if (input) flag(input, form.querySelector('small[data-for="markets"]'));
        }
        form.querySelector('small[data-for="markets"]').textContent += `${tableCell(field) || field}: ${msg}. `;
      } else {
        flag(other, form.querySelector('small[data-for="other"]'));
        form.querySelector('small[data-for="other"]').textContent += `${field}: ${msg}. `;
      }
      const shown = field === "file" ? "uploaded file" : fieldLabel(field) || tableCell(field) || field || "profile";
      lines.push(`<li><b>${kopru.esc(shown)}</b>: ${kopru.esc(msg.replace(/^the file: /, ""))}</li>`);
    }
    if (!lines.length && message) lines.push(`<li>${kopru.esc(message)}</li>`);
    box.innerHTML = `<p>Please fix ${lines.length === 1 ? "this" : "these"} before running:</p><ul>${lines.join("")}</ul>`;
    // a run option, a what-if value or a closure: its message is next to its field, which the
    // page keeps in view (the summary box at the top of the form would scroll it away)
    const runInput = (f) => (RUN_OPTIONS.includes((f || "").split(/[.[]/)[0]) ? form.elements[f.split(/[.[]/)[0]]
      : f === "disruptions" ? document.getElementById("disruptions") : whatIfInput(f || ""));
    if (errors.length && errors.every((e) => runInput(e.field))) {
      box.hidden = true;
      const field = runInput(errors[0].field);
      field.focus({ preventScroll: true });
      field.scrollIntoView({ behavior: "smooth", block: "center" });
      return;
    }
    box.hidden = false;
    box.focus({ preventScroll: true });
    box.scrollIntoView({ behavior: "smooth", block: "center" });
  }

  function errorsOf(e) {
    const detail = e.body && Array.isArray(e.body.detail) ? e.body.detail : [];
    return detail.map((d) => ({ field: d.field ?? (d.loc || []).slice(2).join("."), msg: d.msg }));
  }

  // -- loading a profile -----------------------------------------------------------------------
  async function loadExamples() {
    const select = document.getElementById("example");
    try {
      const list = await kopru.json("/api/examples");
      for (const ex of list) {
        const o = document.createElement("option");
        o.value = ex.name;
        o.textContent = `${ex.name} — ${ex.product}`;
        select.appendChild(o);
      }
      // a newcomer lands on a ready-to-run example
      select.value = list.length ? list[0].name : "";
      if (select.value) await loadExample(select.value);
    } catch (e) {
      kopru.toast(`could not list the examples: ${e.message}`);
    }
    select.addEventListener("change", () => select.value && loadExample(select.value));
  }

  // what-if values belong to a run: a newly loaded profile starts from the data pack's
  const clearWhatIf = () => form.querySelectorAll("[data-override]").forEach((input) => { input.value = ""; });

  async function loadExample(name) {
    const doc = await kopru.json(`/api/examples/${encodeURIComponent(name)}`);
    await fill(doc.profile);
    clearWhatIf();
    source = `example:${name}`;
    document.getElementById("source-note").textContent = `Loaded the example “${name}”. Edit any field, then run.`;
  }

  // a profile's own fields: a file with none of them is some other document
  const PROFILE_KEYS = new Set([...SCALARS, "markets", "materials", "baseline", "energy"]);
  const listed = (names, most = 4) => names.slice(0, most).join(", ") + (names.length > most ? ", …" : "");

  // why an uploaded file is not put in the form, or "" when it is a clean profile
  function uploadRefusal(name, parsed) {
    const doc = parsed.profile || {};
    const keys = Object.keys(doc);
    if ("profile" in doc && ("scenarios" in doc || "grid" in doc)) {
      return `${name} is a scenario file, not a profile: run it with kopru sweep; the Plan page takes a product profile (company, product, markets…). The form is unchanged.`;
    }
    if (!keys.some((k) => PROFILE_KEYS.has(k))) {
      return `${name} is not a product profile: it has ${keys.length ? listed(keys) : "no fields"}, and none of a profile's (company, product, markets…). The form is unchanged.`;
    }
    if (!parsed.errors.length) return "";
    const said = parsed.errors.slice(0, 3).map((e) => `${fieldLabel(e.field) || e.field || "profile"}: ${labelled(e.msg)}`);
    const more = parsed.errors.length > 3 ? ` (and ${parsed.errors.length - 3} more)` : "";
    return `${name} was not loaded, the form is unchanged: ${said.join("; ")}${more}. Fix the file and upload it again.`;
  }

  function refuseUpload(message) {
    clearErrors();
    const upload = document.getElementById("upload");
    const err = upload.parentElement.querySelector("small.err");
    flag(upload, err);
    err.textContent = message;
    upload.focus({ preventScroll: true });
    upload.scrollIntoView({ behavior: "smooth", block: "center" });
  }

  document.getElementById("upload").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    const body = new FormData();
    body.append("file", file);
    try {
      const parsed = await kopru.json("/api/profiles/parse", { method: "POST", body });
      // the form is the user's work: a file that is not a clean profile leaves it as it is (a review:
      // 'hello: world' emptied every field, with no undo)
      const refused = uploadRefusal(file.name, parsed);
      if (refused) {
        refuseUpload(refused);
      } else {
        await fill(parsed.profile);
        clearWhatIf();
        source = `upload:${file.name}`;
        document.getElementById("example").value = "";
        document.getElementById("source-note").textContent = `Loaded ${file.name}.`;
      }
    } catch (e) {
      showErrors(errorsOf(e), e.message);
    }
    event.target.value = "";
  });

  document.getElementById("add-market").addEventListener("click", () => marketRow());
  document.getElementById("add-material").addEventListener("click", () => tableRow("materials"));
  document.getElementById("add-plant").addEventListener("click", () => tableRow("baseline", { existing: false }));

  // -- check and run ----------------------------------------------------------------------------
  document.getElementById("check-btn").addEventListener("click", async () => {
    const { profile, error } = collect();
    if (error) return showErrors([error]);
    try {
      const ok = await kopru.json("/api/profiles/validate", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ profile }),
      });
      clearErrors();
      kopru.toast(`The profile is valid: ${ok.markets} markets, ${kopru.money(ok.volume)} units a year.`, "ok");
    } catch (e) {
      showErrors(errorsOf(e), e.message);
    }
  });

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  const PLAN_STEPS = 8;

  // Run a job (a plan, or a plan and its risk), show its progress, then its result.
  async function runJob(kind) {
    const { profile, error } = collect();
    if (error) return showErrors([error]);
    const disruptions = document.getElementById("disruptions").value.split(",").map((s) => s.trim()).filter(Boolean);
    const buttons = [document.getElementById("run-btn"), document.getElementById("risk-btn")];
    const bar = document.getElementById("progress-bar");
    const text = document.getElementById("progress-text");
    const optimize = document.getElementById("optimize").checked;
    const body = { profile, disruptions, optimize };
    // what-if values: only those given (an empty input keeps the data pack's); the server checks them
    const overrides = {};
    for (const input of form.querySelectorAll("[data-override]")) {
      if (input.value.trim() !== "") overrides[input.dataset.override] = input.value.trim();
    }
    if (Object.keys(overrides).length) body.overrides = overrides;
    if (kind === "risk") {
      for (const name of RUN_OPTIONS) {
        const raw = form.elements[name].value.trim();
        body[name] = raw === "" ? null : Number(raw);
      }
    }
    buttons.forEach((b) => { b.disabled = true; });
    document.getElementById("progress").hidden = false;
    // a risk job: the plan's steps take the first fifth of the bar, the samples the rest
    bar.max = kind === "risk" ? 100 : (optimize ? PLAN_STEPS + 1 : PLAN_STEPS);
    bar.value = 0;
    text.textContent = "queued…";
    try {
      let job = await kopru.json(kind === "risk" ? "/api/risk" : "/api/jobs", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      clearErrors();
      while (job.status === "queued" || job.status === "running") {
        await sleep(200);
        job = await kopru.json(`/api/jobs/${job.id}`);
        const last = job.progress.length ? job.progress[job.progress.length - 1] : job.status;
        if (kind !== "risk") {
          bar.value = job.progress.length + 1;
          text.textContent = job.progress.length ? `${last}…` : last;
        } else if (job.step_total) {
          bar.value = 20 + (75 * job.step_done) / job.step_total;
          text.textContent = `drawing samples: ${kopru.money(job.step_done)} of ${kopru.money(job.step_total)}…`;
        } else {
          const sampling = job.progress.findIndex((m) => m.startsWith("drawing"));
          bar.value = sampling < 0 ? (20 * job.progress.length) / (PLAN_STEPS + 1) : (last.startsWith("drawing") ? 20 : 97);
          text.textContent = `${last}…`;
        }
      }
      if (job.status === "failed") {
        text.textContent = "failed";
        markStale();
        showErrors(job.error.fields, job.error.message);
        return;
      }
      bar.value = bar.max;
      text.textContent = "done";
      // the run in the address: Back and Reload bring it back (the page reopens /plan?run=<id>)
      history.replaceState(null, "", `/plan?run=${job.run}${kind === "risk" ? "&risk=1" : ""}`);
      await showRun(job.run, kind === "risk");
    } catch (e) {
      text.textContent = "failed";
      markStale();
      if (e.status === 422) showErrors(errorsOf(e), e.message);
      else kopru.toast(e.message);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    runJob("plan");
  });
  document.getElementById("risk-btn").addEventListener("click", () => runJob("risk"));

  // -- the result ------------------------------------------------------------------------------
  const pct = (v) => `${(100 * v).toFixed(1)} %`;
  const SITE_KINDS = { kz_region: "Kazakh region", sez: "SEZ", tr_plant: "Turkish plant", tr_province: "Turkish province" };
  const labelOf = (risk, id) => (risk.sites.find((s) => s.id === id) || { label: id }).label;

  async function showRisk(runId) {
    const [risk, figures] = await Promise.all([
      kopru.json(`/api/runs/${runId}/risk`),
      kopru.json(`/api/runs/${runId}/risk/figures`),
    ]);
    const cur = kopru.esc(risk.currency);
    const first = risk.sites[0];
    // a twin's same_draws_as are ids; people read names
    const nameOf = Object.fromEntries(risk.sites.map((s) => [s.id, s.name]));
    const twinNames = (s) => (s.same_draws_as || []).map((id) => nameOf[id] || id);
    document.getElementById("risk-summary").innerHTML =
      `${kopru.money(risk.samples)} samples, seed ${risk.seed}; annual landed cost in ${cur}. ` +
      (first ? `Lowest mean: <b>${kopru.esc(first.label)}</b>, ${kopru.money(first.mean)} ${cur} a year ` +
        `(90 % of samples between ${kopru.money(first.p5)} and ${kopru.money(first.p95)}), the cheapest site in ${pct(first.p_best)} of samples. ` : "") +
      (risk.p_recommendation_changes !== null && risk.recommended ?
        `The plan's pick, <b>${kopru.esc(labelOf(risk, risk.recommended))}</b>, stays the cheapest in ${pct(1 - risk.p_recommendation_changes)} of samples: ` +
        `<b>the recommendation changes in ${pct(risk.p_recommendation_changes)}</b>. ` : "") +
      (risk.drawn ? `The distributions below are drawn from the first ${kopru.money(risk.drawn)} samples of the cheapest sites and of the best Turkish option (orange); every other figure uses all samples.` : "") +
      (risk.excluded.length ? ` Left out (no route to every market): ${kopru.esc(risk.excluded.join(", "))}.` : "") +
      twinsSaid(risk.sites);
    // sites with the same cost in every draw: a tie counts for one, so P(best) is theirs together
    function twinsSaid(sites) {
      const pairs = sites.filter((s) => twinNames(s).length && s.name < twinNames(s)[0])
        .map((s) => [s.name, ...twinNames(s)].join(" and "));
      return pairs.length ? ` = marks sites with the same cost in every draw (${kopru.esc(pairs.join("; "))}): each draw's tie counts for one of them, so P(best) is theirs together.` : "";
    }
    const twin = (s) => (twinNames(s).length
      ? ` <span class="assume" title="the same cost in every draw as ${kopru.esc(twinNames(s).join(", "))}">=</span>`
      : "");
    document.querySelector("#risk-table tbody").innerHTML = risk.sites.map((s) => {
      const mark = s.id === risk.baseline ? ' class="baseline"' : (s === first ? ' class="best"' : "");
      return `<tr${mark}><td>${kopru.esc(s.label)}</td>${["mean", "p5", "p50", "p95", "cvar95"].map((k) =>
        `<td class="num">${kopru.money(s[k])}</td>`).join("")}<td class="num">${pct(s.p_best)}${twin(s)}</td>
        <td class="num">${kopru.money(s.expected_regret)}</td></tr>`;
    }).join("");
    document.getElementById("risk").hidden = false;
    await Promise.all([
      kopru.plot(document.getElementById("risk-chart"), figures.distribution),
      kopru.plot(document.getElementById("risk-best-chart"), figures.best),
    ]);
  }

  // -- incentives and the investment appraisal ---------------------------------------------------
  const rate = (v) => (v === null ? "—" : `${(100 * v).toFixed(1)} %`);
  const years = (v) => (v === null ? "never" : v.toFixed(1));

  let shownAt = "";  // when the run shown was made

  // the result below is an earlier run's once a run fails: said, not left to pass for this one's
  function markStale() {
    const stale = document.getElementById("result-stale");
    if (document.getElementById("results").hidden) return;
    stale.textContent = `This result is of the earlier run (${shownAt}); the run just asked for failed: fix the form and run again.`;
    stale.hidden = false;
  }
  // sources by their publishers, which a reader knows, not the data pack's ids (set per run shown)
  let publisherOf = {};
  const citedBy = (ids) => [...new Set(ids.split(";").map((id) => id.trim()).filter(Boolean)
    .map((id) => publisherOf[id] || id))].join("; ");

  function incentiveTable(site) {
    if (!site.incentives.length) {
      return `<p>${site.existing ? "No investment incentive applies to this existing plant: it invests nothing when it already makes what its markets buy, and its expansion gets a certificate only where a new plant in its province would (the best new Turkish plant's schemes are shown too)." :
        `No incentive scheme in the data pack applies to ${kopru.esc(site.name)}.`}</p>`;
    }
    const rows = site.incentives.map((i) => `<tr><td data-label="scheme">${kopru.esc(i.name)}<br><small>${kopru.esc(i.scheme)}</small></td>
      <td data-label="status">${i.status === "applied" ? "<b>applied</b>" : kopru.esc(i.status)}</td>
      <td class="num" data-label="annual value">${i.annual_value !== null ? kopru.money(i.annual_value)
        : i.status === "applied" ? "<small>in the cost, not valued alone</small>" : "—"}</td>
      <td data-label="legal basis">${kopru.esc(i.legal_basis)}</td>
      <td class="note" data-label="conditions">${kopru.esc(i.conditions.replaceAll(";", "; ") || "—")}</td>
      <td data-label="source" data-full title="${kopru.esc(i.source.replaceAll(";", "; "))}">${kopru.esc(citedBy(i.source))}</td>
      <td class="note" data-label="note">${kopru.esc(i.note)}</td></tr>`);
    return `<div class="table-wrap scroll"><table class="grid incentives cards" data-site="${kopru.esc(site.id)}">
      <thead><tr><th>scheme</th><th>status</th><th class="num">annual value</th><th>legal basis</th><th>conditions</th>
      <th>source</th><th>note</th></tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
  }

  // where the recommended site and the best Turkish one buy each input that has other sources
  function showSources(plan) {
    const rec = plan.sites.find((s) => s.id === plan.recommendation.site);
    const base = plan.sites.find((s) => s.id === plan.recommendation.baseline_site);
    const cur = kopru.esc(plan.currency);
    const unit = (v) => (v === null ? "no route" : `${kopru.money(v, 3)} ${cur}`);
    const rows = [rec, base].filter((s, i, all) => s && all.indexOf(s) === i).flatMap((site) =>
      site.sources.map((b) => `<tr><td data-label="input">${kopru.esc(b.material)}</td>
        <td data-label="site">${kopru.esc(site.name)}</td><td data-label="bought from"><b>${b.origin === "local" ? "locally" : kopru.esc(b.name)}</b></td>
        <td class="num" data-label="landed / unit">${unit(b.landed)}</td>
        <td data-label="the other sources would land it at">${Object.entries(b.landed_by_source)
          .filter(([name]) => name !== b.name)
          .map(([name, v]) => (v === null ? `${kopru.esc(name)}: no route` : `${kopru.esc(name)} ${kopru.money(v, 3)}`)).join("; ")}</td></tr>`));
    document.querySelector("#sources-table tbody").innerHTML = rows.join("");
    document.getElementById("sources-bought").hidden = !rows.length;
  }

  function showAppraisal(plan) {
    const box = document.getElementById("appraisal");
    const feasible = plan.ranking.map((id) => plan.sites.find((s) => s.id === id)).filter((s) => s.feasible && s.appraisal);
    box.hidden = !feasible.length;
    if (!feasible.length) return false;
    const cur = kopru.esc(plan.currency);
    const rec = plan.sites.find((s) => s.id === plan.recommendation.site);
    const base = plan.sites.find((s) => s.id === plan.recommendation.baseline_site);
    const newTr = feasible.find((s) => s.country === "TR" && !s.existing);
    const shown = feasible.slice(0, 12).concat(feasible.slice(12).filter((s) => s.country === "TR"));
    const valued = (s) => s.incentives.filter((i) => i.status === "applied").reduce((t, i) => t + (i.annual_value || 0), 0);
    document.querySelector("#appraisal-table tbody").innerHTML = shown.map((s) => {
      const a = s.appraisal, v = a.vs_baseline;
      const mark = s === rec ? ' class="best"' : (s.country === "TR" ? ' class="baseline"' : "");
      return `<tr${mark}><td>${kopru.esc(s.name)} (${kopru.esc(s.country)})</td><td class="num">${kopru.money(a.npv)}</td>
        <td class="num">${rate(a.irr)}</td><td class="num">${years(a.payback_years)}</td><td class="num">${kopru.money(valued(s))}</td>
        <td class="num">${v && v.npv !== null ? kopru.money(v.npv) : "—"}</td></tr>`;
    }).join("");
    const a = rec && rec.appraisal;
    document.getElementById("appraisal-summary").innerHTML = a ?
      `<b>${kopru.esc(rec.name)}</b>: NPV ${kopru.money(a.npv)} ${cur} at a WACC of ${rate(a.wacc)}, IRR ${rate(a.irr)}, ` +
      (a.payback_years === null ? "no payback" : `payback ${years(a.payback_years)} years`) +
      (a.vs_baseline && base && base !== rec ? `; moving from ${kopru.esc(base.name)} is worth ${kopru.money(a.vs_baseline.npv)} ${cur} ` +
        `(IRR of the move ${rate(a.vs_baseline.irr)}).` : ".") : "";
    const blocks = [rec, base, newTr].filter((s, i, all) => s && all.indexOf(s) === i);
    document.getElementById("incentives").innerHTML = blocks.map((s) =>
      `<h4>${kopru.esc(s.name)} (${kopru.esc(s.country)})</h4>${incentiveTable(s)}`).join("");
    return true;
  }

  async function showRun(runId, withRisk = false) {
    const [plan, figures] = await Promise.all([
      kopru.json(`/api/runs/${runId}`),
      kopru.json(`/api/runs/${runId}/figures`),
    ]);
    currentRun = runId;
    // the Compare page puts this run's sites side by side, on its own values and closures
    document.getElementById("compare-link").href = `/compare?run=${runId}`;
    document.getElementById("risk").hidden = true;
    const results = document.getElementById("results");
    results.hidden = false;
    document.getElementById("result-stale").hidden = true;
    // money columns say their currency (a web review: bare numbers under NPV, mean, regret)
    document.querySelectorAll("th .cur").forEach((el) => { el.textContent = ` (${plan.currency})`; });
    shownAt = new Date(plan.created).toLocaleString();
    const oldest = plan.oldest_input;
    // sources by their publishers, which a reader knows, not the data pack's ids
    publisherOf = Object.fromEntries((plan.sources || []).map((s) => [s.id, s.publisher || s.title || s.id]));
    const cited = citedBy;
    // the decision first, then what it rests on (older runs have the text only)
    const rec = plan.recommendation;
    const box = document.getElementById("recommendation");
    const head = Object.assign(document.createElement("p"), { textContent: onThePage(rec.headline || rec.text) });
    head.className = "headline";
    const points = (rec.headline ? rec.points || [] : []).map(onThePage);
    if (oldest) points.push(`The oldest value under the recommended site's cost: ${oldest.what} (${oldest.year}, ${cited(oldest.source)}).`);
    const older = plan.oldest_baseline_input;
    if (older) points.push(`Under the Turkish baseline's, which the saving is measured against: ${older.what} (${older.year}, ${cited(older.source)}).`);
    // what the run replaced in the data pack (the what-if values, or an overrides file's)
    const replaced = (plan.overrides || []).map((o) => {
      const input = whatIfInput(o.key);
      const what = input ? whatIfLabel(input) : o.key;
      return o.old === null || o.old === undefined ? `${what} ${o.new}` : `${what} ${o.old} → ${o.new}`;
    });
    if (replaced.length) points.push(`Replaced in this run: ${replaced.join("; ")}.`);
    // what it closed: the routes and the recommendation rest on it
    const closed = plan.closed_parts && plan.closed_parts.length ? plan.closed_parts : plan.disruptions || [];
    if (closed.length) points.push(`Closed in this run: ${closed.join(", ")}.`);
    const list = document.createElement("ul");
    list.replaceChildren(...points.map((t) => Object.assign(document.createElement("li"), { textContent: t })));
    box.replaceChildren(head, ...(points.length ? [list] : []));
    // no site serves every market: an outcome to act on, not a recommendation (a review: it came in
    // the green box, over a cost chart with nothing on it)
    const noSite = !rec.site;
    box.classList.toggle("warning", noSite);
    const costChart = document.getElementById("cost-chart");
    const costNone = document.getElementById("cost-none");
    costChart.hidden = noSite;
    costNone.hidden = !noSite;
    costNone.textContent = noSite ? "Nothing to draw: no site can serve every target market, so none has an annual"
      + " landed cost. The box above says what cannot be reached; reopen a corridor part or change the markets, then run again." : "";
    // would the answer change with the borrowed values at their unfavourable end? (older runs lack it)
    const stress = document.getElementById("borrowed-stress");
    stress.hidden = !plan.borrowed_stress;
    stress.textContent = plan.borrowed_stress ? `Stress test: ${plan.borrowed_stress.text}` : "";
    // how far one input alone must move to change the answer (older runs lack it)
    const switching = document.getElementById("switching");
    switching.hidden = !plan.switching;
    switching.textContent = plan.switching ? `Switching values: ${plan.switching.text}` : "";
    showTwoWay(plan);
    const cur = plan.currency;
    const rows = plan.ranking.map((id) => {
      const s = plan.sites.find((x) => x.id === id);
      const best = id === plan.recommendation.site ? ' class="best"' : "";
      // data-label: on a phone each row is a card whose cells say what they are
      return `<tr${best}><td data-label="#">${s.rank ?? "—"}</td><td data-label="site">${kopru.esc(s.name)}</td>
        <td data-label="kind">${kopru.esc(SITE_KINDS[s.kind] || s.kind)}</td>
        <td class="num" data-label="annual cost">${kopru.money(s.landed_cost.total)} ${cur}</td>
        <td class="num" data-label="per unit">${kopru.money(s.landed_cost.per_unit, 2)} ${cur}</td>
        <td class="note" data-label="notes">${s.notes.map(kopru.esc).join("<br>")}</td></tr>`;
    });
    document.querySelector("#ranking tbody").innerHTML = rows.join("");
    const net = plan.network;
    document.getElementById("network").hidden = !net;
    if (net) {
      document.getElementById("network-summary").textContent =
        `${net.status}: ${kopru.money(net.objective)} ${cur} a year (gap ${net.gap === null ? "—" : (100 * net.gap).toFixed(3) + " %"}). ${net.message}`;
      document.querySelector("#network-open tbody").innerHTML = net.open.map((o) =>
        `<tr><td>${kopru.esc(o.name)}</td><td class="num">${kopru.money(o.capacity)}</td><td class="num">${kopru.money(o.units)}</td>
         <td class="num">${(100 * o.utilisation).toFixed(0)} %</td></tr>`).join("");
      const marginals = net.marginals;
      document.getElementById("network-marginals").textContent =
        marginals && marginals.text ? `What the next unit is worth: ${marginals.text}` : "";
    }
    showSources(plan);
    const shownAppraisal = showAppraisal(plan);
    await Promise.all([
      kopru.plot(document.getElementById("plan-map"), figures.map),
      noSite ? null : kopru.plot(costChart, figures.chart),
      shownAppraisal ? kopru.plot(document.getElementById("cash-flow-chart"), figures.cash_flow) : null,
      showTornado(figures.tornado),
      withRisk ? showRisk(runId) : null,
    ]);
    kopru.focusResult(results);
    results.scrollIntoView({ behavior: "smooth" });
    return plan;
  }

  document.getElementById("dl-json").addEventListener("click", () => currentRun && kopru.download(`/api/runs/${currentRun}/plan.json`, "plan.json"));
  document.getElementById("dl-report").addEventListener("click", () => currentRun && kopru.download(`/api/runs/${currentRun}/report.html`, "report.html"));
  document.getElementById("dl-xlsx").addEventListener("click", () => currentRun && kopru.download(`/api/runs/${currentRun}/plan.xlsx`, "plan.xlsx"));
  document.getElementById("dl-summary").addEventListener("click", () => currentRun && kopru.download(`/api/runs/${currentRun}/summary.pdf`, "summary.pdf"));
  document.getElementById("dl-summary-tr").addEventListener("click", () => currentRun && kopru.download(`/api/runs/${currentRun}/summary.pdf?lang=tr`, "ozet.pdf"));

  // /plan?run=<id> reopens a run from the Runs page (&risk=1: a risk run, with its distributions)
  const query = new URLSearchParams(location.search);
  const fromRuns = query.get("run");
  const runButtons = [document.getElementById("run-btn"), document.getElementById("risk-btn")];
  loadExamples().then(async () => {
    if (fromRuns && /^[0-9a-f]{32}$/.test(fromRuns)) {
      try {
        // the form holds the run's own profile: editing and running again starts from it
        const plan = await showRun(fromRuns, query.get("risk") === "1");
        await fill(plan.profile);
        tickAvoided(plan.avoid || []);
        // the run's what-if values back in their inputs (other overrides stay in the plan's list)
        const given = Object.fromEntries((plan.overrides || []).map((o) => [o.key, o.new]));
        const inputs = [...form.querySelectorAll("[data-override]")];
        for (const input of inputs) input.value = given[input.dataset.override] ?? "";
        // and what it closed and whether it optimized: running again repeats the run's scenario
        document.getElementById("disruptions").value = (plan.disruptions || []).join(", ");
        document.getElementById("optimize").checked = Boolean(plan.network);
        const shown = new Set(inputs.map((input) => input.dataset.override));
        const others = Object.keys(given).filter((key) => !shown.has(key));
        source = "profile";
        document.getElementById("example").value = "";
        document.getElementById("source-note").textContent =
          `Loaded the profile of the run shown below (${plan.company}). Edit any field, then run.` +
          (others.length ? ` The run also replaced ${others.join(", ")}: a new run here keeps only the` +
            " what-if values below (give the others in an overrides file to kopru plan --overrides)." : "");
      } catch (e) {
        // not on this server (a restart): the scenario store's record fills the form (stored_run.js)
        if (e.status === 404 && typeof kopruStoredRun !== "undefined") await kopruStoredRun.refill(fromRuns, fill, e);
        else kopru.toast(e.message);
      }
    } else if (fromRuns) {
      kopru.toast(`“${fromRuns.slice(0, 40)}” is not a run id; choose a run on the Runs page`);
    }
  }).finally(() => {
    // a run pressed before the profile loaded posted an empty form, whose errors the load then wiped
    runButtons.forEach((b) => { b.disabled = false; });
  });
})();
