/**
 * The page's only script of its own: draws each check's chart with the inlined uPlot from the
 * embedded JSON (`#report-data`). Plain ES2019 in a string, so it runs from file:// in any
 * current browser with no build step; the e2e test runs it in Chromium. It reads data only
 * through textContent and writes text only through textContent: run data never becomes markup.
 */
export const CLIENT_SCRIPT = `(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var COLORS = { p: '#1a7f37', f: '#cf222e', i: '#bf8700', e: '#8250df' };
  var NAMES = { p: 'pass', f: 'fail', i: 'inconclusive', e: 'error' };
  var charts = [];
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function clock(sec) { var d = new Date(sec * 1000); return pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ':' + pad(d.getUTCSeconds()) + '.' + String(d.getUTCMilliseconds()).padStart(3, '0'); }
  // The x axis is time since the run started, as the log's [mm:ss] prefixes count it: +01:21, or +21.5s
  // when the chart spans seconds. (Clock times are in the readout and the timeline.)
  function elapsed(s, span) {
    var t = Math.max(0, s), h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), sec = Math.floor((t % 60) * 10) / 10;
    if (span < 10 && t < 60) return '+' + sec.toFixed(1) + 's';
    var ss = span < 10 ? (sec < 10 ? '0' : '') + sec.toFixed(1) : pad(Math.floor(sec));
    return '+' + (h > 0 ? h + ':' + pad(m) : pad(m)) + ':' + ss;
  }
  var STEPS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
  function num(v) { return v === null || v === undefined ? '—' : (Math.abs(v) >= 1e6 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : String(+v.toPrecision(4))); }
  function range(check) {
    var lo = Infinity, hi = -Infinity;
    check.v.forEach(function (v) { if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); } });
    (check.lines || []).forEach(function (v) { lo = Math.min(lo, v); hi = Math.max(hi, v); });
    if (check.cmp) ['b', 'lo', 'hi', 'allowed'].forEach(function (k) { check.cmp[k].forEach(function (v) { if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }); });
    if (lo === Infinity) { lo = 0; hi = 1; }
    if (lo > 0 && lo < hi * 0.5) lo = 0;
    var padding = (hi - lo) * 0.12 || Math.abs(hi) * 0.12 || 1;
    return [lo === 0 ? 0 : lo - padding, hi + padding * 1.6];
  }
  function draw(check, index, width) {
    var el = document.getElementById('chart-' + index);
    var readout = document.getElementById('readout-' + index);
    var xs = check.t.map(function (ms) { return ms / 1000; });
    var outcome = function (code) { return check.v.map(function (v, i) { return check.o[i] === code ? v : null; }); };
    // Pass points only while they fit apart: dense passes are the grey line and the green strip.
    var sparse = xs.length * 5 < width;
    // A comparison: the canary's line is blue, the baseline's grey (its own series, drawn after the dots' list).
    var series = [{}, { label: check.cmp ? 'canary' : check.label, stroke: check.cmp ? '#0969da' : '#8c959f', width: check.cmp ? 2 : 1.25, points: { show: false } }];
    ['p', 'f', 'i', 'e'].forEach(function (code) {
      var show = code !== 'p' || sparse;
      series.push({ label: NAMES[code], stroke: COLORS[code], fill: COLORS[code], width: 0, paths: function () { return null; },
        points: { show: show, size: sparse ? (code === 'p' ? 6 : 8) : 5, stroke: COLORS[code], fill: COLORS[code], width: 1 } });
    });
    var columns = [xs, check.v].concat(['p', 'f', 'i', 'e'].map(outcome));
    if (check.cmp) {
      series.push({ label: 'baseline', stroke: '#6e7781', width: 2, points: { show: sparse, size: 4, stroke: '#6e7781', fill: '#6e7781' } });
      series.push({ label: 'allowed', stroke: '#1a7f37', width: 1.5, dash: [6, 4], points: { show: false } });
      columns.push(check.cmp.b, check.cmp.allowed);
    }
    var yr = range(check);
    var failX = check.failAt === null ? null : check.failAt / 1000;
    var xMin = xs.length ? xs[0] : 0, xMax = xs.length ? xs[xs.length - 1] : (data.end - data.start) / 1000;
    if (failX !== null) xMax = Math.max(xMax, failX);
    var xPad = Math.max((xMax - xMin) * 0.03, check.interval / 2000, 0.05);
    var opts = {
      width: width, height: 230,
      scales: { x: { time: false, range: function () { return [xMin - xPad, xMax + xPad]; } }, y: { range: function () { return yr; } } },
      axes: [{ label: 'time since the run started', labelSize: 20, stroke: '#656d76', grid: { stroke: '#eaeef2' }, space: 80, incrs: STEPS,
        values: function (u, splits) { var ticks = splits.map(function (s) { return elapsed(s, xMax - xMin); }); el.setAttribute('data-x-ticks', ticks.join(' ')); return ticks; } }, { label: check.label + (check.unit && check.label.indexOf('(' + check.unit + ')') === -1 ? ' (' + check.unit + ')' : ''), stroke: '#656d76', grid: { stroke: '#eaeef2' }, size: 56,
        values: function (u, vals) { return vals.map(num); } }],
      legend: { show: false },
      cursor: { points: { size: 9 }, drag: { x: false, y: false } },
      series: series,
      hooks: {
        drawClear: [function (u) { band(u, check); interval(u, check); failure(u, failX, check); }],
        // The labels' boxes, for a test to check that none covers another (canvas text is not in the DOM).
        draw: [function (u) { lines(u, check); strip(u, check); failureLabel(u); el.setAttribute('data-labels', JSON.stringify(u._labels)); }],
        setCursor: [function (u) {
          var i = u.cursor.idx;
          if (i === null || i === undefined) return;
          var note = check.notes[i];
          readout.textContent = clock(data.start / 1000 + xs[i]) + ' UTC (' + elapsed(xs[i], 0) + ') · ' + NAMES[check.o[i]] + ' · ' + (note !== undefined ? note : num(check.v[i]) + ' ' + check.unit);
        }]
      }
    };
    var u = new uPlot(opts, columns, el);
    charts.push({ u: u, el: el });
    el.setAttribute('data-rendered-points', String(xs.length));
  }
  function band(u, check) {
    shade(u, check.bad, 'rgba(207,34,46,0.10)');
    shade(u, check.unsure, 'rgba(191,135,0,0.12)');
  }
  // The shift's interval, look by look, on the canary's scale: a ribbon around the baseline's line.
  function interval(u, check) {
    if (!check.cmp) return;
    var ctx = u.ctx, top = [], bottom = [];
    check.t.forEach(function (t, i) {
      var lo = check.cmp.lo[i], hi = check.cmp.hi[i];
      if (lo === null || hi === null) return;
      var x = u.valToPos(t / 1000, 'x', true);
      top.push([x, u.valToPos(hi, 'y', true)]); bottom.unshift([x, u.valToPos(lo, 'y', true)]);
    });
    if (!top.length) return;
    u.root.setAttribute('data-interval-looks', String(top.length));
    // A single look is a ribbon as wide as a measurement interval.
    if (top.length === 1) { var w = 6 * (window.devicePixelRatio || 1); top = [[top[0][0] - w, top[0][1]], [top[0][0] + w, top[0][1]]]; bottom = [[bottom[0][0] + w, bottom[0][1]], [bottom[0][0] - w, bottom[0][1]]]; }
    ctx.save(); ctx.fillStyle = 'rgba(9,105,218,0.16)'; ctx.beginPath();
    top.concat(bottom).forEach(function (p, i) { if (i === 0) ctx.moveTo(p[0], p[1]); else ctx.lineTo(p[0], p[1]); });
    ctx.closePath(); ctx.fill(); ctx.restore();
  }
  function shade(u, ranges, color) {
    var ctx = u.ctx, b = u.bbox;
    (ranges || []).forEach(function (r) {
      var top = r[1] === null ? b.top : Math.max(b.top, u.valToPos(r[1], 'y', true));
      var bottom = r[0] === null ? b.top + b.height : Math.min(b.top + b.height, u.valToPos(r[0], 'y', true));
      if (bottom <= top) return;
      ctx.save(); ctx.fillStyle = color; ctx.fillRect(b.left, top, b.width, bottom - top); ctx.restore();
    });
  }
  // Threshold labels sit above their line at the right, unless the "stage failed" label is there:
  // then at the left, else below the line. Never one label over another.
  function lines(u, check) {
    var ctx = u.ctx, b = u.bbox, dpr = window.devicePixelRatio || 1;
    (check.lines || []).forEach(function (v) {
      var y = Math.round(u.valToPos(v, 'y', true));
      if (y < b.top || y > b.top + b.height) return;
      ctx.save(); ctx.strokeStyle = '#cf222e'; ctx.lineWidth = 1.5 * dpr; ctx.setLineDash([6 * dpr, 4 * dpr]);
      ctx.beginPath(); ctx.moveTo(b.left, y); ctx.lineTo(b.left + b.width, y); ctx.stroke();
      ctx.setLineDash([]); ctx.fillStyle = '#cf222e'; ctx.font = (11 * dpr) + 'px system-ui, sans-serif';
      var text = 'threshold ' + num(v), w = ctx.measureText(text).width, pad = 4 * dpr, h = 11 * dpr;
      var places = [[b.left + b.width - pad - w, y - pad], [b.left + pad, y - pad], [b.left + b.width - pad - w, y + pad + h], [b.left + pad, y + pad + h]];
      var place = places.filter(function (p) { return !overlaps(u._failLabel, { x: p[0], y: p[1] - h, w: w, h: h }); })[0] || places[0];
      ctx.textAlign = 'left'; ctx.fillText(text, place[0], place[1]); ctx.restore();
      u._labels.push({ x: place[0], y: place[1] - h, w: w, h: h });
    });
  }
  function overlaps(a, b) {
    return !!a && a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  }
  // Every measurement's outcome as a tick along the top: errors with no value show here too.
  function strip(u, check) {
    var ctx = u.ctx, b = u.bbox, dpr = window.devicePixelRatio || 1, h = 6 * dpr;
    var w = Math.max(2 * dpr, Math.min(8 * dpr, b.width / Math.max(1, check.t.length) - dpr));
    ctx.save();
    for (var i = 0; i < check.t.length; i++) {
      var x = u.valToPos(check.t[i] / 1000, 'x', true);
      ctx.fillStyle = COLORS[check.o[i]];
      ctx.fillRect(x - w / 2, b.top + 2 * dpr, w, h);
    }
    ctx.restore();
  }
  // The failing moment: its line behind the data; its label (placed here, drawn last by failureLabel)
  // where no threshold line runs through it, on a backing so nothing drawn later strikes it out.
  function failure(u, x, check) {
    u._failLabel = null;
    u._labels = [];
    if (x === null) return;
    var ctx = u.ctx, b = u.bbox, dpr = window.devicePixelRatio || 1, px = u.valToPos(x, 'x', true);
    ctx.save(); ctx.strokeStyle = '#cf222e'; ctx.lineWidth = 2 * dpr;
    ctx.beginPath(); ctx.moveTo(px, b.top); ctx.lineTo(px, b.top + b.height); ctx.stroke();
    ctx.font = 'bold ' + (11 * dpr) + 'px system-ui, sans-serif';
    var text = ' ' + check.failLabel + ' ', w = ctx.measureText(text).width, h = 14 * dpr, right = px > b.left + b.width * 0.7;
    ctx.restore();
    var ys = (check.lines || []).map(function (v) { return u.valToPos(v, 'y', true); });
    var tops = [b.top + 12 * dpr, b.top + 30 * dpr, b.top + b.height / 2, b.top + b.height - h - 4 * dpr];
    var top = tops.filter(function (t) { return ys.every(function (y) { return y < t - 2 * dpr || y > t + h + 2 * dpr; }); })[0];
    u._failLabel = { x: right ? px - w : px, y: top === undefined ? tops[0] : top, w: w, h: h, text: text };
    u._labels.push(u._failLabel);
  }
  function failureLabel(u) {
    var l = u._failLabel;
    if (!l) return;
    var ctx = u.ctx, dpr = window.devicePixelRatio || 1;
    ctx.save(); ctx.fillStyle = 'rgba(255,255,255,0.85)'; ctx.fillRect(l.x, l.y, l.w, l.h);
    ctx.fillStyle = '#cf222e'; ctx.font = 'bold ' + (11 * dpr) + 'px system-ui, sans-serif'; ctx.textAlign = 'left'; ctx.textBaseline = 'middle';
    ctx.fillText(l.text, l.x, l.y + l.h / 2); ctx.restore();
  }
  // Every width is read before any chart is added: one layout, not one per chart.
  var widths = data.checks.map(function (check, index) { return Math.max(300, document.getElementById('chart-' + index).clientWidth); });
  data.checks.forEach(function (check, index) { draw(check, index, widths[index]); });
  var timer = null;
  window.addEventListener('resize', function () {
    clearTimeout(timer);
    timer = setTimeout(function () { charts.forEach(function (c) { c.u.setSize({ width: Math.max(300, c.el.clientWidth), height: 230 }); }); }, 100);
  });
  // uPlot draws in a microtask after each chart is made: a timer runs once they all have.
  setTimeout(function () {
    // Milliseconds from navigation start to every chart drawn: what bench/report.js reports.
    document.documentElement.setAttribute('data-rendered-ms', String(Math.round(performance.now())));
    document.documentElement.setAttribute('data-charts', String(charts.length));
  }, 0);
})();
`;
