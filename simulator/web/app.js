// hansim live view and report: one script for both. Live: the table and a meter's detail
// come from /api/*, updates from the /api/events stream. Report: everything comes from the
// JSON embedded in the file (element #hansim-report); nothing is fetched.
"use strict";

const PAGE_ROWS = 100;
const LIVE_POINTS = 360;
const OUTCOMES = ["sent", "no_listener", "not_requested", "aborted", "overrun", "port_unavailable", "truncated"];
const $ = (id) => document.getElementById(id);

const state = {
  report: null,          // the embedded report, or null when live
  meters: [],            // summaries: {index, name, profile, port, reader, counts, last}
  selected: null,        // index of the meter in the detail
  series: [],            // detail chart points: {t, p, p_min, p_max, late, late_max, lost, frames}
  marks: [],             // detail marks: {utc_ms, kind, text, detail}
  sortKey: "index", sortDir: 1, filter: "", page: 0,
  token: new URLSearchParams(location.search).get("token") || "",
  info: null,
  dirty: false,
};

function fmt(value, digits) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  return Number(value).toFixed(digits);
}
function text(el, value) { el.textContent = value; return el; }
function el(tag, cls, content) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (content !== undefined) e.textContent = content;
  return e;
}
function lostCount(c) { return c ? OUTCOMES.slice(1).reduce((s, k) => s + (c[k] || 0), 0) : 0; }
function netPower(last) { return last ? last.p_import_w - last.p_export_w : null; }
function sortValue(m, key) {
  switch (key) {
    case "p": return netPower(m.last) ?? -Infinity;
    case "energy": return m.last && m.last.a_import_kwh !== null ? m.last.a_import_kwh : -Infinity;
    case "clock": return m.last ? m.last.clock : "";
    case "sent": return m.counts ? m.counts.sent : 0;
    case "lost": return lostCount(m.counts);
    case "late": return m.counts ? m.counts.max_lateness_ms : 0;
    case "last": return m.last ? m.last.outcome : "";
    case "reader": return m.reader === null ? -1 : m.reader ? 1 : 0;
    default: return m[key];
  }
}

// ---- the table ------------------------------------------------------------------------

function visibleMeters() {
  const f = state.filter.toLowerCase();
  let list = state.meters;
  if (f) list = list.filter((m) => [m.name, m.profile, m.port, m.last ? m.last.outcome : ""].some((s) => String(s).toLowerCase().includes(f)));
  const k = state.sortKey, d = state.sortDir;
  return list.slice().sort((a, b) => {
    const x = sortValue(a, k), y = sortValue(b, k);
    return (x < y ? -1 : x > y ? 1 : a.index - b.index) * d;
  });
}

