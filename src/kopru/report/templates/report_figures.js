/* The figures of a report kopru writes, on a narrow screen (a phone, a report opened from a mail):
   laid out by the kopru pages' own rules (kopruFigures, inlined before this), and given their own
   layout back when the screen is wide again (a phone turned sideways, a window widened). */
(function () {
  "use strict";

  var CONFIG = { displaylogo: false, responsive: true };  // as the report's figures were written with

  function copy(x) {
    return typeof structuredClone === "function" ? structuredClone(x) : JSON.parse(JSON.stringify(x));
  }

  // a whole new drawing (Plotly.newPlot) of copies of the figure as written: a colour bar turned flat
  // by Plotly.react or restyle left its upright self drawn beside it; the figure's drawing (a promise)
  function apply(div) {
    if (!div.data || !div.layout || !window.Plotly) return null;
    var width = div.clientWidth;
    var narrow = Boolean(width) && width < kopruFigures.NARROW;
    if (narrow === Boolean(div.kopruNarrow)) {
      // plotly's own handler fits the figure to a new width: waited for here (joined, not redone)
      var full = div._fullLayout;
      return full && width && Math.abs(full.width - width) > 1 ? Plotly.Plots.resize(div) : null;
    }
    if (!div.kopruOwn) div.kopruOwn = { data: copy(div.data), layout: copy(div.layout), height: div.style.height };
    var own = div.kopruOwn;
    div.kopruNarrow = narrow;
    if (!narrow) {
      div.style.height = own.height;
      return Plotly.newPlot(div, copy(own.data), copy(own.layout), CONFIG);
    }
    var phone = kopruFigures.forPhone(copy(own.data), kopruFigures.fitMap(copy(own.layout), width), width);
    // a figure plotly cannot lay out so is drawn as written: the reader keeps a figure to scroll
    var asWritten = function () {
      div.style.height = own.height;
      return Plotly.newPlot(div, copy(own.data), copy(own.layout), CONFIG);
    };
    var drawn;
    try {
      drawn = Plotly.newPlot(div, phone.data, phone.layout, CONFIG);
    } catch (error) {
      drawn = Promise.reject(error);
    }
    return drawn
      .then(function (gd) { return kopruFigures.fitDrawn(gd, phone.fix); })
      .then(function () { div.style.height = div._fullLayout.height + "px"; })  // plotly.py set its own
      .catch(asWritten);
  }

  // body's data-narrow-charts ("1" on a phone) and data-figures-drawn (a count) are said once every
  // figure is drawn for the window's width: what a script (a test) waits for, not a fixed time
  var rounds = 0;
  function all() {
    var narrow = window.innerWidth < kopruFigures.NARROW ? "1" : "0";
    var drawn = Array.prototype.map.call(document.querySelectorAll(".plotly-graph-div"), function (div) {
      return Promise.resolve(apply(div)).catch(function () { return null; });
    });
    Promise.all(drawn).then(function () {
      document.body.dataset.narrowCharts = narrow;
      document.body.dataset.figuresDrawn = String(++rounds);
    });
  }

  var timer = null;
  window.addEventListener("load", all);
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(all, 200);
  });
})();
