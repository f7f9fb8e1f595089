/** The page's own look; uPlot's stylesheet is inlined next to it. */
export const STYLES = `
:root { --pass:#1a7f37; --fail:#cf222e; --inconclusive:#bf8700; --error:#8250df; --deploy:#0969da; --soak:#54aeff;
  --rollback:#e16f24; --ink:#1f2328; --dim:#656d76; --line:#d0d7de; --bg:#f6f8fa; --card:#fff; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif; color:var(--ink); background:var(--bg); }
main { max-width:1180px; margin:0 auto; padding:24px 24px 48px; }
code, pre { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace; font-size:12.5px; }
h2 { font-size:18px; margin:32px 0 12px; }
h3 { font-size:15px; margin:0; }
.dim { color:var(--dim); }
.page-head { background:var(--card); border:1px solid var(--line); border-top:6px solid var(--dim); border-radius:8px; padding:18px 22px; }
.page-head.status-succeeded { border-top-color:var(--pass); }
.page-head.status-failed, .page-head.status-rolled_back, .page-head.status-rollback_failed { border-top-color:var(--fail); }
.page-head.status-interrupted, .page-head.status-unfinished, .page-head.status-blocked { border-top-color:var(--inconclusive); }
.eyebrow { margin:0; color:var(--dim); text-transform:uppercase; letter-spacing:.06em; font-size:11px; }
h1 { margin:4px 0 8px; font-size:26px; display:flex; align-items:center; gap:12px; flex-wrap:wrap; }
.badge { display:inline-block; padding:2px 10px; border-radius:999px; font-size:12px; font-weight:600; background:#eaeef2; color:var(--ink); white-space:nowrap; }
h1 .badge { font-size:14px; }
.badge-succeeded, .badge-pass { background:#dafbe1; color:var(--pass); }
.badge-failed, .badge-rolled_back, .badge-rollback_failed, .badge-fail { background:#ffebe9; color:var(--fail); }
.badge-interrupted, .badge-unfinished, .badge-blocked, .badge-inconclusive { background:#fff8c5; color:#7d4e00; }
.badge-error { background:#fbefff; color:var(--error); }
.verdict { font-size:15px; margin:6px 0 14px; padding:8px 12px; border-radius:6px; }
.verdict-bad { background:#ffebe9; } .verdict-good { background:#dafbe1; } .verdict-warn { background:#fff8c5; }
.facts { display:grid; grid-template-columns:repeat(auto-fill,minmax(220px,1fr)); gap:8px 24px; margin:0; }
.facts dt, .vars dt { color:var(--dim); font-size:12px; } .facts dd, .vars dd { margin:0; overflow-wrap:anywhere; }
details summary { cursor:pointer; color:var(--dim); margin-top:10px; }
.vars dl { display:grid; grid-template-columns:repeat(auto-fill,minmax(220px,1fr)); gap:4px 24px; margin:6px 0 0; }
.gantt { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:8px 16px 12px; }
.lane, .axis { display:grid; grid-template-columns:190px 1fr; align-items:center; }
.axis .track { height:22px; border-bottom:1px solid var(--line); }
.lane .track { height:38px; border-bottom:1px dashed #eaeef2; }
.track { position:relative; }
.lane-name { padding-right:12px; display:flex; flex-direction:column; line-height:1.2; overflow:hidden; }
.lane-name .name { font-weight:600; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
.lane-status { color:var(--dim); font-size:11px; white-space:nowrap; }
.lane-failing .lane-name .name, .lane-failing .lane-status { color:var(--fail); }
.lane-failing .track { background:rgba(207,34,46,.05); }
.tick { position:absolute; top:2px; transform:translateX(-50%); font-size:11px; color:var(--dim); white-space:nowrap; }
.tick:first-child { transform:none; }
.bar { position:absolute; top:9px; height:20px; min-width:3px; border-radius:4px; overflow:hidden; color:#fff; font-size:11px; line-height:20px; padding:0 5px; white-space:nowrap; }
.bar span { opacity:.95; }
.bar-deploy { background:var(--deploy); } .bar-soak { background:var(--soak); color:#0a3069; } .bar-rollback { background:var(--rollback); }
.bar-verify { background:#8250df; } .bar-batch { background:#9ecbff; color:#0a3069; } .bar-bake { background:repeating-linear-gradient(45deg,#b6e3ff,#b6e3ff 4px,#ddf4ff 4px,#ddf4ff 8px); color:#0a3069; }
.fleet { margin:12px 0 20px; } .fleet h3 { margin:6px 0; font-size:16px; } .fleet-counts, .fleet-note { color:var(--dim); font-weight:400; font-size:13px; }
.failed-targets { border-collapse:collapse; background:var(--card); border:1px solid var(--line); margin:6px 0 10px; font-size:13px; }
.failed-targets th { text-align:left; font-weight:500; color:var(--dim); padding:4px 10px; background:var(--bg); }
.failed-targets td { padding:4px 10px; border-top:1px solid #eaeef2; overflow-wrap:anywhere; } .failed-targets .reason { color:var(--fail); }
.batch { border-top:2px solid var(--line); padding-top:2px; margin-top:6px; content-visibility:auto; contain-intrinsic-size:auto 400px; }
.batch-head { font-size:12.5px; padding:3px 0; }
.tlane { display:grid; grid-template-columns:190px 1fr; align-items:center; height:16px; }
.tlane .track { height:16px; } .tlane .bar { top:3px; height:10px; border-radius:2px; padding:0; }
.tname { padding-right:12px; font-size:11.5px; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
.tname .name { font-weight:600; } .tlane.lane-failing .tname { color:var(--fail); } .tlane.lane-failing .track { background:rgba(207,34,46,.07); }
.tlane .bar-later, .swatch.bar-later { left:auto; right:0; width:6px; border-left:2px dotted var(--ink); }
.target-tag { font-weight:500; color:var(--dim); } .stage-tag.target-tag::before { content:" "; }
.bar-pause, .bar-gate { background:repeating-linear-gradient(45deg,#d0d7de,#d0d7de 4px,#eaeef2 4px,#eaeef2 8px); color:var(--ink); }
.bar-failed { box-shadow:inset 0 0 0 2px var(--fail); background-image:repeating-linear-gradient(135deg,transparent,transparent 5px,rgba(207,34,46,.35) 5px,rgba(207,34,46,.35) 9px); }
.bar-open { opacity:.6; border-right:2px dashed var(--ink); }
.lane-note { position:absolute; left:6px; top:8px; color:var(--dim); font-size:12px; font-style:italic; }
.marker { position:absolute; top:0; bottom:0; width:0; border-left:2px solid var(--fail); z-index:2; }
.marker-interrupt, .marker-blocked { border-left:2px dashed var(--inconclusive); } .marker-override { border-left:2px dotted var(--rollback); } .marker-resume { border-left:2px dotted var(--deploy); } .marker-truncated { border-left:2px dotted var(--dim); }
.lane-failing .marker-failure::after { content:"✕"; position:absolute; top:6px; left:-8px; width:14px; height:14px; line-height:14px; font-size:10px; text-align:center; color:#fff; background:var(--fail); border-radius:50%; }
.legend { list-style:none; display:flex; flex-wrap:wrap; gap:6px 16px; padding:0; margin:8px 0; color:var(--dim); font-size:12px; }
.legend li { display:flex; align-items:center; gap:6px; }
.swatch { display:inline-block; width:18px; height:10px; border-radius:2px; position:static; }
.swatch.marker-failure, .swatch.marker-interrupt, .swatch.marker-resume, .swatch.marker-blocked { width:0; height:14px; border-radius:0; border-left:2px solid var(--fail); }
.swatch.marker-interrupt, .swatch.marker-blocked { border-left:2px dashed var(--inconclusive); } .swatch.marker-resume { border-left:2px dotted var(--deploy); }
.swatch-failed { box-shadow:inset 0 0 0 2px var(--fail); background:#ffebe9; }
.swatch-canary { height:0; border-top:2px solid #0969da; border-radius:0; } .swatch-baseline { height:0; border-top:2px solid #6e7781; border-radius:0; }
.swatch-interval { background:rgba(9,105,218,.16); } .swatch-allowed { height:0; border-top:2px dashed #1a7f37; border-radius:0; } .compare-explain { font-size:.9em; }
.swatch-band { background:rgba(207,34,46,.12); } .swatch-unsure { background:rgba(191,135,0,.16); } .swatch-threshold { height:0; border-top:2px dashed var(--fail); border-radius:0; }
.dot { display:inline-block; width:9px; height:9px; border-radius:50%; }
.dot-pass { background:var(--pass); } .dot-fail { background:var(--fail); } .dot-inconclusive { background:var(--inconclusive); } .dot-error { background:var(--error); }
.check-grid { display:grid; grid-template-columns:repeat(auto-fill,minmax(540px,1fr)); gap:14px; }
.check { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:14px 16px; min-width:0; }
.check.decisive { border-color:var(--fail); box-shadow:0 0 0 1px var(--fail); }
.check header { display:flex; justify-content:space-between; align-items:center; gap:10px; flex-wrap:wrap; }
.stage-tag { font-weight:500; color:var(--dim); margin-right:4px; } .stage-tag::after { content:" /"; }
.describe, .rule, .counts, .explain, .readout { margin:6px 0; overflow-wrap:anywhere; }
.kind { text-transform:uppercase; font-size:10.5px; letter-spacing:.05em; background:#eaeef2; padding:1px 6px; border-radius:4px; }
.rule, .readout { color:var(--dim); font-size:12.5px; }
.explain { background:#ffebe9; border-radius:6px; padding:6px 10px; }
.count { font-weight:600; margin-right:6px; } .count-pass { color:var(--pass); } .count-fail { color:var(--fail); } .count-inconclusive { color:#9a6700; } .count-error { color:var(--error); }
.chart { min-height:230px; margin-top:6px; }
.readout { min-height:1.5em; font-variant-numeric:tabular-nums; }
.commands { width:100%; border-collapse:collapse; background:var(--card); border:1px solid var(--line); border-radius:8px; overflow:hidden; }
.commands th { text-align:left; font-size:12px; font-weight:500; color:var(--dim); padding:8px 10px; border-bottom:1px solid var(--line); background:var(--bg); }
.commands td { padding:7px 10px; border-top:1px solid #eaeef2; vertical-align:top; }
.commands td code { white-space:pre-wrap; overflow-wrap:anywhere; }
.commands .num { white-space:nowrap; font-variant-numeric:tabular-nums; }
.commands .stage-cell { font-weight:600; overflow-wrap:break-word; max-width:220px; }
.commands tr.command-bad > td:first-child { box-shadow:inset 3px 0 0 var(--fail); }
.commands .output-row td { border-top:none; padding-top:0; }
.commands details summary { margin-top:0; }
.phase { text-transform:uppercase; font-size:10.5px; letter-spacing:.05em; padding:1px 6px; border-radius:4px; color:#fff; }
.phase-deploy { background:var(--deploy); } .phase-rollback { background:var(--rollback); }
.output { margin:6px 0 0; padding:10px 12px; background:#1f2328; color:#e6edf3; border-radius:6px; max-height:420px; overflow:auto; white-space:pre-wrap; overflow-wrap:anywhere; }
.output .stderr { color:#ffa198; }
footer { margin-top:32px; color:var(--dim); font-size:12px; border-top:1px solid var(--line); padding-top:12px; }
.notes { background:#fff8c5; border-radius:6px; padding:8px 12px; }
@media (max-width:700px) { .lane, .axis { grid-template-columns:110px 1fr; } .check-grid { grid-template-columns:1fr; } }
`;
