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
  async function download(path, filename) {
    const response = await api(path);
    if (!response.ok) { toast(`download failed: ${response.status}`); return; }
    const url = URL.createObjectURL(await response.blob());
    const a = document.createElement("a");
    a.href = url;
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  function esc(value) {
    return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  function money(value, digits = 0) {
    if (value === null || value === undefined) return "—";
    return Number(value).toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  // Break a long title into lines of about `chars` characters (plotly does not wrap titles).
  function wrap(text, chars) {
    const lines = [];
    for (const word of String(text).split(" ")) {
      const last = lines.length ? lines[lines.length - 1] : null;
      if (last !== null && (last + " " + word).length <= chars) lines[lines.length - 1] = `${last} ${word}`;
      else lines.push(word);
    }
    return lines;
  }

  // On a narrow screen the report's figures keep their content but wrap their titles and subplot
  // titles to the width they get, instead of running off the side.
  function fitTitles(layout, width) {
    const chars = Math.max(24, Math.floor(width / 8));
    const title = layout.title && (typeof layout.title === "string" ? layout.title : layout.title.text);
    if (title && title.length > chars && !title.includes("<br>")) {
      const lines = wrap(title, chars);
      layout.title = { ...(typeof layout.title === "object" ? layout.title : {}), text: lines.join("<br>"), font: { size: 14 } };
      layout.margin = { ...(layout.margin || {}), t: Math.max((layout.margin || {}).t ?? 0, 24 + 18 * lines.length) };
    }
    if (Array.isArray(layout.annotations)) {
      const each = Math.max(16, Math.floor(chars / Math.max(1, layout.annotations.filter((a) => a.xref === "paper").length)));
      let extra = 0;
      layout.annotations = layout.annotations.map((a) => {
        if (a.xref !== "paper" || !a.text || a.text.length <= each) return a;
        const lines = wrap(a.text, each);
        extra = Math.max(extra, 15 * (lines.length - 1));
        return { ...a, text: lines.join("<br>"), font: { ...(a.font || {}), size: 12 } };
      });
      if (extra) layout.margin = { ...(layout.margin || {}), t: ((layout.margin || {}).t ?? 40) + extra };
    }
    return layout;
  }

  function plot(element, figure, extra = {}) {
    element.innerHTML = "";
    // data-drawn: set once plotly has drawn everything, the fetched base map included (tests wait on it)
    delete element.dataset.drawn;
    let layout = { ...figure.layout, autosize: true, ...extra };
    const width = element.clientWidth;
    if (width && width < 700) layout = fitTitles(layout, width);
    // a geo map keeps its projection's aspect (about 2:1 for kopru's extent): fit the height to the width
    if (layout.geo && width) layout.height = Math.min(layout.height || 640, Math.round(width * 0.52) + 110);
    // topojsonURL: the geo maps' base map is served by the app (kopru.basemap), never by plotly's CDN
    return Plotly.newPlot(element, figure.data, layout, { displaylogo: false, responsive: true, topojsonURL: "/basemap/" }).then(
      (gd) => {
        element.dataset.drawn = "1";
        return gd;
      },
    );
  }

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

  return { api, json, download, esc, money, plot, toast, describe };
})();
