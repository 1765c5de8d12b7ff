// Sites page: the data pack's sites on a map; a click shows the site's data and sources.
"use strict";

(async () => {
  const mapDiv = document.getElementById("sites-map");
  const detail = document.getElementById("site-detail");
  const select = document.getElementById("site-select");
  const KIND = { kz_region: "Kazakh region", sez: "special economic zone", tr_province: "Turkish province" };

  // the figure's last trace is the ring round the selected site (kopru.web.sites.figure)
  function highlight(site) {
    if (!mapDiv.data) return;
    const last = mapDiv.data.length - 1;
    Plotly.restyle(mapDiv, { lon: [[site.lon]], lat: [[site.lat]], text: [[site.name]] }, [last]);
  }

  // the site shown is in the address (?site=KZ-75), so that a link or a reload shows it again
  function remember(id) {
    const url = new URL(location.href);
    url.searchParams.set("site", id);
    history.replaceState(null, "", url);
  }

  let asking = 0;  // the latest site asked for: an earlier answer arriving later is dropped
  async function show(id) {
    if (!id) return;
    const mine = ++asking;
    let d;
    try {
      d = await kopru.json(`/api/sites/${encodeURIComponent(id)}`);
    } catch (e) {
      if (mine === asking) kopru.toast(e.message);
      return;
    }
    if (mine !== asking) return;
    select.value = id;
    remember(id);
    const s = d.site;
    highlight(s);
    const facts = Object.entries(d.facts).filter(([k]) => k !== "source" && k !== "name")
      .map(([k, v]) => `<tr><th>${kopru.esc(k)}</th><td>${kopru.esc(String(v))}</td></tr>`).join("");
    // the note and source go on a second line: they are long, and a column would squeeze the table;
    // a source by its publisher, the id in its tooltip (the list below has both)
    const publisher = Object.fromEntries(d.sources.map((x) => [x.id, x.publisher || x.title || x.id]));
    const cited = (ids) => [...new Set(ids.split(";").map((i) => i.trim()).filter(Boolean).map((i) => publisher[i] || i))].join("; ");
    const params = d.parameters.map((p) => `<tr class="param${p.assumption ? " assumption" : ""}">
        <td title="${kopru.esc(p.subject)}">${kopru.esc(p.whose || p.subject)}</td><td title="${kopru.esc(p.quantity)}">${kopru.esc(p.label || p.quantity)}</td>
        <td class="num">${kopru.esc(p.value.toLocaleString("en-US"))}</td><td>${kopru.esc(p.unit)}</td><td>${p.year}</td></tr>
        <tr class="note-row${p.assumption ? " assumption" : ""}"><td colspan="5">${p.assumption ? "<b>assumption.</b> " : ""}${kopru.esc(p.note)}
        <span class="src" title="${kopru.esc(p.source.replaceAll(";", "; "))}">source: ${kopru.esc(cited(p.source))}</span></td></tr>`).join("");
    const sources = d.sources.map((x) => `<li><code>${kopru.esc(x.id)}</code> ${kopru.esc(x.title)}
        <span class="muted">${kopru.esc(x.publisher)}${x.year ? ", " + kopru.esc(x.year) : ""}</span>
        ${x.url ? `<a href="${kopru.esc(x.url)}" rel="noopener noreferrer" target="_blank">link</a>` : ""}</li>`).join("");
    detail.innerHTML = `<h2>${kopru.esc(s.name)}</h2>
      <p><a class="profile-link" href="/sites/${encodeURIComponent(s.id)}">Full site profile →</a>
        <span class="muted">labour, energy, land, taxes, incentives, logistics access, each value sourced</span></p>
      <p class="muted">${KIND[s.kind] || s.kind} · <code>${kopru.esc(s.id)}</code> · ${s.lat.toFixed(3)}°N ${s.lon.toFixed(3)}°E</p>
      <div class="table-wrap"><table class="grid facts">${facts}</table></div>
      <h3>Values used for this site</h3>
      <div class="table-wrap scroll short"><table class="grid params"><thead><tr><th>whose value</th><th>quantity</th><th class="num">value</th>
        <th>unit</th><th>year</th></tr></thead><tbody>${params || '<tr><td colspan="5">none</td></tr>'}</tbody></table></div>
      <h3>Sources</h3><ul class="sources">${sources}</ul>`;
    detail.prepend(select.parentElement);
  }

  try {
    const [figure, sites] = await Promise.all([kopru.json("/api/sites/map"), kopru.json("/api/sites")]);
    // by kind, then by name: a person looks for West Kazakhstan under W, not under its code KZ-27
    const GROUPS = { kz_region: "Kazakh regions", sez: "Special economic zones", tr_province: "Turkish provinces" };
    for (const [kind, label] of Object.entries(GROUPS)) {
      const group = Object.assign(document.createElement("optgroup"), { label });
      const mine = sites.filter((s) => s.kind === kind).sort((a, b) => a.name.localeCompare(b.name, "en"));
      for (const s of mine) group.appendChild(Object.assign(document.createElement("option"), { value: s.id, textContent: s.name }));
      if (mine.length) select.appendChild(group);
    }
    // a kind the page has no group for still gets its option
    for (const s of sites.filter((x) => !(x.kind in GROUPS))) {
      select.appendChild(Object.assign(document.createElement("option"), { value: s.id, textContent: `${s.name} (${s.kind})` }));
    }
    await kopru.plot(mapDiv, figure);
    mapDiv.on("plotly_click", (event) => {
      const point = event.points.find((p) => p.customdata);
      if (point) show(point.customdata);
    });
  } catch (e) {
    mapDiv.innerHTML = `<p class="error">Could not load the map: ${kopru.esc(e.message)}</p>`;
  }
  select.addEventListener("change", () => show(select.value));
  // a site named in the address, if the list has it (?site=map would ask the map's own address)
  const asked = new URLSearchParams(location.search).get("site");
  if (asked && [...select.options].some((o) => o.value === asked)) show(asked);
  else if (asked) kopru.toast(`No site '${asked}' in the data pack: choose one on the map or from the list.`);
})();
