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
  // by Plotly.react or restyle left its upright self drawn beside it
  function apply(div) {
    if (!div.data || !div.layout || !window.Plotly) return;
    var width = div.clientWidth;
    var narrow = Boolean(width) && width < kopruFigures.NARROW;
    if (narrow === Boolean(div.kopruNarrow)) return;
    if (!div.kopruOwn) div.kopruOwn = { data: copy(div.data), layout: copy(div.layout), height: div.style.height };
    var own = div.kopruOwn;
    div.kopruNarrow = narrow;
    if (!narrow) {
      div.style.height = own.height;
      Plotly.newPlot(div, copy(own.data), copy(own.layout), CONFIG);
      return;
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
    drawn
      .then(function (gd) { return kopruFigures.fitDrawn(gd, phone.fix); })
      .then(function () { div.style.height = div._fullLayout.height + "px"; })  // plotly.py set its own
      .catch(asWritten);
  }

  function all() {
    document.querySelectorAll(".plotly-graph-div").forEach(apply);
    document.body.dataset.narrowCharts = window.innerWidth < kopruFigures.NARROW ? "1" : "0";
  }

  var timer = null;
  window.addEventListener("load", all);
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(all, 200);
  });
})();
