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
  const name = box.querySelector("section.dossier").dataset.name;
  title.textContent = name;
  document.title = `${name} · kopru`;
  box.dataset.ready = "1";
})();
