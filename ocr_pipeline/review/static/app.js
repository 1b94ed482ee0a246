// vnocr review: the queue of flagged words and the document view. Plain DOM, no build step.
// Every text from the outputs goes into the page as text nodes (never as HTML).
"use strict";

const state = { items: [], index: 0, total: 0, open: 0, doneHere: 0, selected: 0, busy: false };

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") el.className = value;
    else if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    el.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
  return el;
}

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(data.error || response.statusText), { status: response.status });
  return data;
}

function show(...children) {
  const view = document.getElementById("view");
  view.replaceChildren(...children);
}

function setCounter() {
  const text = `${state.open} open of ${state.total} flags · ${state.doneHere} reviewed here`;
  document.getElementById("counter").textContent = text;
}

// ---------------------------------------------------------------- queue

async function loadQueue() {
  const data = await api("/api/queue?status=open&limit=1000");
  state.items = data.items;
  state.total = data.total;
  state.open = data.open;
  state.index = 0;
  renderItem();
}

function cropView(item) {
  const frame = h("div", { class: "crop", id: "crop" });
  if (!item.image || !item.box) {
    frame.appendChild(h("div", { class: "none muted" }, "No page image for this word."));
    return frame;
  }
  const img = h("img", { alt: `page ${item.page}` });
  const box = h("div", { class: "box" });
  img.addEventListener("load", () => {
    const fw = frame.clientWidth, fh = frame.clientHeight;
    const s = item.scale;
    const [bx, by, bw, bh] = item.box.map((v) => v * s);
    const line = item.line_box ? item.line_box.map((v) => v * s) : [bx, by, bw, bh];
    // show the word with its neighbours: the line's height three times, at least eight word widths
    const regionW = Math.min(img.naturalWidth, Math.max(bw * 8, bh * 30, 200));
    const zoom = fw / regionW;
    const regionH = fh / zoom;
    const cx = bx + bw / 2, cy = line[1] + line[3] / 2;
    const left = Math.max(0, Math.min(img.naturalWidth - regionW, cx - regionW / 2));
    const top = cy - regionH / 2;
    img.style.width = `${img.naturalWidth * zoom}px`;
    img.style.left = `${-left * zoom}px`;
    img.style.top = `${-top * zoom}px`;
    Object.assign(box.style, {
      left: `${(bx - left) * zoom - 4}px`, top: `${(by - top) * zoom - 4}px`,
      width: `${bw * zoom + 8}px`, height: `${bh * zoom + 8}px`,
    });
  });
  img.addEventListener("error", () => frame.replaceChildren(h("div", { class: "none muted" }, "No page image for this word.")));
  img.src = item.image;
  frame.append(img, box);
  return frame;
}

function lineView(item) {
  const text = item.line_text;
  if (!item.span) return h("div", { class: "line", id: "line" }, text);
  const [a, b] = item.span;
  return h("div", { class: "line", id: "line" }, text.slice(0, a), h("mark", {}, text.slice(a, b)), text.slice(b));
}

function choicesOf(item) {
  const seen = new Set();
  const out = [];
  for (const [word, p] of [[item.chosen, null], ...item.alternatives]) {
    if (seen.has(word)) { if (p !== null) out.find((c) => c.word === word).p = p; continue; }
    seen.add(word);
    out.push({ word, p });
  }
  return out.slice(0, 9);
}

