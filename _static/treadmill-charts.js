/* Draws the book's charts so that each fits its column, offline (vegaEmbed from vega-bundle.js).
 *
 * A figure's HTML (analysis/book/charts.py) calls window.treadmillChart(id) with its Vega-Lite
 * spec beside it. The spec is drawn as written; if the drawing is wider than the column, the
 * chart's plotting width is narrowed and it is drawn again (its text keeps its size, and
 * Vega-Lite gives a narrower axis fewer ticks). In a narrow column (a phone) long labels of
 * category axes, facet headers and legends wrap onto several lines (bands grow to hold them)
 * and long titles wrap, instead of being cut with "…" or pushing the chart off the page.
 * Only if it still cannot fit does the chart scroll sideways, in a box that says so.
 */
(function () {
  "use strict";
  var NARROW = 600; // columns narrower than this (px) get wrapped labels and titles
  var CHAR = 6.8; // average width (px) of a character of a 12 px sans-serif label
  var LINE = 15; // height (px) of one line of such a label
  var ATTEMPTS = 8;
  var MIN_TEXT = 10; // px: a chart is never scaled down so far that its text is smaller than this

  function copy(value) {
    return JSON.parse(JSON.stringify(value));
  }

  // A Vega expression that breaks `text` into lines of at most `chars` characters, at spaces.
  function wrapExpr(chars, text) {
    return (
      "split(trim(replace(" + (text || "datum.label") + ", regexp('(.{1," + chars + "})(\\\\s+|$)', 'g'), '$1\\n')), '\\n')"
    );
  }

  function wrapText(text, chars) {
    var lines = [];
    String(text).split(/\s+/).forEach(function (word) {
      var last = lines.length - 1;
      if (last >= 0 && (lines[last] + " " + word).length <= chars) lines[last] += " " + word;
      else lines.push(word);
    });
    return lines;
  }

  function linesOf(text, chars) {
    return wrapText(text, chars).length;
  }

  // Every view-like object of the spec (top level, facet spec, layers, concatenations).
  function views(node, visit) {
    if (!node || typeof node !== "object") return;
    visit(node);
    ["layer", "hconcat", "vconcat", "concat"].forEach(function (key) {
      (node[key] || []).forEach(function (child) { views(child, visit); });
    });
    if (node.spec) views(node.spec, visit);
  }

  // The string values of one field in every inline dataset of the spec.
  function values(spec, field) {
    var found = [];
    function take(rows) {
      (rows || []).forEach(function (row) {
        if (row && row[field] !== undefined && row[field] !== null) found.push(String(row[field]));
      });
    }
    Object.keys(spec.datasets || {}).forEach(function (name) { take(spec.datasets[name]); });
    views(spec, function (view) { if (view.data && view.data.values) take(view.data.values); });
    return found;
  }

  function wrapTitle(title, chars) {
    if (typeof title === "string") return title.length > chars ? wrapText(title, chars) : title;
    if (title && typeof title === "object") {
      if (typeof title.text === "string" && title.text.length > chars) title.text = wrapText(title.text, chars);
      if (typeof title.subtitle === "string" && title.subtitle.length > chars * 1.2) {
        title.subtitle = wrapText(title.subtitle, Math.floor(chars * 1.2));
      }
    }
    return title;
  }

  // Labels that wrap, for a column `column` px wide; returns the spec, changed.
  function forNarrow(spec, column) {
    var chars = Math.max(12, Math.floor((column * 0.42) / CHAR));
    var bandLines = 1;
    var maxBands = 0;
    views(spec, function (view) {
      var encoding = view.encoding || {};
      Object.keys(encoding).forEach(function (channel) {
        var enc = encoding[channel];
        var titleChars = Math.floor((column * 0.9) / 7.6);
        if (enc && typeof enc.title === "string" && enc.title.length > titleChars) {
          enc.title = wrapText(enc.title, titleChars);
          // A title set level above the labels grows upwards, not into them.
          if (enc.axis && typeof enc.axis.titleY === "number") enc.axis.titleY -= LINE * (enc.title.length - 1);
        }
        if (!enc || !enc.field || (enc.type !== "nominal" && enc.type !== "ordinal")) return;
        var guide = channel === "x" || channel === "y" ? "axis" : "legend";
        if (enc[guide] === null) return;
        var own = (enc[guide] = enc[guide] || {});
        var width = guide === "legend" ? Math.floor((column * 0.6) / CHAR) : chars;
        if (guide === "legend" && !own.orient) own.orient = "bottom";
        if (guide === "legend" && own.orient === "right") own.orient = "bottom";
        if (guide === "legend" && own.columns === undefined) own.columns = 1;
        if (typeof own.title === "string" && own.title.length > chars * 1.6) own.title = wrapText(own.title, chars * 2);
        if (channel === "x") {
          // Categories side by side: a phone has no room for them level, so they stand upright.
          own.labelAngle = -90;
          own.labelAlign = "right";
          own.labelBaseline = "middle";
          own.labelLimit = Math.max(own.labelLimit || 0, 220);
          return;
        }
        if (!own.labelExpr) {
          own.labelExpr = wrapExpr(width);
          own.labelLimit = Math.ceil(width * CHAR) + 10;
        }
        if (channel === "y") {
          var labels = values(spec, enc.field);
          var lines = 1;
          labels.forEach(function (label) { lines = Math.max(lines, linesOf(label, width)); });
          bandLines = Math.max(bandLines, lines);
          // A fixed height shared by the bands: tall enough for their wrapped labels.
          var bands = labels.filter(function (v, i) { return labels.indexOf(v) === i; }).length;
          maxBands = Math.max(maxBands, bands);
        }
      });
      var mark = typeof view.mark === "string" ? view.mark : (view.mark || {}).type;
      var text = encoding.text;
      if (mark === "text" && text && text.field && typeof text.field === "string") {
        var longest = Math.max.apply(null, [0].concat(values(spec, text.field).map(function (v) { return v.length; })));
        var markChars = Math.max(12, Math.floor((column * 0.3) / CHAR));
        var ownY = encoding.y || (spec.encoding || {}).y;
        if (ownY && (ownY.type === "nominal" || ownY.type === "ordinal")) {
          values(spec, text.field).forEach(function (label) { bandLines = Math.max(bandLines, linesOf(label, markChars)); });
        }
        if (longest > markChars || longest === 0) {
          var wrapped = text.field + "__lines";
          view.transform = (view.transform || []).concat([
            { calculate: wrapExpr(markChars, "datum[" + JSON.stringify(text.field) + "]"), as: wrapped },
          ]);
          text.field = wrapped;
        }
      }
      if (view.facet) {
        ["row", "column"].forEach(function (key) {
          var facet = view.facet[key];
          if (!facet || !facet.field) return;
          var header = (facet.header = facet.header || {});
          var width = Math.floor((column * (key === "row" ? 0.5 : 0.3)) / (CHAR + 0.6));
          header.labelExpr = wrapExpr(width);
          header.labelLimit = Math.ceil(width * (CHAR + 0.6)) + 10;
        });
      }
      if (view.title) view.title = wrapTitle(view.title, Math.floor(column / 9));
    });
    var need = bandLines * LINE + 6;
    var sized = false;
    views(spec, function (view) { if (view.height !== undefined) sized = true; });
    if (!sized && maxBands > 0) (spec.spec || spec).height = { step: need };
    views(spec, function (view) {
      if (view.height && typeof view.height === "object" && view.height.step < need) view.height.step = need;
      if (typeof view.height === "number") view.height = Math.max(view.height, maxBands * need);
    });
    return spec;
  }

  // The same spec with every plotting width multiplied by `ratio`.
  function narrowed(spec, ratio, inner) {
    var scaled = copy(spec);
    var found = false;
    views(scaled, function (view) {
      if (typeof view.width === "number") {
        view.width = Math.max(40, Math.floor(view.width * ratio));
        found = true;
      } else if (view.width && typeof view.width === "object" && view.width.step) {
        view.width.step = Math.max(12, view.width.step * ratio);
        found = true;
      }
    });
    if (!found) (scaled.spec || scaled).width = Math.max(40, Math.floor(inner * ratio));
    return scaled;
  }

  function plottingWidth(view) {
    var names = ["width", "child_width", "concat_0_width", "concat_0_child_width"];
    for (var i = 0; i < names.length; i++) {
      try {
        var value = view.signal(names[i]);
        if (typeof value === "number" && value > 0) return value;
      } catch (err) {
        /* no such signal in this kind of view */
      }
    }
    return 0;
  }

  function drawChart(id) {
    var el = document.getElementById(id);
    var spec = JSON.parse(document.getElementById(id + "-spec").textContent);
    var target = document.getElementById(id + "-view");
    var box = el.closest(".treadmill-chart-scroll") || el.parentNode;
    if (typeof window.vegaEmbed !== "function") {
      el.textContent = "Interactive chart unavailable: the book's local Vega bundle is not loaded.";
      return;
    }
    var column = box.clientWidth;
    if (column > 0 && column < NARROW) spec = forNarrow(copy(spec), column);

    function draw(current, attempt) {
      return window.vegaEmbed(target, current, { renderer: "svg", actions: false }).then(function (result) {
        var svg = target.querySelector("svg");
        var room = box.clientWidth;
        var wide = svg ? svg.getBoundingClientRect().width : 0;
        var inner = plottingWidth(result.view);
        if (!room || wide <= room + 1 || attempt >= ATTEMPTS || !inner) return result;
        var ratio = Math.max(0.2, (inner - (wide - room) - 4 - 2 * attempt) / inner);
        result.finalize();
        return draw(narrowed(current, ratio, inner), attempt + 1);
      });
    }

    draw(spec, 0)
      .then(function () {
        // A few pixels too wide after narrowing: scale it down a little (its text stays readable).
        var svg = target.querySelector("svg");
        var wide = svg ? svg.getBoundingClientRect().width : 0;
        var smallest = Infinity;
        if (svg) {
          Array.prototype.forEach.call(svg.querySelectorAll("text"), function (t) {
            if (t.textContent.trim()) smallest = Math.min(smallest, parseFloat(getComputedStyle(t).fontSize));
          });
        }
        if (svg && wide > box.clientWidth && (smallest * box.clientWidth) / wide >= MIN_TEXT) {
          svg.style.maxWidth = "100%";
          svg.style.height = "auto";
          el.style.width = "auto";
        }
        var scrolls = box.scrollWidth > box.clientWidth + 1;
        box.classList.toggle("treadmill-scrolls", scrolls);
        el.setAttribute("data-fitted", "true");
      })
      .catch(function (err) {
        el.textContent = "This chart failed to draw.";
        console.error(err);
      });
  }

  /* Loading: the text never waits for Vega. A figure's inline call only registers its chart;
   * the Vega bundle (vega-bundle.js, beside this script) is fetched the first time a chart comes
   * near the viewport, and each chart is drawn when it scrolls into view. Every chart still
   * waiting is drawn before printing (beforeprint, and the PDF build, which calls
   * window.treadmillDrawAll() as the browser tests do). Pages without a chart never fetch Vega.
   */
  var BUNDLE = (function () {
    var me = document.currentScript && document.currentScript.src;
    return me ? me.replace(/treadmill-charts\.js(\?.*)?$/, "vega-bundle.js") : "_static/vega-bundle.js";
  })();
  var waiting = {}; // id -> true while a registered chart is not yet drawn
  var bundle = null; // Promise of the loaded bundle
  var observer = null;

  function loadBundle() {
    if (typeof window.vegaEmbed === "function") return Promise.resolve();
    if (!bundle) {
      bundle = new Promise(function (resolve) {
        var script = document.createElement("script");
        script.src = BUNDLE;
        script.async = true;
        script.onload = resolve;
        script.onerror = resolve; // drawChart then says the bundle is not loaded
        document.head.appendChild(script);
      });
    }
    return bundle;
  }

  function draw(id) {
    if (!waiting[id]) return Promise.resolve();
    delete waiting[id];
    var el = document.getElementById(id);
    if (observer && el) observer.unobserve(el);
    return loadBundle().then(function () { drawChart(id); });
  }

  window.treadmillDrawAll = function () {
    return Promise.all(Object.keys(waiting).map(draw));
  };

  window.treadmillChart = function (id) {
    var el = document.getElementById(id);
    if (!el) return;
    waiting[id] = true;
    if (!("IntersectionObserver" in window)) {
      draw(id);
      return;
    }
    if (!observer) {
      observer = new IntersectionObserver(
        function (entries) {
          entries.forEach(function (entry) { if (entry.isIntersecting) draw(entry.target.id); });
        },
        { rootMargin: "300px 0px" }
      );
    }
    observer.observe(el);
  };

  window.addEventListener("beforeprint", function () { window.treadmillDrawAll(); });
  if (window.matchMedia) {
    var print = window.matchMedia("print");
    var onPrint = function (event) { if (event.matches) window.treadmillDrawAll(); };
    if (print.addEventListener) print.addEventListener("change", onPrint);
  }
})();