function renderTable() {
  const list = visibleMeters();
  const pages = Math.max(1, Math.ceil(list.length / PAGE_ROWS));
  state.page = Math.min(state.page, pages - 1);
  const rows = list.slice(state.page * PAGE_ROWS, (state.page + 1) * PAGE_ROWS);
  const body = document.querySelector("#meters tbody");
  const same = body.rows.length === rows.length && rows.every((m, i) => body.rows[i].dataset.index === String(m.index));
  const fragment = document.createDocumentFragment();
  rows.forEach((m, r) => {
    const last = m.last;
    const cells = [
      [m.index, "num"], [m.name, "name"], [m.profile, ""], [m.port, "port"],
      [m.reader === null || m.reader === undefined ? "–" : m.reader ? "open" : "none", "reader"],
      [fmt(netPower(last), 0), "num p"], [last && last.a_import_kwh !== null ? fmt(last.a_import_kwh, 3) : "–", "num energy"],
      [last ? last.clock : "–", "clock"], [m.counts ? m.counts.sent : 0, "num sent"],
      [lostCount(m.counts), "num lost"], [m.counts ? fmt(m.counts.max_lateness_ms, 1) : "–", "num late"],
      [last ? last.outcome : "–", "outcome " + (last ? (last.outcome === "sent" ? "outcome-sent" : "outcome-bad") : "")],
    ];
    if (same) {
      // The same rows: only their text changes (rows stay, so a click or a selection is never lost).
      const tr = body.rows[r];
      tr.className = m.index === state.selected ? "selected" : "";
      cells.forEach(([v, cls], c) => {
        const td = tr.cells[c];
        if (td.textContent !== String(v)) td.textContent = String(v);
        if (td.className !== cls) td.className = cls;
      });
      return;
    }
    const tr = el("tr");
    tr.dataset.index = m.index;
    if (m.index === state.selected) tr.className = "selected";
    for (const [v, cls] of cells) tr.appendChild(el("td", cls, String(v)));
    fragment.appendChild(tr);
  });
  if (!same) body.replaceChildren(fragment);
  text($("shown"), `${list.length} of ${state.meters.length} meters`);
  text($("page"), `page ${state.page + 1}/${pages}`);
  for (const th of document.querySelectorAll("#meters th")) {
    th.classList.toggle("sorted-asc", th.dataset.key === state.sortKey && state.sortDir > 0);
    th.classList.toggle("sorted-desc", th.dataset.key === state.sortKey && state.sortDir < 0);
  }
}

function scheduleRender() {
  if (state.dirty) return;
  state.dirty = true;
  // At a thousand meters frames arrive by the hundred per second: draw at most a few times a second.
  setTimeout(() => { state.dirty = false; renderTable(); if (state.selected !== null) renderDetail(); }, 250);
}

// ---- the detail -----------------------------------------------------------------------

function dl(target, pairs) {
  const fragment = document.createDocumentFragment();
  for (const [k, v] of pairs) { fragment.appendChild(el("dt", "", k)); fragment.appendChild(el("dd", "", String(v))); }
  target.replaceChildren(fragment);
}

function renderDetail() {
  const m = state.meters[state.selected];
  if (!m) return;
  $("detail").hidden = false;
  text($("d-title"), m.profile ? `${m.name} (${m.profile})` : m.name);
  const reader = state.report ? "–" : m.reader === null || m.reader === undefined ? "– (no frame yet)" : m.reader ? "has the port open" : "nobody listening";
  dl($("d-info"), [["profile", m.profile || "–"], ["serial", m.serial ? String(m.serial).padStart(8, "0") : "–"], ["port", m.port || "–"], ["reader", reader]]);
  const l = m.last;
  dl($("d-last"), l ? [["list", l.list], ["sequence", l.sequence], ["sent (UTC)", l.send], ["meter clock", l.clock],
    ["outcome", l.outcome], ["lateness", fmt(l.lateness_ms, 2) + " ms"], ["P+ / P−", `${fmt(l.p_import_w, 0)} / ${fmt(l.p_export_w, 0)} W`],
    ["Q+ / Q−", `${fmt(l.q_import_var, 0)} / ${fmt(l.q_export_var, 0)} var`], ["power factor", fmt(l.power_factor, 3)],
    ["A+ / A−", l.a_import_kwh === null ? "– (not in this list)" : `${fmt(l.a_import_kwh, 3)} / ${fmt(l.a_export_kwh, 3)} kWh`],
    ["R+ / R−", l.r_import_kvarh === null ? "–" : `${fmt(l.r_import_kvarh, 3)} / ${fmt(l.r_export_kvarh, 3)} kvarh`],
    ["invocation counter", l.invocation_counter ?? "–"], ["fault", l.fault ?? "–"]] : [["", "no frame yet"]]);
  const phases = $("d-phases");
  phases.replaceChildren();
  if (l) {
    const head = el("tr");
    for (const h of ["", "P (W)", "U (V)", "I (A)"]) head.appendChild(el("th", "", h));
    phases.appendChild(head);
    l.u_v.forEach((u, i) => {
      const tr = el("tr");
      tr.appendChild(el("th", "", "L" + (i + 1)));
      tr.appendChild(el("td", "num phase-p", fmt(l.p_phase_w[i], 0)));
      tr.appendChild(el("td", "num phase-u", fmt(u, 1)));
      tr.appendChild(el("td", "num phase-i", fmt(l.i_a[i], 2)));
      phases.appendChild(tr);
    });
  }
  const c = m.counts || {};
  dl($("d-counts"), OUTCOMES.map((k) => [k.replace("_", " "), c[k] || 0]).concat([["max lateness", fmt(c.max_lateness_ms, 2) + " ms"], ["mean lateness", fmt(c.mean_lateness_ms, 2) + " ms"]]));
  drawCharts();
  const marks = $("d-marks");
  const fragment = document.createDocumentFragment();
  for (const mk of state.marks.slice(-300).reverse()) fragment.appendChild(el("li", "mark-" + mk.kind, markText(mk)));
  marks.replaceChildren(fragment);
}

