// Segstream's live view. The server pushes, over one WebSocket, binary tiles (a 4-byte big-endian
// header length, a JSON header, the frame as JPEG, the labels as LABEL_RLE) and, every second, the
// figures as JSON text. The page draws the frame and paints the overlay itself, so the class filter
// and the opacity apply at once, without asking the server.
'use strict';

const state = {
  cameras: new Map(),   // id -> camera
  hidden: new Set(),    // class names not painted
  opacity: 0.55,
  classes: new Map(),   // name -> {colour, share}
  figures: null,
  socket: null,
  only: null,           // the camera of the camera page, or null for the grid
};
window.segstream = state; // for people debugging in the console, and for the browser tests

const $ = (id) => document.getElementById(id);

function decodeRle(bytes, n) {
  const out = new Uint8Array(n);
  let i = 0, filled = 0;
  while (i < bytes.length) {
    const label = bytes[i++];
    let run = 0, shift = 0, b;
    do { b = bytes[i++]; run += (b & 0x7f) * Math.pow(2, shift); shift += 7; } while (b >= 0x80);
    if (filled + run > n) throw new Error('label RLE overflows the mask');
    out.fill(label, filled, filled + run);
    filled += run;
  }
  if (filled !== n) throw new Error('label RLE covers ' + filled + ' of ' + n + ' pixels');
  return out;
}

function hexToRgb(hex) {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

function tileFor(id) {
  let cam = state.cameras.get(id);
  if (cam) return cam;
  const el = document.createElement('div');
  el.className = 'tile';
  el.dataset.camera = id;
  el.innerHTML = '<div class="picture"><canvas class="frame"></canvas><canvas class="overlay"></canvas></div>'
    + '<div class="shares"></div>'
    + '<div class="caption"><span class="camera"></span><span class="figure fps"></span>'
    + '<span class="figure latency"></span><span class="figure crf"></span><span class="figure counts"></span>'
    + '<span class="age"></span></div>';
  el.querySelector('.camera').textContent = id;
  el.addEventListener('click', () => { if (!state.only) location.hash = 'camera=' + encodeURIComponent(id); });
  cam = { id, el, frame: el.querySelector('canvas.frame'), overlay: el.querySelector('canvas.overlay'),
    labels: null, image: null, width: 0, height: 0, model: null, sequence: null, tiles: 0, paints: 0 };
  state.cameras.set(id, cam);
  const grid = $('grid');
  const after = [...grid.children].find((c) => c.dataset.camera > id);
  grid.insertBefore(el, after || null);
  $('empty').hidden = true;
  route();
  return cam;
}

function paintOverlay(cam) {
  if (!cam.labels || !cam.model) return;
  const { width: w, height: h, labels, model } = cam;
  const ctx = cam.overlay.getContext('2d');
  if (!cam.image || cam.image.width !== w || cam.image.height !== h) cam.image = ctx.createImageData(w, h);
  const image = cam.image; // reused from paint to paint: cleared, not reallocated
  const px = image.data;
  px.fill(0);
  const alpha = Math.round(state.opacity * 255);
  const colours = model.palette.map((hex, i) => {
    const name = model.classes[i] || String(i);
    return i === model.background || state.hidden.has(name) ? null : hexToRgb(hex);
  });
  for (let p = 0, o = 0; p < labels.length; p++, o += 4) {
    const c = colours[labels[p]];
    if (c) { px[o] = c[0]; px[o + 1] = c[1]; px[o + 2] = c[2]; px[o + 3] = alpha; }
  }
  ctx.putImageData(image, 0, 0);
  cam.paints++;
}

async function onTile(buffer) {
  const view = new DataView(buffer);
  const headLength = view.getUint32(0);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, headLength)));
  const jpeg = new Uint8Array(buffer, 4 + headLength, header.frameBytes);
  const rle = new Uint8Array(buffer, 4 + headLength + header.frameBytes, header.maskBytes);
  const cam = tileFor(header.camera);
  const { width: w, height: h } = header;
  if (cam.width !== w || cam.height !== h) {
    cam.frame.width = cam.overlay.width = w;
    cam.frame.height = cam.overlay.height = h;
    cam.width = w; cam.height = h;
  }
  cam.model = header.model;
  cam.labels = decodeRle(rle, w * h);
  learnClasses(header.model);
  if (jpeg.length > 0) {
    const bitmap = await createImageBitmap(new Blob([jpeg], { type: 'image/jpeg' }));
    cam.frame.getContext('2d').drawImage(bitmap, 0, 0, w, h);
    bitmap.close();
  }
  paintOverlay(cam);
  cam.sequence = header.sequence;
  cam.tiles++;
  cam.el.dataset.sequence = header.sequence;
  cam.el.dataset.tiles = cam.tiles;
}