function renderItem() {
  setCounter();
  if (!state.items.length) {
    show(h("div", { class: "card" }, h("p", {}, "Nothing left to review."), h("p", { class: "muted" }, "Every flagged word has been reviewed.")));
    return;
  }
  state.index = Math.max(0, Math.min(state.index, state.items.length - 1));
  const item = state.items[state.index];
  const choices = choicesOf(item);
  state.selected = 0;
  const list = h("ol", { class: "choices", id: "choices" },
    choices.map((c, i) => h("li", { class: i === 0 ? "selected" : "", "data-word": c.word, onclick: () => submit(c.word) },
      h("span", { class: "n" }, String(i + 1)), c.word, c.p === null ? null : h("span", { class: "p" }, `${Math.round(c.p * 100)}%`))));
  const input = h("input", { id: "typed", type: "text", autocomplete: "off", spellcheck: "false", placeholder: "type the right word (e)", "aria-label": "correction" });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && input.value.trim()) { event.preventDefault(); submit(input.value.trim()); }
    if (event.key === "Escape") { input.blur(); }
    event.stopPropagation();
  });
  const done = item.status !== "open";
  show(h("section", { class: "card" + (done ? " done" : ""), id: "item", "data-id": item.id },
    cropView(item),
    lineView(item),
    h("div", { class: "facts muted" },
      h("span", {}, `${state.index + 1} / ${state.items.length}`),
      h("a", { href: `#/doc/${encodeURIComponent(item.document)}` }, item.document),
      h("span", {}, `page ${item.page}, line ${item.line}`),
      h("span", {}, `OCR: ${item.original}`),
      h("span", {}, `confidence ${item.confidence === null ? "?" : Math.round(item.confidence * 100) + "%"}`)),
    list,
    h("div", { class: "typed" }, input, h("button", { onclick: () => input.value.trim() && submit(input.value.trim()) }, "Correct")),
    h("div", { class: "status", id: "status" }, done ? `reviewed: ${item.review ? item.review.corrected : ""}` : "")));
}

function select(delta) {
  const items = document.querySelectorAll("#choices li");
  if (!items.length) return;
  items[state.selected].classList.remove("selected");
  state.selected = (state.selected + delta + items.length) % items.length;
  items[state.selected].classList.add("selected");
}

async function submit(word) {
  const item = state.items[state.index];
  if (!item || state.busy || item.status !== "open") return;
  state.busy = true;
  const status = document.getElementById("status");
  try {
    const result = await api("/api/corrections", {
      document: item.document, page: item.page, line: item.line, start: item.start,
      original: item.original, chosen: item.chosen, corrected: word,
    });
    item.status = "reviewed";
    item.review = result.correction;
    state.open -= 1;
    state.doneHere += 1;
    status.className = "status ok";
    status.textContent = word === item.chosen ? `accepted: ${word}` : `corrected: ${item.chosen} → ${word}`;
    state.items.splice(state.index, 1);
    setTimeout(renderItem, 120);
  } catch (error) {
    status.className = "status err";
    status.textContent = error.status === 409 ? "Changed elsewhere: the queue is reloaded." : `Not saved: ${error.message}`;
    if (error.status === 409) setTimeout(loadQueue, 800);
  } finally {
    state.busy = false;
  }
}

function onQueueKey(event) {
  if (!location.hash.startsWith("#/queue") && location.hash !== "") return;
  if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement) return;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const item = state.items[state.index];
  if (!item) return;
  const choices = document.querySelectorAll("#choices li");
  if (/^[1-9]$/.test(event.key)) {
    const chosen = choices[Number(event.key) - 1];
    if (chosen) { event.preventDefault(); submit(chosen.dataset.word); }
  } else if (event.key === "Enter") {
    event.preventDefault();
    submit(choices[state.selected].dataset.word);
  } else if (event.key === "j" || event.key === "ArrowDown") {
    event.preventDefault(); state.index = (state.index + 1) % state.items.length; renderItem();
  } else if (event.key === "k" || event.key === "ArrowUp") {
    event.preventDefault(); state.index = (state.index - 1 + state.items.length) % state.items.length; renderItem();
  } else if (event.key === "ArrowRight" || event.key === "l") {
    event.preventDefault(); select(1);
  } else if (event.key === "ArrowLeft" || event.key === "h") {
    event.preventDefault(); select(-1);
  } else if (event.key === "e" || event.key === "/") {
    event.preventDefault(); document.getElementById("typed").focus();
  } else if (event.key === "d") {
    location.hash = `#/doc/${encodeURIComponent(item.document)}`;
  }
}

// ---------------------------------------------------------------- documents

async function loadDocuments() {
  const data = await api("/api/documents");
  show(h("table", { id: "documents" },
    h("tr", {}, h("th", {}, "document"), h("th", {}, "pages"), h("th", {}, "open flags"), h("th", {}, "type"), h("th", {}, "trích yếu")),
    data.documents.map((d) => h("tr", {},
      h("td", {}, h("a", { href: `#/doc/${encodeURIComponent(d.id)}` }, d.id)),
      h("td", {}, String(d.pages)), h("td", {}, `${d.open} / ${d.flags}`),
      h("td", {}, d.doc_type || ""), h("td", {}, d.title || "")))));
}