function pointFromFrame(f) {
  const p = f.p_import_w - f.p_export_w;
  return { t: f.send_ms, p, p_min: p, p_max: p, late: f.lateness_ms, late_max: f.lateness_ms, frames: 1, lost: f.outcome === "sent" ? 0 : 1, energy: f.a_import_kwh };
}

function select(index) {
  state.selected = index;
  state.series = [];
  state.marks = [];
  if (state.report) {
    const m = state.report.meters[index];
    state.series = m.series.map((b) => ({ t: b.t, p: b.p, p_min: b.p_min, p_max: b.p_max, late: b.late, late_max: b.late_max, frames: b.frames, lost: b.lost, energy: b.a_import_kwh }));
    state.marks = m.marks;
    renderTable();
    renderDetail();
    return;
  }
  renderTable();
  renderDetail();
  fetch(`api/meters/${index}`).then((r) => r.json()).then((m) => {
    if (state.selected !== index) return;
    state.series = m.frames.map(pointFromFrame);
    state.marks = m.marks;
    renderDetail();
  });
  renderControls();
}

// ---- charts (canvas) ------------------------------------------------------------------

const MARK_KINDS = {
  fault: { color: "#c62828", label: "fault" },
  event: { color: "#e08a00", label: "event" },
  event_end: { color: "#e0b060", label: "event ended" },
  outage: { color: "#6a7280", label: "outage" },
  silenced: { color: "#7a5cc0", label: "silenced" },
  control: { color: "#1f6feb", label: "control" },
  lost: { color: "#b0b6c0", label: "lost" },
};
const CHART = { W: 1000, L: 60, R: 10 };  // the canvases' width and plot margins (pixels)

function markText(mk) {
  const kind = MARK_KINDS[mk.kind] ? MARK_KINDS[mk.kind].label : mk.kind;
  const until = mk.until_ms !== undefined ? ` until ${new Date(mk.until_ms).toISOString()}` : "";
  return `${new Date(mk.utc_ms).toISOString()}${until} ${kind}: ${mk.text}${mk.detail ? ` (${mk.detail})` : ""}`;
}

function timeRange(series) {
  const t0 = series[0].t;
  return [t0, Math.max(series[series.length - 1].t, t0 + 1)];
}

// A mark that covers a time span (an outage, an event with a duration): [from, to] within
// the charts' range [t0, t1], or null when it lies outside.
function markSpan(mk, t0, t1) {
  if (mk.until_ms === undefined || mk.until_ms < t0 || mk.utc_ms > t1) return null;
  return [Math.max(mk.utc_ms, t0), Math.min(mk.until_ms, t1)];
}

