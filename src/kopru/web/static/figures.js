// How a plotly figure is laid out on a narrow screen (a phone): wrapped titles and names, the legend
// under the plot, a map's colour bar flat under it. Shared by the kopru pages (kopru.js draws every
// figure with it) and the HTML reports kopru writes (inlined in each file by
// kopru.report.charts.narrow_screens_js, with report_figures.js applying it to their figures).
"use strict";

const kopruFigures = (() => {
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

  // -- figures on a phone ------------------------------------------------------------------------
  // Below NARROW px a figure keeps its content but is laid out for the width it gets: the title at
  // the top left under the mode bar, the legend under the plot with its long names wrapped, long
  // category labels of horizontal bars wrapped (so they do not eat the plot), side-by-side subplots
  // stacked, a map's colour bar laid flat under the map. Wider screens get the figure as it is.
  const NARROW = 600;
  const MODEBAR = 30; // px at the top of a figure where plotly shows its tools
  const AXIS = (ref, letter) => `${letter}axis${String(ref || letter).slice(1)}`; // "y2" -> "yaxis2"
  const stringy = (values) => Array.isArray(values) && values.length > 0 && values.every((v) => typeof v === "string");

  // At most `most` lines of about `chars` characters; what does not fit ends in "…" (the hover
  // still shows the whole name).
  function lines(text, chars, most = Infinity) {
    const all = wrap(text, chars);
    if (all.length <= most) return all.join("<br>");
    const kept = all.slice(0, most);
    kept[most - 1] = `${kept[most - 1].slice(0, chars - 1)}…`;
    return kept.join("<br>");
  }

  // The categories of each category axis (horizontal bars, violins: their y axis).
  function categoryAxes(data) {
    const axes = {};
    for (const t of data) {
      const letter = t.orientation === "h" ? "y" : "x";
      if (!["bar", "box", "violin", "histogram"].includes(t.type || "scatter")) continue;
      const values = t[letter] ?? ((t.type === "box" || t.type === "violin") && t.name ? [t.name] : null);
      if (!stringy(values)) continue;
      const key = AXIS(t[`${letter}axis`], letter);
      axes[key] = axes[key] || [];
      for (const v of values) if (!axes[key].includes(v)) axes[key].push(v);
    }
    return axes;
  }

  // Side-by-side subplots (xaxis, xaxis2 ... with their own domains) one under the other; their
  // titles (paper annotations over each) go over their new places, across the whole width.
  function stackSubplots(layout, width, fix) {
    const keys = Object.keys(layout).filter((k) => /^xaxis\d*$/.test(k) && Array.isArray((layout[k] || {}).domain));
    if (keys.length < 2) return layout;
    keys.sort((a, b) => layout[a].domain[0] - layout[b].domain[0]);
    const height = Math.round((layout.height || 450) * Math.min(2, 0.55 + 0.6 * keys.length));
    const margin = layout.margin || {};
    const gap = 75 / (height - (margin.t ?? 80) - (margin.b ?? 80)); // the axis above, the next title
    const slot = (1 - gap * (keys.length - 1)) / keys.length;
    const moved = [];
    keys.forEach((xk, i) => {
      const old = layout[xk].domain;
      const yk = AXIS(layout[xk].anchor, "y");
      const top = 1 - i * (slot + gap);
      moved.push({ old, top });
      layout[xk] = { ...layout[xk], domain: [0, 1] };
      if (layout[yk]) layout[yk] = { ...layout[yk], domain: [top - slot, top], showticklabels: true };
    });
    if (Array.isArray(layout.annotations)) {
      const chars = Math.max(24, Math.floor(width / 7.5));
      let extra = 0;
      layout.annotations = layout.annotations.map((a, i) => {
        const over = a.xref === "paper" && a.yref === "paper" && a.y >= 1 && moved.find((m) => a.x >= m.old[0] && a.x <= m.old[1]);
        if (!over) return a;
        const text = lines(String(a.text || "").replaceAll("<br>", " "), chars);
        if (over.top >= 1) extra = 15 * (text.split("<br>").length - 1);
        fix.notes.push(i);
        return { ...a, text, font: { ...(a.font || {}), size: 13 }, x: 0, xanchor: "left", align: "left", y: over.top, yanchor: "bottom" };
      });
      layout.margin = { ...margin, t: Math.max(margin.t ?? 0, MODEBAR + 20) + extra };
    }
    layout.height = height;
    return layout;
  }

  // The figure's data and layout for a phone; `restore`: the traces' values changed here, to put
  // back when the figure is laid out again for a wider screen; `fix`: what the drawn figure fits.
  function forPhone(data, layout, width) {
    const fix = { axes: {}, notes: [], title: false };
    layout = { ...layout };
    layout = stackSubplots(layout, width, fix);
    // room for the title, the plot and the legend under it: a short figure's margins (the legend's
    // pushed) left its plot no height, and plotly stopped ("something went wrong with axis scaling")
    if (!layout.geo) layout.height = Math.max(layout.height || 450, 400);
    if (!fix.notes.length) layout = fitTitles(layout, width);
    const margin = { ...(layout.margin || {}) };
    margin.l = Math.min(margin.l ?? 10, 10);
    margin.r = Math.min(margin.r ?? 10, 10);
    // the title in the top left corner, wrapped to the width, under the mode bar (which plotly
    // draws in the top right corner); fitDrawn measures it and fits the top margin to it
    const title = layout.title && (typeof layout.title === "string" ? { text: layout.title } : layout.title);
    if (title && title.text) {
      const size = Math.min((title.font || {}).size || 15, 15);
      const text = wrap(String(title.text).replaceAll("<br>", " "), Math.floor((width - 20) / (0.55 * size)));
      layout.title = {
        ...title, text: text.join("<br>"), font: { ...(title.font || {}), size }, automargin: false,
        xref: "container", x: 0, xanchor: "left", yref: "container", y: 1, yanchor: "top", pad: { l: 10, t: MODEBAR },
      };
      margin.t = MODEBAR + Math.ceil(1.3 * size * text.length) + 12;
      fix.title = true;
    }
    layout.margin = margin;
    // long category labels wrapped to about two fifths of the width, in two lines at most
    const chars = Math.max(14, Math.floor((0.4 * width) / 6.2));
    for (const [key, cats] of Object.entries(categoryAxes(data))) {
      if (!cats.some((c) => c.length > chars)) continue;
      const ticktext = cats.map((c) => lines(c, chars, 2));
      fix.axes[key] = { n: cats.length, lines: Math.max(...ticktext.map((t) => t.split("<br>").length)) };
      layout[key] = { ...(layout[key] || {}), tickmode: "array", tickvals: cats, ticktext, tickfont: { size: 11 }, automargin: true };
    }
    // the legend under everything, its entries wrapped to the width
    const named = Math.max(18, Math.floor((width - 60) / 6.6));
    const restore = [];
    const labelled = Boolean(layout.geo) && data.some((t) => t.meta === "keep-label");
    data = data.map((t, i) => {
      const out = { ...t };
      const keep = (key) => { restore[i] = { ...restore[i], [key]: t[key] }; };
      const ownCategory = ["box", "violin"].includes(t.type) && !t[t.orientation === "h" ? "y" : "x"];
      if (t.name && t.name.length > named && t.showlegend !== false && !ownCategory) {
        out.name = lines(t.name, named);
        keep("name");
      }
      if (layout.geo && String(t.mode || "").includes("text") && t.meta !== "keep-label") {
        if (labelled) { // a map that marks its one label to keep (a plan's recommended site): only that
          out.mode = String(t.mode).replace("+text", "").replace("text+", "");
          keep("mode");
        } else { // place names on a small map: smaller
          out.textfont = { ...(t.textfont || {}), size: Math.min((t.textfont || {}).size || 12, 9) };
          keep("textfont");
        }
      }
      // a map's colour bar lies flat under the map instead of taking a fifth of its width
      const bar = t.colorbar ? "colorbar" : t.marker && t.marker.colorbar ? "marker" : null;
      if (bar && layout.geo) {
        const cb = bar === "colorbar" ? t.colorbar : t.marker.colorbar;
        const flat = {
          ...cb, orientation: "h", x: 0.5, xanchor: "center", y: -0.02, yanchor: "top", len: 0.8, thickness: 12,
          title: { ...(typeof cb.title === "object" ? cb.title : { text: cb.title }), side: "top" },
        };
        out[bar] = bar === "colorbar" ? flat : { ...t.marker, colorbar: flat };
        keep(bar);
      }
      return out;
    });
    if (layout.showlegend !== false) {
      layout.legend = {
        ...(layout.legend || {}), orientation: "h", xref: "container", x: 0, xanchor: "left",
        yref: "container", y: 0, yanchor: "bottom", font: { ...((layout.legend || {}).font || {}), size: 12 },
      };
    }
    return { data, layout, restore, fix };
  }

  // After the first draw on a phone: the title measured and put under the mode bar (plotly places
  // a title of several lines higher than its anchor says), the plot under it; a map as wide as the
  // screen and as high as its aspect asks (a geo subplot keeps its projection's aspect, so a short
  // box makes a small map); wrapped category labels given the room they need (they would overlap
  // each other); stacked subplots' titles from the left edge of the figure, not of the plot.
  function fitDrawn(gd, fix) {
    const full = gd._fullLayout;
    if (!full || !full._size) return null;
    const size = full._size;
    const update = {};
    let top = size.t;
    const title = fix.title && gd.querySelector(".g-gtitle .gtitle");
    if (title) {
      const edge = gd.getBoundingClientRect().top;
      const box = title.getBoundingClientRect();
      const down = MODEBAR - (box.top - edge);
      top = Math.ceil(box.bottom - edge + down + 10);
      update["title.pad.t"] = full.title.pad.t + down;
      update["margin.t"] = top;
    }
    let plot = Math.max(size.h, 220); // the height the plot area should have: legends take room
    const geo = full.geo && gd.querySelector(".geolayer .bg");
    if (geo) {
      const box = geo.getBoundingClientRect();
      if (box.width && box.height) plot = (size.w * box.height) / box.width;
    }
    for (const [key, { n, lines: most }] of Object.entries(fix.axes)) {
      const span = full[key] && full[key].domain ? full[key].domain[1] - full[key].domain[0] : 1;
      plot = Math.max(plot, (n * (13 * most + 6)) / span); // a line of 11 px labels takes 13 px
    }
    const height = Math.round(full.height + (top - size.t) + (plot - size.h));
    if (Math.abs(height - full.height) > 4) update.height = height;
    for (const i of fix.notes) update[`annotations[${i}].x`] = -(size.l - 10) / size.w;
    return Object.keys(update).length ? Plotly.relayout(gd, update) : null;
  }

  // A geo map keeps its projection's aspect (about 2:1 for kopru's extent): its height fitted to the width.
  function fitMap(layout, width) {
    if (!layout.geo) return layout;
    return { ...layout, height: Math.min(layout.height || 640, Math.round(width * 0.52) + 110) };
  }

  return { NARROW, wrap, fitTitles, fitMap, forPhone, fitDrawn };
})();
