"""The step view's stylesheet and script: one player for convolution, pooling (a window slides over
the input) and transposed convolution (each input cell scatters the kernel), used both as a standalone
page and as an in-page Streamlit component. It only places strings Python formatted."""

__all__ = ["COMPONENT_CSS", "COMPONENT_JS", "CSS", "JS", "PLAYER_JS"]

CSS = """
*{box-sizing:border-box}body{margin:0;background:#fff;color:#31333f;font:14px "Source Sans Pro",sans-serif}
#cnnviz-stepview{padding:8px;outline:none}#steplabel{font-size:16px;font-variant-numeric:tabular-nums}
.top{display:flex;flex-wrap:wrap;gap:6px 16px;align-items:center;margin-bottom:8px}
.speed,.legend,.cap,.biasrow{font-size:13px;color:#555867}.speed{margin-left:auto}
.legend{display:flex;align-items:center;gap:6px}.sw{display:inline-block;width:18px;height:18px}
.ctl{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin-bottom:12px}
button,select{font-family:inherit;font-size:13px;height:30px;padding:0 10px;border:1px solid #d6d6d9;
 border-radius:8px;background:#fff;color:#31333f;cursor:pointer}
button:hover:enabled{border-color:#ff4b4b;color:#ff4b4b}button:disabled{opacity:.4;cursor:default}
.ctl input{flex:1 1 100px;min-width:100px;accent-color:#ff4b4b}
.lz,.playing .lp{display:none}.playing .lz{display:inline}
.stage{display:flex;flex-wrap:wrap;align-items:flex-start;gap:16px}.right{flex:1 1 0}
.chans{display:flex;flex-direction:column;gap:10px}.chanrow{display:flex;flex-wrap:wrap;align-items:center;gap:6px}
.sign{font-size:22px;color:#808495;width:20px;text-align:center}
.cap{height:20px;white-space:nowrap;width:0;min-width:100%}
.grid{position:relative;display:grid;font-variant-numeric:tabular-nums}
.idx{font-size:10px;color:#8e92a0;display:flex;align-items:center;justify-content:center}
.idx.p{color:#c3c6ce;font-style:italic}
.cell{display:flex;flex-direction:column;align-items:center;justify-content:center;line-height:1;
 border:1px solid #fff;white-space:nowrap;overflow:hidden;color:#1f2029}
.cell.pad{background:repeating-linear-gradient(45deg,#f4f5f7 0 3px,#e4e6eb 3px 6px)!important;color:#9a9fab;
 border:1px dashed #c3c6ce}
.cell .t{display:none;font-size:var(--tfs);color:#b3261e;font-weight:600;margin-top:1px}
.cell.hl{box-shadow:inset 0 0 0 2px #ff4b4b}.cell.hl .t{display:block}.cell .t:empty{display:none}
.cell.am{box-shadow:inset 0 0 0 3px #ff4b4b,inset 0 0 0 5px #ffd54f}
.extent{position:absolute;pointer-events:none;border:2px solid #ff4b4b;border-radius:3px;transition:left .15s,top .15s}
.extent.dil{border:2px dashed rgba(255,75,75,.5)}
.out-cell{cursor:pointer}.out-cell:hover{border-color:#ff4b4b}.out-cell.cur{box-shadow:inset 0 0 0 3px #ff4b4b}
.out-cell.todo,.grid .cell.todo{background:#fff!important;border:1px dashed #d6d6d9}
.cell.crop{opacity:.45;border:1px dashed #9a9fab}
.biasrow{display:flex;align-items:center;gap:8px}
.bias{display:inline-flex;min-width:34px;height:28px;padding:0 6px;background:#f0f2f6;border-radius:4px;color:#1f2029}
#expr{margin-top:12px;padding:8px 10px;background:#f0f2f6;border-radius:8px;overflow-x:auto;font-size:13px;
 font-variant-numeric:tabular-nums}
.line{display:flex;align-items:flex-start;white-space:pre;line-height:20px}.line+.line{margin-top:4px}
.pre{color:#808495}.eq,.fin{font-weight:700}.fin{white-space:normal}
.terms{display:grid}.flow .terms{display:flex;flex-wrap:wrap;flex:1;min-width:0}
"""

