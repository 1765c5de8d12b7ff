// Runs page: the runs of this server; tick two to compare them side by side.
"use strict";

(async () => {
  const body = document.querySelector("#runs-table tbody");
  const button = document.getElementById("compare-btn");
  const hint = document.getElementById("compare-hint");

  function ticked() {
    return [...body.querySelectorAll("input:checked")].map((c) => c.value);
  }

  function update() {
    const n = ticked().length;
    button.disabled = n !== 2;
    hint.textContent = n === 2 ? "" : `tick two runs (${n} ticked)`;
  }

  let runs = [];
  try {
    runs = await kopru.json("/api/runs");
  } catch (e) {
    body.innerHTML = `<tr><td colspan="9" class="error">${kopru.esc(e.message)}</td></tr>`;
    return;
  }
  if (!runs.length) {
    body.innerHTML = '<tr><td colspan="9" class="muted">No runs yet: <a href="/plan">run a plan</a> first.</td></tr>';
  } else {
    body.innerHTML = runs.map((r, i) => `<tr>
      <td><input type="checkbox" value="${r.id}" ${i < 2 ? "checked" : ""} aria-label="compare"></td>
      <td>${kopru.esc(r.created.replace("T", " ").replace("+00:00", ""))}</td>
      <td>${kopru.esc(r.company)}</td><td>${kopru.esc(r.product)}</td><td>${kopru.esc(r.source)}</td>
      <td>${r.optimized ? "optimized" : "plan"}${r.disruptions.length ? "; closed " + kopru.esc(r.disruptions.join(", ")) : ""}</td>
      <td><a href="/plan?run=${r.id}">${kopru.esc(r.recommended_name ?? "none")}</a></td>
      <td class="num">${kopru.money(r.total)} ${kopru.esc(r.currency)}</td>
      <td><button class="small" data-dl="plan.json" data-run="${r.id}">plan.json</button>
          <button class="small" data-dl="report.html" data-run="${r.id}">report</button></td></tr>`).join("");
  }
  body.addEventListener("change", update);
  body.addEventListener("click", (event) => {
    const b = event.target.closest("button[data-dl]");
    if (b) kopru.download(`/api/runs/${b.dataset.run}/${b.dataset.dl}`, b.dataset.dl);
  });
  update();

  function side(s, label) {
    const sum = s.summary;
    const top = s.top.map((t, i) => `<tr><td>${i + 1}</td><td>${kopru.esc(t.name)}</td>
      <td class="num">${kopru.money(t.total)}</td><td class="num">${kopru.money(t.per_unit, 2)}</td></tr>`).join("");
    const net = s.network ? `<p><b>Optimizer</b>: ${kopru.esc(s.network.status)}, ${kopru.money(s.network.objective)} ${kopru.esc(sum.currency)} a year;
      open: ${s.network.open.map((o) => kopru.esc(o.name)).join(", ") || "none"}</p>` : "";
    return `<div class="side"><h3>${label}: ${kopru.esc(sum.company)}</h3>
      <p class="muted">${kopru.esc(sum.product)} · ${kopru.esc(sum.source)} · ${kopru.esc(sum.created)}
        ${sum.disruptions.length ? " · closed " + kopru.esc(sum.disruptions.join(", ")) : ""}</p>
      <p class="recommendation">${kopru.esc(s.recommendation)}</p>${net}
      <table class="grid"><thead><tr><th>#</th><th>site</th><th class="num">annual (${kopru.esc(sum.currency)})</th><th class="num">per unit</th></tr></thead>
      <tbody>${top}</tbody></table></div>`;
  }

  button.addEventListener("click", async () => {
    const [a, b] = ticked();
    let cmp;
    try {
      cmp = await kopru.json(`/api/compare?a=${a}&b=${b}`);
    } catch (e) {
      kopru.toast(e.message);
      return;
    }
    document.getElementById("comparison").hidden = false;
    document.getElementById("compare-cols").innerHTML = side(cmp.a, "A") + side(cmp.b, "B");
    const comps = [...new Set([...Object.keys(cmp.a.components), ...Object.keys(cmp.b.components)])];
    const bar = (s, name, colour) => ({
      type: "bar", name, marker: { color: colour }, x: comps, y: comps.map((c) => s.components[c] ?? 0),
      hovertemplate: `%{x}: %{y:,.0f} ${s.summary.currency}<extra>${name}</extra>`,
    });
    const fig = {
      data: [
        bar(cmp.a, `A: ${cmp.a.summary.recommended_name ?? "—"}`, "#1f3b73"),
        bar(cmp.b, `B: ${cmp.b.summary.recommended_name ?? "—"}`, "#f2a541"),
      ],
      layout: {
        barmode: "group", height: 380, margin: { l: 70, r: 10, t: 40, b: 40 },
        title: { text: "Recommended site's annual landed cost by component" },
        legend: { orientation: "h", y: -0.15 },
      },
    };
    await kopru.plot(document.getElementById("compare-chart"), fig);
    document.getElementById("comparison").scrollIntoView({ behavior: "smooth" });
  });
})();