// Faults, events, controls as markers on the charts' time axis (above the power chart): one
// element each, placed where its time is on the charts, its text in the tooltip; an outage
// is a bar from its start to its end. "lost" marks are the frame timeline's own (drawn there).
function drawMarkLane(series) {
  const lane = $("mark-lane");
  const fragment = document.createDocumentFragment();
  if (series.length > 0) {
    const [t0, t1] = timeRange(series);
    const x = (t) => CHART.L + (CHART.W - CHART.L - CHART.R) * (t - t0) / (t1 - t0);
    const pct = (px) => `${(100 * px / CHART.W).toFixed(3)}%`;
    for (const mk of state.marks) {
      if (mk.kind === "lost") continue;
      const range = mk.kind === "outage" ? markSpan(mk, t0, t1) : null;
      if (!range && (mk.utc_ms < t0 || mk.utc_ms > t1)) continue;
      const span = el("span", `${range ? "axis-span" : "axis-mark"} mark-${mk.kind}`);
      span.style.left = pct(x(range ? range[0] : mk.utc_ms));
      if (range) span.style.width = pct(Math.max(x(range[1]) - x(range[0]), 2));
      span.title = markText(mk);
      span.dataset.kind = mk.kind;
      span.dataset.utcMs = mk.utc_ms;
      if (mk.until_ms !== undefined) span.dataset.untilMs = mk.until_ms;
      span.dataset.text = mk.text;
      fragment.appendChild(span);
    }
  }
  lane.replaceChildren(fragment);
}

function axis(values, pad) {
  let lo = Math.min(...values), hi = Math.max(...values);
  if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
  if (hi === lo) { hi += pad; lo -= pad; }
  return [lo, hi];
}

function chart(canvas, series, opts) {
  const g = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height, L = CHART.L, R = CHART.R, T = 10, B = 20;
  g.clearRect(0, 0, W, H);
  g.font = "11px system-ui, sans-serif";
  g.fillStyle = "#6a7280";
  if (series.length === 0) { g.fillText("no frames yet", L, H / 2); return; }
  const [t0, t1] = timeRange(series);
  const ys = series.flatMap(opts.range);
  const [lo, hi] = axis(ys.concat(opts.zero ? [0] : []), 1);
  const x = (t) => L + (W - L - R) * (t - t0) / (t1 - t0);
  const y = (v) => T + (H - T - B) * (1 - (v - lo) / (hi - lo));
  g.strokeStyle = "#d9dde4";
  g.beginPath();
  for (const v of [lo, (lo + hi) / 2, hi]) { g.moveTo(L, y(v)); g.lineTo(W - R, y(v)); g.fillText(fmt(v, Math.abs(hi - lo) < 10 ? 1 : 0), 2, y(v) + 4); }
  g.stroke();
  g.fillText(new Date(t0).toISOString().replace(".000", ""), L, H - 4);
  const endLabel = new Date(t1).toISOString().replace(".000", "");
  g.fillText(endLabel, W - R - g.measureText(endLabel).width, H - 4);
  // Marks: faults, events and controls as vertical lines on the same time axis; an outage
  // as a shaded span from its start to its end (no frame was sent in it).
  for (const mk of state.marks) {
    const range = mk.kind === "outage" ? markSpan(mk, t0, t1) : null;
    if (range) {
      g.fillStyle = "rgba(106,114,128,0.18)";
      g.fillRect(x(range[0]), T, Math.max(x(range[1]) - x(range[0]), 1), H - B - T);
      g.fillStyle = "#6a7280";
      continue;
    }
    if (mk.utc_ms < t0 || mk.utc_ms > t1) continue;
    g.strokeStyle = (MARK_KINDS[mk.kind] || MARK_KINDS.lost).color;
    g.beginPath(); g.moveTo(x(mk.utc_ms), T); g.lineTo(x(mk.utc_ms), H - B); g.stroke();
  }
  if (opts.band) {
    g.fillStyle = "rgba(31,111,235,0.15)";
    g.beginPath();
    series.forEach((s, i) => (i ? g.lineTo(x(s.t), y(opts.band[1](s))) : g.moveTo(x(s.t), y(opts.band[1](s)))));
    for (let i = series.length - 1; i >= 0; --i) g.lineTo(x(series[i].t), y(opts.band[0](series[i])));
    g.closePath(); g.fill();
  }
  g.strokeStyle = opts.color; g.lineWidth = 1.5;
  g.beginPath();
  series.forEach((s, i) => (i ? g.lineTo(x(s.t), y(opts.value(s))) : g.moveTo(x(s.t), y(opts.value(s)))));
  g.stroke();
  g.lineWidth = 1;
}