PLAYER_JS = r"""
// scope: the document or shadow root holding one step view; report(step) tells the page the shown step.
function cnnvizPlayer(scope, D, report) {
const $ = id => scope.querySelector("#" + id), root = $("cnnviz-stepview"), X = "\u00d7", K = D.k;
const scatter = D.kind === "scatter", cols = scatter ? D.w_in : D.wo, N = scatter ? D.h_in * D.w_in : D.ho * D.wo;
const fac = t => t[0] === "-" ? "(" + t + ")" : t;
let step = 0, timer = null, marked = [];
function el(tag, cls, parent, text) {
  const e = parent.appendChild(document.createElement(tag));
  e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
function grid(host, rows, cols, toks, lv, g, index, pad = "") {
  const gr = el("div", "grid", host), cells = [], isPad = k => pad[k] === "1";
  const head = index ? "22px " : "", top = index ? "16px " : "";
  gr.style.cssText = `font-size:${g.fs}px;--tfs:${g.tfs}px;grid-template-columns:${head}repeat(${cols},${g.w}px);` +
    `grid-template-rows:${top}repeat(${rows},${g.h}px)`;
  const padRow = r => [...Array(cols).keys()].every(c => isPad(r * cols + c));
  const padCol = c => [...Array(rows).keys()].every(r => isPad(r * cols + c));
  if (index) { el("div", "", gr); for (let c = 0; c < cols; c++) el("div", padCol(c) ? "idx p" : "idx", gr, c); }
  for (let r = 0; r < rows; r++) {
    if (index) el("div", padRow(r) ? "idx p" : "idx", gr, r);
    for (let c = 0, k = r * cols; c < cols; c++, k++) {
      const cell = el("div", isPad(k) ? "cell pad" : "cell", gr);
      el("span", "v", cell, toks[k]); el("span", "t", cell);
      if (!isPad(k)) cell.style.background = D.pal[lv[k] + D.L];
      cells.push(cell);
    }
  }
  return {gr, cells};
}
function kernels() {
  scope.querySelectorAll(".khost").forEach(h => {
    const c = +h.dataset.c;
    grid(h, K, K, D.w[c], D.wl.slice(c * K * K, (c + 1) * K * K), D.gk, false);
  });
}
function clearMarks() { marked.forEach(c => c.classList.remove("hl", "am")); marked = []; }
function mark(cell, cls = "hl") { cell.classList.add(cls); marked.push(cell); }

function windowView() {  // convolution and pooling: a window slides over the input, one output cell a step
  const span = D.d * (K - 1) + 1, twoStage = D.c > 1 || D.b !== null;
  const ins = [...scope.querySelectorAll(".host")].map(h => {
    const g = grid(h, D.hp, D.wp, D.x[h.dataset.c], D.xl[h.dataset.c], D.gx, true, D.pad);
    g.box = el("div", D.d > 1 && K > 1 ? "extent dil" : "extent", g.gr);  // outline of the window's full extent
    return g;
  });
  kernels();
  const outs = grid($("ohost"), D.ho, D.wo, D.out.map(() => ""), D.ol, D.go, true).cells;
  outs.forEach((cell, t) => {
    cell.classList.add("out-cell"); cell.dataset.i = Math.floor(t / D.wo); cell.dataset.j = t % D.wo;
    cell.addEventListener("click", () => { stop(); go(t); });
  });
  function showExpr(r0, c0) {
    const box = $("expr");
    box.textContent = "";
    if (D.expr) { el("div", "line fin", box, D.expr[step]); return; }
    for (let ci = 0; ci < D.c; ci++) {  // same tokens and layout as conv_expression, one grid row per kernel row
      const line = el("div", "line", box);
      if (D.c > 1) el("span", "pre", line, "ch " + (D.ids ? D.ids[ci] : ci) + ": ");
      const terms = el("span", "terms", line);
      terms.style.gridTemplateColumns = `repeat(${K},auto)`;
      for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) {
        const x = D.x[ci][(r0 + D.d * a) * D.wp + c0 + D.d * b], last = a === K - 1 && b === K - 1;
        const term = el("span", "", terms, fac(x) + X + fac(D.w[ci][a * K + b]) + (last ? "" : " + "));
        if (last) el("span", "eq", term, " = " + (twoStage ? D.sums[step][ci] : D.out[step]));
      }
    }
    if (twoStage) {
      const parts = D.sums[step].map(fac).concat(D.b === null ? [] : [fac(D.b)]);
      el("div", "line fin", box, parts.join(" + ") + " = " + D.out[step]);
    }
    // rows as wide as the kernel read best; when they do not fit they flow, and stay so to avoid jumps
    if (box.scrollWidth > box.clientWidth) box.classList.add("flow");
  }
  return (i, j) => {
    const r0 = i * D.s, c0 = j * D.s;
    ins.forEach((g, ci) => {
      for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) {
        const cell = g.cells[(r0 + D.d * a) * D.wp + c0 + D.d * b], isMax = D.am && D.am[step] === a * K + b;
        mark(cell);
        if (isMax) cell.classList.add("am");
        cell.lastChild.textContent = D.w && D.gx.tags ? X + D.w[ci][a * K + b] : isMax ? "max" : "";
      }
      const first = g.cells[r0 * D.wp + c0], end = g.cells[(r0 + span - 1) * D.wp + c0 + span - 1];
      Object.assign(g.box.style, {left: first.offsetLeft - 2 + "px", top: first.offsetTop - 2 + "px",
        width: end.offsetLeft + end.offsetWidth - first.offsetLeft + 4 + "px",
        height: end.offsetTop + end.offsetHeight - first.offsetTop + 4 + "px"});
    });
    outs.forEach((cell, t) => {
      cell.classList.toggle("todo", t > step); cell.classList.toggle("cur", t === step);
      cell.firstChild.textContent = t > step ? "" : D.out[t];
    });
    showExpr(r0, c0);
  };
}

function scatterView() {  // transposed convolution: each input cell adds a scaled kernel to the output
  const ins = [...scope.querySelectorAll(".host")].map(h => grid(h, D.h_in, D.w_in, D.x[h.dataset.c],
                                                                  D.xl[h.dataset.c], D.gx, true));
  ins.forEach(g => g.cells.forEach((cell, t) => {
    cell.classList.add("out-cell");
    cell.addEventListener("click", () => { stop(); go(t); });
  }));
  kernels();
  const outs = grid($("ohost"), D.hf, D.wf, D.full.map(() => ""), D.fl, D.go, true).cells;
  outs.forEach((cell, k) => { if (D.crop[k] === "1") cell.classList.add("crop"); });
  return () => {
    ins.forEach(g => mark(g.cells[step]));
    // latest sum wins; after the last step, cells nothing reached (output padding) show their 0
    const shown = step === N - 1 ? D.full.slice() : new Array(D.hf * D.wf).fill("");
    if (step < N - 1) for (let t = 0; t <= step; t++) D.run[t].forEach(([k, v]) => { shown[k] = v; });
    outs.forEach((cell, k) => { cell.firstChild.textContent = shown[k]; cell.classList.toggle("todo", shown[k] === ""); });
    D.run[step].forEach(([k]) => mark(outs[k]));
    const box = $("expr");  // the lines transpose_expression writes, from the same tokens
    box.textContent = "";
    D.run[step].forEach(([k, v], tap) => {
      const terms = D.x.map((xc, ch) => fac(xc[step]) + X + fac(D.w[ch][tap])).join(" + ");
      const at = `(${Math.floor(k / D.wf) - D.p}, ${k % D.wf - D.p})`;
      el("div", "line", box, `${at} += ${terms} \u2192 ${v}` + (D.crop[k] === "1" ? ` (${D.cropped})` : ""));
    });
  };
}

const render = scatter ? scatterView() : windowView();
function show(s) {
  step = Math.max(0, Math.min(N - 1, s));
  const i = Math.floor(step / cols), j = step % cols;
  clearMarks();
  render(i, j);
  $("slider").value = step; $("sn").textContent = step + 1; $("si").textContent = i; $("sj").textContent = j;
  $("first").disabled = $("prev").disabled = step === 0;
  $("last").disabled = $("next").disabled = step === N - 1;
}
function go(s) { show(s); report(step); }  // a step the person chose: the page learns it
// while playing, the page learns the step when the play stops, not at every frame (each is a rerun)
function stop() { const was = timer !== null; clearInterval(timer); timer = null; root.classList.remove("playing");
  if (was) report(step); }
function play() {
  if (step >= N - 1) show(0);
  root.classList.add("playing");
  timer = setInterval(() => { show(step + 1); if (step >= N - 1) stop(); }, D.ms / +$("speed").value);
}
const nav = {first: () => 0, prev: () => step - 1, next: () => step + 1, last: () => N - 1};
Object.entries(nav).forEach(([id, to]) => $(id).addEventListener("click", () => { stop(); go(to()); }));
$("play").addEventListener("click", () => timer ? stop() : play());
$("slider").addEventListener("input", e => { stop(); go(+e.target.value); });
$("speed").addEventListener("change", () => { if (timer) { clearInterval(timer); timer = null; play(); } });
(scope.nodeType === 9 ? scope : root).addEventListener("keydown", e => {
  const tag = e.target.tagName;
  if (tag === "INPUT" || tag === "SELECT") return;  // they handle arrows themselves
  const to = {ArrowLeft: "prev", ArrowRight: "next", Home: "first", End: "last"}[e.key];
  if (to) { e.preventDefault(); stop(); go(nav[to]()); }
});
show(D.start);
return {show: s => { stop(); show(s); }, step: () => step, playing: () => timer !== null};
}
"""

