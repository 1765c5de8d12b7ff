// Shared helpers of the kopru pages: API calls (with the optional bearer token), formatting, plots.
"use strict";

const kopru = (() => {
  const TOKEN_KEY = "kopru-token";

  function token() {
    return sessionStorage.getItem(TOKEN_KEY) || "";
  }

  function toast(message, kind = "error") {
    const el = document.getElementById("toast");
    el.textContent = message;
    el.className = `toast ${kind}`;
    el.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { el.hidden = true; }, 6000);
  }

  // fetch() on our own API; a 401 asks for the token instead of failing silently
  async function api(path, options = {}) {
    const headers = new Headers(options.headers || {});
    if (token()) headers.set("Authorization", `Bearer ${token()}`);
    let response;
    try {
      response = await fetch(path, { ...options, headers });
    } catch (_) {  // the browser's own words ("Failed to fetch") name no cause a reader can act on
      const error = new Error("the kopru server did not answer: is it still running (kopru serve), and is this machine online?");
      error.status = 0;
      throw error;
    }
    if (response.status === 401) {
      toast("This server needs an access token: enter it at the top right.");
      const box = document.getElementById("token");
      if (box) box.focus();
    }
    return response;
  }

  async function json(path, options = {}) {
    const response = await api(path, options);
    let body = null;
    try { body = await response.json(); } catch (_) { body = null; }
    if (!response.ok) {
      const error = new Error(describe(body) || `${response.status} ${response.statusText}`);
      error.status = response.status;
      error.body = body;
      throw error;
    }
    return body;
  }

  function describe(body) {
    if (!body) return "";
    if (typeof body.detail === "string") return body.detail;
    if (Array.isArray(body.detail)) return body.detail.map((d) => (d.field ? `${d.field}: ${d.msg}` : d.msg)).join("; ");
    return body.message || "";
  }

  // downloads go through fetch so that the token header is sent; the file is saved from a blob
  // (options: a POST's method, headers and body, as fetch takes them)
  async function download(path, filename, options = {}) {
    const response = await api(path, options);
    if (!response.ok) { toast(`download failed: ${describe(await response.json().catch(() => null)) || response.status}`); return; }
    const url = URL.createObjectURL(await response.blob());
    const a = document.createElement("a");
    a.href = url;
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  // an API page (a pitch sheet) in a tab of its own: a plain link when no token is set; with one, the
  // tab is opened at once (a popup opened after an await is blocked) and given the page fetched with
  // the token's header (a link sends none: a server run with KOPRU_TOKEN answered 401)
  async function openPage(path, event) {
    if (!token()) return;
    event.preventDefault();
    const tab = window.open("", "_blank");
    const response = await api(path);
    if (!response.ok) {
      if (tab) tab.close();
      toast(`could not open the page: ${describe(await response.json().catch(() => null)) || response.status}`);
      return;
    }
    const url = URL.createObjectURL(new Blob([await response.text()], { type: "text/html" }));
    if (tab) tab.location.href = url; else window.location.href = url;
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  // a name as a person may type it: any case, accents and dots left out ('İzmir', 'Izmir', 'izmir'),
  // as kopru.display.fold reads names on the server
  function fold(text) {
    return String(text ?? "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/ı/g, "i").toLowerCase().trim();
  }

  function esc(value) {
    return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  function money(value, digits = 0) {
    if (value === null || value === undefined) return "—";
    return Number(value).toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  const { NARROW, fitTitles, fitMap, forPhone, fitDrawn } = kopruFigures;

  const PHONE_CONFIG = {
    // the tools a phone can use; the rest crowd the chart's top edge
    modeBarButtonsToRemove: ["select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d", "toggleSpikelines",
      "hoverClosestCartesian", "hoverCompareCartesian", "hoverClosestGeo"],
  };

  function plot(element, figure, extra = {}) {
    element.innerHTML = "";
    // data-drawn: set once plotly has drawn everything, the fetched base map included (tests wait on it)
    delete element.dataset.drawn;
    element.kopruFigure = { figure, extra };
    return draw(element, figure.data, { ...figure.layout, autosize: true, ...extra }, true);
  }

  function draw(element, data, layout, fresh) {
    const width = element.clientWidth;
    const narrow = Boolean(width) && width < NARROW;
    element.kopruNarrow = narrow;
    let restore = [];
    let fix = null;
    if (narrow) ({ data, layout, restore, fix } = forPhone(data, layout, width));
    else if (width && width < 700) layout = fitTitles(layout, width);
    element.kopruRestore = restore;
    if (width) layout = fitMap(layout, width);
    // topojsonURL: the geo maps' base map is served by the app (kopru.basemap), never by plotly's CDN
    const config = { displaylogo: false, responsive: true, topojsonURL: "/basemap/", ...(narrow ? PHONE_CONFIG : {}) };
    const drawn = fresh ? Plotly.newPlot(element, data, layout, config) : Plotly.react(element, data, layout, config);
    return drawn.then((gd) => (narrow ? fitDrawn(gd, fix) : null)).then(() => {
      nameFigure(element, layout);
      element.dataset.drawn = "1";
      return element;
    });
  }

  // A figure for a screen reader: one named figure, not plotly's svg layers read out as piles of
  // tick labels (the mode bar's buttons stay reachable; the numbers are in the page's tables).
  function nameFigure(element, layout) {
    const title = layout.title && (layout.title.text || layout.title);
    const text = typeof title === "string" ? title.replace(/<br>/g, " ").replace(/<[^>]+>/g, "") : "";
    element.setAttribute("role", "figure");
    element.setAttribute("aria-label", text || element.getAttribute("aria-label") || element.id.replace(/-/g, " "));
    element.querySelectorAll(".main-svg").forEach((svg) => svg.setAttribute("aria-hidden", "true"));
  }

  // A table in a scrolling box: reachable from the keyboard and named by its heading (axe's
  // scrollable-region-focusable), whether the page drew it at load or after a run.
  function nameScrollRegions(root) {
    root.querySelectorAll(".table-wrap.scroll:not([tabindex])").forEach((box) => {
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      let heading = null;
      for (let el = box; el && !heading; el = el.parentElement) {
        for (let sib = el.previousElementSibling; sib && !heading; sib = sib.previousElementSibling) {
          if (/^H[1-6]$/.test(sib.tagName)) heading = sib;
        }
      }
      const table = box.querySelector("table");
      const name = (heading && heading.textContent.trim()) || (table && table.id.replace(/-/g, " ")) || "table";
      box.setAttribute("aria-label", `${name} (scrolls)`);
    });
  }
  nameScrollRegions(document);
  new MutationObserver(() => nameScrollRegions(document)).observe(document.querySelector("main") || document.body, {
    childList: true, subtree: true,
  });

  // After a run: focus the result's heading (the run button was disabled under the keyboard's
  // focus, which fell to the page) without scrolling; the page scrolls where it wants.
  function focusResult(section) {
    const heading = section && section.querySelector("h2, h3");
    if (!heading) return;
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }

  // A phone turned sideways, or a window narrowed past NARROW: the figures are laid out again. The
  // data come from the drawn figure (a page may have restyled it: the Sites page's ring), with the
  // names and colour bars the phone layout changed put back.
  let resizing = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => {
      for (const el of document.querySelectorAll(".js-plotly-plot")) {
        if (!el.kopruFigure || !el.clientWidth || (el.clientWidth < NARROW) === el.kopruNarrow) continue;
        const data = el.data.map((t, i) => ({ ...t, ...(el.kopruRestore[i] || {}) }));
        const { figure, extra } = el.kopruFigure;
        draw(el, data, { ...figure.layout, autosize: true, ...extra }, false);
      }
    }, 250);
  });

  const form = document.getElementById("token-form");
  if (form) {
    document.getElementById("token").value = token();
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, document.getElementById("token").value.trim());
      toast("token saved for this tab; reloading", "ok");
      setTimeout(() => location.reload(), 400);
    });
  }

  return { api, json, download, openPage, fold, esc, money, plot, toast, describe, focusResult };
})();
