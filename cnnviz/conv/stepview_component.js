const players = new WeakMap();
export default function (component) {
  const {parentElement: host, data, setStateValue} = component;
  let box = host.querySelector(".svbox");
  if (!box) { box = document.createElement("div"); box.className = "svbox"; host.appendChild(box); }
  let p = players.get(host);
  if (!p || p.key !== data.key) {
    const numbers = JSON.parse(data.data);  // sent as text (see step_component_data)
    box.style.zoom = 1;
    box.innerHTML = data.html;  // built and escaped by cnnviz.conv.stepview
    p = {key: data.key, start: data.start, player: null};
    p.player = cnnvizPlayer(host, numbers, s => { p.start = s; setStateValue("step", s); });
    // the widest piece that cannot wrap: the input-and-kernel row, or the output column
    p.need = Math.max(box.querySelector(".chans").scrollWidth, numbers.rw) + data.pad;
    players.set(host, p);
  } else if (data.start !== p.start) {
    p.start = data.start;
    if (p.player.step() !== p.start) p.player.show(p.start);
  }
  // presenter view: as large as data.scale, while the widest piece still fits the page's column
  const frame = host.host || host;
  box.style.zoom = Math.max(1, Math.min(data.scale, frame.clientWidth / p.need));
}