JS = PLAYER_JS + r"""
cnnvizPlayer(document, JSON.parse(document.getElementById("svdata").textContent), () => {});
"""

# The player as a Streamlit component: rebuilt when the view changes (data.key), moved when the page's
# step changes (data.start), and it reports the step a person chooses with setStateValue("step", ...).
COMPONENT_JS = PLAYER_JS + r"""
const players = new WeakMap();
export default function (component) {
  const {parentElement: host, data, setStateValue} = component;
  let box = host.querySelector(".svbox");
  if (!box) { box = document.createElement("div"); box.className = "svbox"; host.appendChild(box); }
  let p = players.get(host);
  if (!p || p.key !== data.key) {
    box.style.zoom = 1;
    box.innerHTML = data.html;  // built and escaped by cnnviz.conv.stepview
    p = {key: data.key, start: data.data.start, player: null};
    p.player = cnnvizPlayer(host, data.data, s => { p.start = s; setStateValue("step", s); });
    // the widest piece that cannot wrap: the input-and-kernel row, or the output column
    p.need = Math.max(box.querySelector(".chans").scrollWidth, data.data.rw) + data.pad;
    players.set(host, p);
  } else if (data.data.start !== p.start) {
    p.start = data.data.start;
    if (p.player.step() !== p.start) p.player.show(p.start);
  }
  // presenter view: as large as data.scale, while the widest piece still fits the page's column
  const frame = host.host || host;
  box.style.zoom = Math.max(1, Math.min(data.scale, frame.clientWidth / p.need));
}
"""

# Inside the component's shadow root the page's body rule applies to the root itself.
COMPONENT_CSS = CSS.replace("body{margin:0;", ":host{display:block;") + ".svbox{overflow-x:auto}"
