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
  function tick(sec, span) { var c = clock(sec); return span < 10 ? c.slice(6, 12) + 's' : span < 600 ? c.slice(0, 8) : c.slice(0, 5); }
  function num(v) { return v === null || v === undefined ? '—' : (Math.abs(v) >= 1e6 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : String(+v.toPrecision(4))); }
  function range(check) {
    var lo = Infinity, hi = -Infinity;
    check.v.forEach(function (v) { if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); } });
    (check.lines || []).forEach(function (v) { lo = Math.min(lo, v); hi = Math.max(hi, v); });
    if (lo === Infinity) { lo = 0; hi = 1; }
    if (lo > 0 && lo < hi * 0.5) lo = 0;
    var padding = (hi - lo) * 0.12 || Math.abs(hi) * 0.12 || 1;
    return [lo === 0 ? 0 : lo - padding, hi + padding * 1.6];
  }
  function draw(check, index, width) {
    var el = document.getElementById('chart-' + index);
    var readout = document.getElementById('readout-' + index);
    var xs = check.t.map(function (ms) { return (data.start + ms) / 1000; });
    var outcome = function (code) { return check.v.map(function (v, i) { return check.o[i] === code ? v : null; }); };
    // Pass points only while they fit apart: dense passes are the grey line and the green strip.
    var sparse = xs.length * 5 < width;
    var series = [{}, { label: check.label, stroke: '#8c959f', width: 1.25, points: { show: false } }];
    ['p', 'f', 'i', 'e'].forEach(function (code) {
      var show = code !== 'p' || sparse;
      series.push({ label: NAMES[code], stroke: COLORS[code], fill: COLORS[code], width: 0, paths: function () { return null; },
        points: { show: show, size: sparse ? (code === 'p' ? 6 : 8) : 5, stroke: COLORS[code], fill: COLORS[code], width: 1 } });
    });
    var yr = range(check);
    var failX = check.failAt === null ? null : (data.start + check.failAt) / 1000;
    var xMin = xs.length ? xs[0] : data.start / 1000, xMax = xs.length ? xs[xs.length - 1] : data.end / 1000;
    if (failX !== null) xMax = Math.max(xMax, failX);
    var xPad = Math.max((xMax - xMin) * 0.03, check.interval / 2000, 0.05);
    var opts = {
      width: width, height: 230,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
      scales: { x: { time: true, range: function () { return [xMin - xPad, xMax + xPad]; } }, y: { range: function () { return yr; } } },
      axes: [{ stroke: '#656d76', grid: { stroke: '#eaeef2' }, space: 80, values: function (u, splits) { return splits.map(function (s) { return tick(s, xMax - xMin); }); } }, { label: check.label, stroke: '#656d76', grid: { stroke: '#eaeef2' }, size: 56,
        values: function (u, vals) { return vals.map(num); } }],
      legend: { show: false },
      cursor: { points: { size: 9 }, drag: { x: false, y: false } },
      series: series,
      hooks: {
        drawClear: [function (u) { band(u, check); failure(u, failX); }],
        draw: [function (u) { lines(u, check); strip(u, check); }],
        setCursor: [function (u) {
          var i = u.cursor.idx;
          if (i === null || i === undefined) return;
          var note = check.notes[i];
          readout.textContent = clock(xs[i]) + ' UTC · ' + NAMES[check.o[i]] + ' · ' + (note !== undefined ? note : num(check.v[i]) + ' ' + check.unit);
        }]
      }
    };
    var u = new uPlot(opts, [xs, check.v].concat(['p', 'f', 'i', 'e'].map(outcome)), el);
    charts.push({ u: u, el: el });
    el.setAttribute('data-rendered-points', String(xs.length));
  }
  function band(u, check) {
    shade(u, check.bad, 'rgba(207,34,46,0.10)');
    shade(u, check.unsure, 'rgba(191,135,0,0.12)');
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
  function lines(u, check) {
    var ctx = u.ctx, b = u.bbox, dpr = window.devicePixelRatio || 1;
    (check.lines || []).forEach(function (v) {
      var y = Math.round(u.valToPos(v, 'y', true));
      if (y < b.top || y > b.top + b.height) return;
      ctx.save(); ctx.strokeStyle = '#cf222e'; ctx.lineWidth = 1.5 * dpr; ctx.setLineDash([6 * dpr, 4 * dpr]);
      ctx.beginPath(); ctx.moveTo(b.left, y); ctx.lineTo(b.left + b.width, y); ctx.stroke();
      ctx.setLineDash([]); ctx.fillStyle = '#cf222e'; ctx.font = (11 * dpr) + 'px system-ui, sans-serif'; ctx.textAlign = 'right';
      ctx.fillText('threshold ' + num(v), b.left + b.width - 4 * dpr, y - 4 * dpr); ctx.restore();
    });
  }
  // Every measurement's outcome as a tick along the top: errors with no value show here too.
  function strip(u, check) {
    var ctx = u.ctx, b = u.bbox, dpr = window.devicePixelRatio || 1, h = 6 * dpr;
    var w = Math.max(2 * dpr, Math.min(8 * dpr, b.width / Math.max(1, check.t.length) - dpr));
    ctx.save();
    for (var i = 0; i < check.t.length; i++) {
      var x = u.valToPos((data.start + check.t[i]) / 1000, 'x', true);
      ctx.fillStyle = COLORS[check.o[i]];
      ctx.fillRect(x - w / 2, b.top + 2 * dpr, w, h);
    }
    ctx.restore();
  }
  function failure(u, x) {
    if (x === null) return;
    var ctx = u.ctx, b = u.bbox, dpr = window.devicePixelRatio || 1, px = u.valToPos(x, 'x', true);
    ctx.save(); ctx.strokeStyle = '#cf222e'; ctx.lineWidth = 2 * dpr;
    ctx.beginPath(); ctx.moveTo(px, b.top); ctx.lineTo(px, b.top + b.height); ctx.stroke();
    ctx.fillStyle = '#cf222e'; ctx.font = 'bold ' + (11 * dpr) + 'px system-ui, sans-serif'; ctx.textAlign = px > b.left + b.width * 0.7 ? 'right' : 'left';
    ctx.fillText(' stage failed ', px, b.top + 22 * dpr); ctx.restore();
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