const FIELD_LABELS = {
  doc_type: "Loại văn bản", title: "Trích yếu", number: "Số/ký hiệu", date: "Ngày", place: "Địa danh",
  issuer: "Cơ quan ban hành", parent_body: "Cơ quan chủ quản", "signer.position": "Chức vụ người ký",
  "signer.name": "Người ký", recipients: "Nơi nhận (one a line)",
};

function fieldValue(meta, name) {
  if (name === "number" || name === "date") return meta[name] ? meta[name].raw || "" : "";
  if (name.startsWith("signer.")) return meta.signer ? meta.signer[name.slice(7)] || "" : "";
  if (name === "recipients") return (meta.recipients || []).join("\n");
  return meta[name] || "";
}

function metadataForm(doc) {
  const inputs = {};
  const status = h("div", { class: "status", id: "meta-status" });
  const fields = doc.editable.map((name) => {
    const value = fieldValue(doc.metadata, name);
    const input = name === "recipients" || name === "title"
      ? h("textarea", { rows: name === "recipients" ? 5 : 3, name })
      : h("input", { type: "text", name });
    input.value = value;
    input.dataset.original = value;
    inputs[name] = input;
    return h("label", {}, FIELD_LABELS[name] || name, input);
  });
  const save = async () => {
    const changed = Object.entries(inputs).filter(([, el]) => el.value !== el.dataset.original);
    try {
      for (const [name, el] of changed) {
        await api("/api/metadata", { document: doc.id, field: name, value: el.value });
        el.dataset.original = el.value;
      }
      status.className = "status ok";
      status.textContent = changed.length ? `saved ${changed.length} field(s)` : "nothing changed";
    } catch (error) {
      status.className = "status err";
      status.textContent = `Not saved: ${error.message}`;
    }
  };
  return h("div", { class: "card meta", id: "metadata" }, h("h3", {}, "Metadata"), fields, h("p", {}, h("button", { onclick: save, id: "save-metadata" }, "Save")), status);
}

function sectionTree(sections) {
  return h("ul", {}, sections.map((s) => h("li", {},
    h("span", { class: "label" }, s.label), s.title, s.children && s.children.length ? sectionTree(s.children) : null)));
}

async function loadDocument(id) {
  const doc = await api(`/api/document?id=${encodeURIComponent(id)}`);
  const open = doc.queue.filter((q) => q.status === "open").length;
  const pages = doc.pages.map((p) => h("div", { class: "card page", "data-page": String(p.number) },
    p.image ? h("img", { src: p.image, alt: `page ${p.number}`, loading: "lazy" }) : h("div", { class: "muted" }, "No page image."),
    h("pre", {}, p.text)));
  show(h("h2", {}, doc.id),
    h("p", { class: "muted" }, `${doc.pages.length} page(s) · ${open} open flag(s) · `,
      h("a", { href: doc.files.txt }, "x.txt"), " · ", h("a", { href: doc.files.md }, "x.md"), " · ", h("a", { href: doc.files.json }, "x.json")),
    h("div", { class: "docview" },
      h("div", {}, pages),
      h("div", {}, metadataForm(doc), h("div", { class: "card tree", id: "sections" }, h("h3", {}, "Sections"),
        doc.preamble ? h("p", { class: "muted" }, doc.preamble.slice(0, 200) + (doc.preamble.length > 200 ? "…" : "")) : null,
        sectionTree(doc.sections)))));
}

// ---------------------------------------------------------------- routing

async function route() {
  const hash = location.hash || "#/queue";
  document.getElementById("nav-queue").classList.toggle("active", hash.startsWith("#/queue"));
  document.getElementById("nav-docs").classList.toggle("active", hash.startsWith("#/doc"));
  try {
    if (hash.startsWith("#/doc/")) await loadDocument(decodeURIComponent(hash.slice(6)));
    else if (hash.startsWith("#/docs")) await loadDocuments();
    else await loadQueue();
  } catch (error) {
    show(h("div", { class: "card status err" }, `Error: ${error.message}`));
  }
}

window.addEventListener("hashchange", route);
document.addEventListener("keydown", onQueueKey);
route();