function learnClasses(model) {
  let added = false;
  model.classes.forEach((name, i) => {
    if (i !== model.background && !state.classes.has(name)) {
      state.classes.set(name, { colour: model.palette[i] || '#ffffff', share: 0 });
      added = true;
    }
  });
  if (added) renderLegend();
}

function onFigures(figures) {
  state.figures = figures;
  const shares = new Map();
  let shown = 0;
  for (const f of figures.cameras) {
    const cam = tileFor(f.camera);
    const el = cam.el;
    el.classList.toggle('stopped', f.stopped);
    el.querySelector('.fps').textContent = f.fps.toFixed(1) + ' fps';
    el.querySelector('.latency').textContent = f.latencyMs.toFixed(0) + ' ms';
    el.querySelector('.crf').textContent = !f.crf ? '' : !f.crf.applied ? 'CRF off'
      : 'CRF ' + f.crf.iterations + ' it ' + (f.crf.warm ? 'warm' : 'cold');
    el.querySelector('.counts').textContent = f.skipped + ' skipped · ' + f.deadLettered + ' dead-lettered';
    el.querySelector('.age').textContent = 'last frame ' + Math.round(f.sinceMs / 1000) + ' s ago';
    const bar = el.querySelector('.shares');
    bar.textContent = '';
    if (!f.model) continue;
    if (state.only && state.only !== f.camera) continue;
    shown++;
    for (const [index, share] of f.shares) {
      const name = f.model.classes[index] || String(index);
      if (index === f.model.background) continue;
      shares.set(name, (shares.get(name) || 0) + share);
      const span = document.createElement('span');
      span.style.width = (share * 100) + '%';
      span.style.background = f.model.palette[index];
      span.title = name + ' ' + (share * 100).toFixed(1) + '%';
      bar.appendChild(span);
    }
  }
  for (const [name, entry] of state.classes) entry.share = shown ? (shares.get(name) || 0) / shown : 0;
  const live = figures.cameras.filter((f) => !f.stopped).length;
  $('summary').textContent = figures.cameras.length + ' cameras, ' + live + ' live';
  renderLegend();
}

// The legend's entries are kept and updated in place (only their order changes), so a click lands on
// the entry it was aimed at even while the figures arrive.
const legendItems = new Map(); // class name -> li

function legendItem(name, entry) {
  let li = legendItems.get(name);
  if (li) return li;
  li = document.createElement('li');
  li.dataset.class = name;
  li.innerHTML = '<span class="swatch"></span><span class="name"></span><span class="share"></span>'
    + '<button type="button" class="only">only</button>';
  li.querySelector('.swatch').style.background = entry.colour;
  li.querySelector('.name').textContent = name;
  li.addEventListener('click', (e) => {
    if (e.target.classList.contains('only')) {
      state.hidden = new Set([...state.classes.keys()].filter((n) => n !== name));
    } else if (state.hidden.has(name)) {
      state.hidden.delete(name);
    } else {
      state.hidden.add(name);
    }
    repaintAll();
  });
  legendItems.set(name, li);
  return li;
}

function renderLegend() {
  const legend = $('legend');
  const entries = [...state.classes.entries()].sort((a, b) => b[1].share - a[1].share);
  for (const [name, entry] of entries) {
    const li = legendItem(name, entry);
    li.classList.toggle('hidden', state.hidden.has(name));
    li.querySelector('.share').textContent = entry.share > 0 ? (entry.share * 100).toFixed(1) + '%' : '';
    if (legend.lastElementChild !== li) legend.appendChild(li);
  }
}

function repaintAll() {
  for (const cam of state.cameras.values()) paintOverlay(cam);
  renderLegend();
}

function route() {
  const match = /^#camera=(.+)$/.exec(location.hash);
  state.only = match ? decodeURIComponent(match[1]) : null;
  $('controls').hidden = !state.only;
  $('grid').classList.toggle('single', !!state.only);
  for (const cam of state.cameras.values()) cam.el.hidden = !!state.only && cam.id !== state.only;
}

function connect() {
  const socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws');
  socket.binaryType = 'arraybuffer';
  state.socket = socket;
  let chain = Promise.resolve();
  socket.onopen = () => { $('status').textContent = 'live'; $('status').className = 'status live'; };
  socket.onmessage = (event) => {
    if (typeof event.data === 'string') {
      onFigures(JSON.parse(event.data));
    } else {
      const data = event.data;
      chain = chain.then(() => onTile(data)).catch((e) => console.error('tile not shown:', e));
    }
  };
  socket.onclose = () => {
    $('status').textContent = 'reconnecting…';
    $('status').className = 'status down';
    setTimeout(connect, 1000);
  };
}

$('opacity').addEventListener('input', (e) => { state.opacity = e.target.value / 100; repaintAll(); });
$('show-all').addEventListener('click', () => { state.hidden.clear(); repaintAll(); });
window.addEventListener('hashchange', () => { route(); if (state.figures) onFigures(state.figures); });
route();
connect();
