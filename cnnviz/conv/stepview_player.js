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