function drawFrames(canvas, series) {
  const g = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height, L = CHART.L, R = CHART.R;
  g.clearRect(0, 0, W, H);
  if (series.length === 0) return;
  const [t0, t1] = timeRange(series);
  const x = (t) => L + (W - L - R) * (t - t0) / (t1 - t0);
  g.font = "11px system-ui, sans-serif"; g.fillStyle = "#6a7280";
  g.fillText("sent", 2, 18); g.fillText("lost", 2, 40);
  for (const s of series) {
    if (s.frames - s.lost > 0) { g.fillStyle = "#2e7d32"; g.fillRect(x(s.t), 8, 2, 14); }
    if (s.lost > 0) { g.fillStyle = "#c62828"; g.fillRect(x(s.t), 30, 2, 14); }
  }
}

function drawCharts() {
  const s = state.series;
  drawMarkLane(s);
  chart($("chart-power"), s, { value: (p) => p.p, range: (p) => [p.p_min, p.p_max], band: state.report ? [(p) => p.p_min, (p) => p.p_max] : null, color: "#1f6feb", zero: true });
  chart($("chart-energy"), s.filter((p) => p.energy !== null && p.energy !== undefined), { value: (p) => p.energy, range: (p) => [p.energy], color: "#2e7d32" });
  chart($("chart-late"), s, { value: (p) => p.late_max, range: (p) => [p.late_max], color: "#e08a00", zero: true });
  drawFrames($("chart-frames"), s);
}

// ---- controls -------------------------------------------------------------------------

function control(body) {
  const index = state.selected;
  return fetch(`api/meters/${index}/control`, {
    method: "POST", headers: { "Content-Type": "application/json", "X-Hansim-Token": state.token }, body: JSON.stringify(body),
  }).then((r) => r.json().then((j) => {
    text($("control-result"), r.ok ? `done: ${j.done}` : `refused (${r.status}): ${j.error}`);
    $("control-result").dataset.status = r.status;
  }));
}

function renderControls() {
  const box = $("controls");
  if (!state.info || !state.info.control || state.report) { box.hidden = true; return; }
  box.hidden = false;
  const buttons = $("control-buttons");
  buttons.replaceChildren();
  for (const a of state.info.actions) {
    if (a.name === "data_request") {
      for (const on of [true, false]) {
        const b = el("button", "", `data request ${on ? "on" : "off"}`);
        b.id = `control-data-request-${on ? "on" : "off"}`;
        b.title = a.help;
        b.onclick = () => control({ action: "data_request", asserted: on });
        buttons.appendChild(b);
      }
      continue;
    }
    if (a.name === "load" || a.name === "event" || a.name === "fault") {
      // One field each: the load in W, or the text of an event or a fault rule (as --event, --faults).
      const field = a.name === "load" ? "watts" : "text";
      const input = el("input");
      input.id = `control-${a.name}-${field}`;
      input.type = a.name === "load" ? "number" : "text";
      input.placeholder = a.name === "load" ? "W (negative: export)" : a.name === "event" ? "voltage=207@now/2m" : "bad_fcs@next";
      input.title = a.help;
      const b = el("button", "", a.name === "load" ? "set load" : a.name);
      b.id = `control-${a.name}`;
      b.title = a.help;
      const send = () => {
        if (input.value === "") { text($("control-result"), `${a.name}: give a value`); return; }
        control({ action: a.name, [field]: a.name === "load" ? Number(input.value) : input.value });
      };
      b.onclick = send;
      input.onkeydown = (e) => { if (e.key === "Enter") send(); };
      const group = el("span", "control-group");
      group.appendChild(input);
      group.appendChild(b);
      buttons.appendChild(group);
      continue;
    }
    // Any other action: its parameters as one JSON field.
    const input = el("input");
    input.placeholder = JSON.stringify(a.parameters);
    input.id = `control-${a.name}-params`;
    const b = el("button", "", a.name);
    b.id = `control-${a.name}`;
    b.title = a.help;
    b.onclick = () => {
      let params = {};
      try { params = input.value ? JSON.parse(input.value) : {}; } catch (e) { text($("control-result"), "parameters: not JSON"); return; }
      control(Object.assign({ action: a.name }, params));
    };
    buttons.appendChild(b);
    buttons.appendChild(input);
  }
  if (!state.token) text($("control-result"), "no token in the address (?token=…): controls will be refused");
}

