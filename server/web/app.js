// capgen's local web page: pick or drop images, choose languages and a
// mode, and see the captions side by side per language with the language
// check's verdict; regions are drawn as boxes (drag on the picture) and
// dense tiles shown on the picture. Plain JavaScript, no build step.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const cards = [];
const colours = ["#e8590c", "#2456c7", "#2f9e44", "#ae3ec9", "#f08c00", "#0c8599", "#c2255c"];

const tokenInput = $("#token");
tokenInput.value = localStorage.getItem("capgen-token") || "";
tokenInput.addEventListener("change", () => {
  localStorage.setItem("capgen-token", tokenInput.value);
  loadInfo();
});

function headers() {
  const h = {};
  if (tokenInput.value) h.Authorization = "Bearer " + tokenInput.value;
  return h;
}

function setStatus(text, isError) {
  const s = $("#status");
  s.textContent = text;
  s.classList.toggle("error", !!isError);
}

async function getJSON(path) {
  const resp = await fetch(path, { headers: headers() });
  const body = await resp.json().catch(() => ({}));
  if (!resp.ok) throw new Error((body.error && body.error.message) || resp.statusText);
  return body;
}

async function loadInfo() {
  try {
    const info = await getJSON("/capgen/v1/info");
    $("#model").textContent = "model: " + info.model;
    const langs = await getJSON("/capgen/v1/languages");
    const list = $("#langlist");
    list.replaceChildren(...langs.languages.map((l) => {
      const o = document.createElement("option");
      o.value = l.tag;
      o.label = l.english + (l.native && l.native !== l.english ? " (" + l.native + ")" : "");
      return o;
    }));
    setStatus("");
  } catch (e) {
    setStatus("Cannot reach the server: " + e.message, true);
  }
}

// addImages makes a card per image file.
function addImages(files) {
  for (const file of files) {
    if (!file.type.startsWith("image/") && !/\.(jpe?g|png|gif|webp|bmp|tiff?)$/i.test(file.name)) continue;
    const node = $("#card").content.firstElementChild.cloneNode(true);
    const card = { file, node, boxes: [], result: null, kind: null, image: null };
    cards.push(card);
    $("#results").prepend(node);
    node.dataset.file = file.name;
    const img = new Image();
    img.onload = () => {
      card.image = img;
      draw(card);
    };
    img.src = URL.createObjectURL(file);
    setupBoxes(card);
    $(".copy", node).onclick = () => card.result && navigator.clipboard.writeText(JSON.stringify(card.result, null, 2));
    $(".json", node).onclick = () => card.result && download(card.file.name + ".json", JSON.stringify(card.result, null, 2), "application/json");
    $(".xmp", node).onclick = () => card.result && download(card.file.name + ".xmp", xmp(card), "application/rdf+xml");
    $(".clear-boxes", node).onclick = () => { card.boxes = []; draw(card); };
  }
  $("#run").disabled = cards.length === 0;
}

// setupBoxes lets the user drag boxes on the picture (regions mode).
function setupBoxes(card) {
  const canvas = $("canvas", card.node);
  let start = null;
  const at = (ev) => {
    const r = canvas.getBoundingClientRect();
    const sx = canvas.width / r.width, sy = canvas.height / r.height;
    return [(ev.clientX - r.left) * sx, (ev.clientY - r.top) * sy];
  };
  canvas.addEventListener("pointerdown", (ev) => {
    if ($("#mode").value !== "regions" || !card.image) return;
    start = at(ev);
    canvas.setPointerCapture(ev.pointerId);
  });
  canvas.addEventListener("pointermove", (ev) => {
    if (!start) return;
    const p = at(ev);
    draw(card, [start[0], start[1], p[0], p[1]]);
  });
  canvas.addEventListener("pointerup", (ev) => {
    if (!start) return;
    const p = at(ev);
    const b = [Math.min(start[0], p[0]), Math.min(start[1], p[1]), Math.max(start[0], p[0]), Math.max(start[1], p[1])];
    start = null;
    if (b[2] - b[0] > 4 && b[3] - b[1] > 4) card.boxes.push(b.map(Math.round));
    draw(card);
  });
}

// draw paints the picture with its boxes: the user's (regions), or the
// result's regions and tiles.
function draw(card, pending) {
  const canvas = $("canvas", card.node);
  const img = card.image;
  if (!img) return;
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const g = canvas.getContext("2d");
  g.drawImage(img, 0, 0);
  const line = Math.max(2, Math.round(canvas.width / 300));
  const box = (b, colour, label) => {
    g.lineWidth = line;
    g.strokeStyle = colour;
    g.strokeRect(b[0], b[1], b[2] - b[0], b[3] - b[1]);
    if (label) {
      g.font = `${line * 8}px system-ui, sans-serif`;
      g.fillStyle = colour;
      g.fillText(label, b[0] + line * 2, b[1] + line * 9);
    }
  };
  const r = card.result;
  if (r && card.kind === "dense") {
    r.tiles.forEach((t) => box([t.box.x0, t.box.y0, t.box.x1, t.box.y1], colours[(t.row * 3 + t.col) % colours.length], `${t.row + 1},${t.col + 1}`));
  } else if (r && card.kind === "regions") {
    r.regions.forEach((reg, i) => box([reg.box.x0, reg.box.y0, reg.box.x1, reg.box.y1], colours[i % colours.length], String(i + 1)));
  } else {
    card.boxes.forEach((b, i) => box(b, colours[i % colours.length], String(i + 1)));
  }
  if (pending) box(pending, "#000");
}

