// Site page: one site's dossier (kopru.dossier), the same fragment the report's site profiles show.
"use strict";

(async () => {
  const box = document.getElementById("site-profile");
  const title = document.getElementById("site-title");
  const response = await kopru.api(`/api/sites/${encodeURIComponent(box.dataset.site)}/dossier.html`);
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try { message = kopru.describe(await response.json()) || message; } catch (_) { /* not JSON */ }
    box.innerHTML = `<p class="error">${kopru.esc(message)}</p>`;
    title.textContent = "Unknown site";
    return;
  }
  box.innerHTML = await response.text();
  // on a phone the wide tables (incentive schemes, logistics access) become cards whose cells say
  // their column's name, long texts across the card (the values' tables have their own layout)
  for (const table of box.querySelectorAll("table.grid:not(.facts):not(.dossier-values)")) {
    const heads = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    for (const tr of table.querySelectorAll("tbody tr")) {
      [...tr.children].forEach((td, i) => {
        if (heads[i]) td.dataset.label = heads[i];
        if (td.textContent.trim().length > 40) td.dataset.full = "";
      });
    }
    table.classList.add("cards");
  }
  const name = box.querySelector("section.dossier").dataset.name;
  title.textContent = name;
  document.title = `${name} · kopru`;
  box.dataset.ready = "1";
})();