// ---- live updates ---------------------------------------------------------------------

function onFrame(f) {
  const m = state.meters[f.index];
  if (!m) return;
  m.last = f;
  m.reader = f.outcome !== "no_listener";
  m.counts = m.counts || {};
  m.counts[f.outcome] = (m.counts[f.outcome] || 0) + 1;
  m.counts.max_lateness_ms = Math.max(m.counts.max_lateness_ms || 0, f.lateness_ms);
  if (f.index === state.selected) {
    state.series.push(pointFromFrame(f));
    if (state.series.length > LIVE_POINTS) state.series.shift();
  }
  scheduleRender();
}

function onMark(mk) {
  if (mk.index === state.selected) { state.marks.push(mk); scheduleRender(); }
}

function live() {
  Promise.all([fetch("api/info").then((r) => r.json()), fetch("api/meters").then((r) => r.json())]).then(([info, meters]) => {
    state.info = info;
    state.meters = meters;
    renderTable();
    if (meters.length === 1) select(0);
    const events = new EventSource("api/events");
    events.addEventListener("frame", (e) => onFrame(JSON.parse(e.data)));
    events.addEventListener("mark", (e) => onMark(JSON.parse(e.data)));
    events.onopen = () => { text($("status"), `live: ${meters.length} meter${meters.length === 1 ? "" : "s"}${info.control ? ", controls on" : ""}`); $("status").dataset.live = "1"; };
    events.onerror = () => { text($("status"), "disconnected (hansim stopped?), retrying…"); $("status").dataset.live = "0"; };
  }).catch((e) => text($("status"), "cannot reach hansim: " + e));
}

function report(data) {
  state.report = data;
  state.meters = data.meters;
  text($("mode"), "report");
  document.title = `hansim report: ${data.title}`;
  const frames = data.meters.reduce((s, m) => s + (m.counts ? OUTCOMES.reduce((t, k) => t + (m.counts[k] || 0), 0) : 0), 0);
  text($("status"), `${data.title}: ${data.meters.length} meter${data.meters.length === 1 ? "" : "s"}, ${frames} frames`);
  renderTable();
  if (data.meters.length > 0) select(0);
}

function init() {
  for (const th of document.querySelectorAll("#meters th")) th.onclick = () => {
    const k = th.dataset.key;
    state.sortDir = state.sortKey === k ? -state.sortDir : 1;
    state.sortKey = k;
    renderTable();
  };
  $("filter").oninput = (e) => { state.filter = e.target.value; state.page = 0; renderTable(); };
  $("prev").onclick = () => { state.page = Math.max(0, state.page - 1); renderTable(); };
  $("next").onclick = () => { state.page += 1; renderTable(); };
  document.querySelector("#meters tbody").onclick = (e) => {
    const tr = e.target.closest("tr");
    if (tr) select(Number(tr.dataset.index));
  };
  const embedded = document.getElementById("hansim-report");
  if (embedded) report(JSON.parse(embedded.textContent)); else live();
}

init();