function download(name, text, type) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

function escapeXML(s) {
  return s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]);
}

// mainCaptions are the captions an XMP sidecar holds: the description's,
// or a dense run's merged descriptions; failed ones are left out.
function mainCaptions(card) {
  const r = card.result;
  const caps = card.kind === "dense" ? r.merged : card.kind === "describe" ? r.captions : [];
  return caps.filter((c) => c.status !== "failed");
}

// xmp is an XMP sidecar with one dc:description entry per language, as
// capgen batch --xmp writes.
function xmp(card) {
  const items = mainCaptions(card).map((c, i) =>
    `     <rdf:li xml:lang="${i === 0 ? "x-default" : escapeXML(c.language)}">${escapeXML(c.text)}</rdf:li>` +
    (i === 0 ? `\n     <rdf:li xml:lang="${escapeXML(c.language)}">${escapeXML(c.text)}</rdf:li>` : ""));
  return `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:description>
    <rdf:Alt>
${items.join("\n")}
    </rdf:Alt>
   </dc:description>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>
`;
}

// captionBlock renders one language's caption with its verdict.
function captionBlock(lang, caps, extra) {
  const el = document.createElement("div");
  el.className = "caption";
  el.dataset.lang = lang;
  const worst = caps.some((c) => c.status === "failed") ? "failed" : caps.some((c) => c.status === "mismatch") ? "mismatch" : "ok";
  const h = document.createElement("h3");
  h.textContent = lang;
  const v = document.createElement("span");
  v.className = "verdict " + worst;
  v.dataset.status = worst;
  v.textContent = worst === "ok" ? "language ok" : worst;
  h.append(v);
  el.append(h);
  caps.forEach((c, i) => {
    if (extra) {
      const p = document.createElement("p");
      p.className = "region";
      p.textContent = extra(i);
      el.append(p);
    }
    const t = document.createElement("p");
    t.className = "text";
    t.textContent = c.text;
    el.append(t);
    const d = document.createElement("details");
    const s = document.createElement("summary");
    const det = c.detected || {};
    s.textContent = `detected ${det.lang || "?"} (${Math.round((det.confidence || 0) * 100)}%)`;
    d.append(s);
    const why = document.createElement("div");
    why.textContent = det.reason || "";
    d.append(why);
    (c.attempts || []).forEach((a) => {
      const line = document.createElement("div");
      line.textContent = `${a.step} [${a.language}${a.detected && a.detected.match ? "" : ", failed the check"}]: ${a.text}`;
      d.append(line);
    });
    el.append(d);
  });
  return el;
}

function render(card) {
  const box = $(".captions", card.node);
  box.replaceChildren();
  const r = card.result;
  if (card.kind === "describe") {
    r.captions.forEach((c) => box.append(captionBlock(c.language, [c])));
  } else if (card.kind === "regions") {
    const byLang = new Map();
    r.regions.forEach((reg) => reg.captions.forEach((c) => {
      if (!byLang.has(c.language)) byLang.set(c.language, []);
      byLang.get(c.language).push(c);
    }));
    byLang.forEach((caps, lang) => box.append(captionBlock(lang, caps, (i) => `box ${i + 1}`)));
  } else {
    r.merged.forEach((c, li) => {
      const block = captionBlock(c.language, [c]);
      const tiles = document.createElement("details");
      const s = document.createElement("summary");
      s.textContent = "tiles";
      tiles.append(s);
      r.tiles.forEach((t) => {
        const line = document.createElement("div");
        const tc = t.captions[li];
        line.textContent = `${t.row + 1},${t.col + 1}: ${tc ? tc.text : ""}`;
        tiles.append(line);
      });
      block.append(tiles);
      box.append(block);
    });
  }
  draw(card);
}

async function caption(card) {
  const mode = $("#mode").value;
  const form = new FormData();
  form.append("image", card.file, card.file.name);
  form.append("languages", $("#langs").value);
  form.append("on_mismatch", $("#mismatch").value);
  if (mode === "describe") {
    form.append("detail", $("#detail").value);
    form.append("strategy", $("#strategy").value);
  } else if (mode === "regions") {
    if (card.boxes.length === 0) throw new Error(card.file.name + ": drag at least one box on the picture");
    form.append("boxes", JSON.stringify(card.boxes));
  }
  const resp = await fetch("/capgen/v1/" + mode, { method: "POST", body: form, headers: headers() });
  const body = await resp.json().catch(() => ({}));
  if (!resp.ok) throw new Error(card.file.name + ": " + ((body.error && body.error.message) || resp.statusText));
  card.result = body;
  card.kind = mode;
  render(card);
}

$("#run").addEventListener("click", async () => {
  $("#run").disabled = true;
  setStatus(`captioning ${cards.length} image${cards.length === 1 ? "" : "s"} ...`);
  const started = performance.now();
  const results = await Promise.allSettled(cards.map(caption));
  const failed = results.filter((r) => r.status === "rejected");
  if (failed.length) {
    setStatus(failed.map((r) => r.reason.message).join("; "), true);
  } else {
    setStatus(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  document.body.dataset.done = String(Number(document.body.dataset.done || 0) + 1);
  $("#run").disabled = false;
});

const drop = $("#drop");
drop.addEventListener("dragover", (ev) => { ev.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (ev) => {
  ev.preventDefault();
  drop.classList.remove("over");
  addImages(ev.dataTransfer.files);
});
$("#files").addEventListener("change", (ev) => addImages(ev.target.files));

loadInfo();
