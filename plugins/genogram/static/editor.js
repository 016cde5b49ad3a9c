// The genogram editor: the document in memory, undo/redo, the side panel, the server-drawn
// pictures (POST /render after each edit), dragging and keyboard use (people sideways in the
// genogram, contacts anywhere in the network map), saving and importing.
//
// No framework and no build step. The pictures are drawn by the server (plugins/genogram/svg.py);
// this script only swaps them in and reads the people's places from their data-x/data-y.

import * as M from "./editor-model.js";
import { Navigator } from "./editor-keys.js";

const RENDER_DELAY_MS = 120;
const HISTORY_LIMIT = 200;
const DRAG_THRESHOLD_PX = 4;
const RING_PADDING = 6;
const SVG_NS = "http://www.w3.org/2000/svg";
// In the network map: the contacts and the household's members (the lines carry node ids too).
const NETWORK_ITEMS = '[role="graphics-symbol"][data-node-id], [role="graphics-symbol"][data-person-id]';
const NETWORK_NODE = '[role="graphics-symbol"][data-node-id]';
const NEW_HOUSEHOLD = "new";
const ARROW_STEPS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

function format(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => (key in values ? String(values[key]) : `{${key}}`));
}

function randomKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function getPath(item, path) {
  return path.split(".").reduce((value, key) => (value == null ? undefined : value[key]), item);
}

function setPath(item, path, value) {
  const keys = path.split(".");
  let target = item;
  for (const key of keys.slice(0, -1)) {
    if (target[key] == null || typeof target[key] !== "object") target[key] = {};
    target = target[key];
  }
  target[keys.at(-1)] = value;
}

function isTextEntry(el) {
  if (!el) return false;
  if (el.isContentEditable || el.tagName === "TEXTAREA") return true;
  return el.tagName === "INPUT" && !["checkbox", "radio", "button", "submit", "file"].includes(el.type);
}

function svgFrom(markup) {
  const template = document.createElement("template");
  template.innerHTML = markup.trim();
  return template.content.querySelector("svg");
}

class Editor {
  constructor(root) {
    this.root = root;
    this.msg = JSON.parse(document.getElementById("genogram-messages").textContent);
    this.doc = JSON.parse(document.getElementById("genogram-data").textContent);
    this.savedJson = JSON.stringify(this.doc);
    this.undoStack = [];
    this.redoStack = [];
    this.selection = null; // {type: person|union|parentage|tie|node, id | child+parent}
    this.backTo = null; // the person a union/link/tie panel was opened from
    this.rovingPerson = null;
    this.avatars = false;
    this.familyView = false;
    this.renderTimer = null;
    this.renderSeq = 0;
    this.renderAbort = null;
    this.renderCount = 0;
    this.pendingFocus = null;
    this.problems = []; // [{ref, field, path, messages}]
    this.saving = false;
    this.saveAttempt = null; // {json, key}: a retry of the same content reuses its key
    this.nav = new Navigator();
    this.drag = null;
    this.nodeDrag = null; // a network contact being dragged
    this.fresh = null; // the item just added, while its details are being typed in

    this.figure = document.getElementById("genogram-figure");
    this.networkFigure = document.getElementById("network-figure");
    this.tableBox = document.getElementById("genogram-table");
    this.summary = document.getElementById("genogram-summary");
    this.status = document.getElementById("editor-status");
    this.problemBox = document.getElementById("editor-problems");
    this.problemList = document.getElementById("editor-problem-list");
    this.panel = document.getElementById("editor-panel");
    this.panelHeading = document.getElementById("editor-panel-heading");
    this.panelEmpty = document.getElementById("editor-panel-empty");
    this.forms = {};
    for (const form of this.panel.querySelectorAll("form.panel-form")) {
      this.forms[form.dataset.kind] = form;
    }
    this.confirmDialog = document.getElementById("editor-confirm");
    this.buttons = {
      undo: document.getElementById("editor-undo"),
      redo: document.getElementById("editor-redo"),
      save: document.getElementById("editor-save"),
      avatars: document.getElementById("editor-avatars"),
      familyView: document.getElementById("editor-family-view"),
    };
  }

  start() {
    this.bindToolbar();
    this.bindPicture();
    this.bindNetwork();
    this.bindPanel();
    this.bindImport();
    this.bindGlobalKeys();
    window.addEventListener("beforeunload", (event) => {
      if (this.isDirty()) event.preventDefault();
    });
    this.rovingPerson = this.doc.index_person;
    this.decorate();
    this.updateHistoryButtons();
    this.root.dataset.ready = "true";
  }

  // --- the document and its history ------------------------------------------------------

  /** One edit: a new snapshot (the old one goes to undo), then a new picture. With `coalesce`
   * the edit joins the previous undo step (the details typed into a person just added). */
  edit(change, { coalesce = false } = {}) {
    const next = M.clone(this.doc);
    const result = change(next);
    if (JSON.stringify(next) === JSON.stringify(this.doc)) return result;
    if (!coalesce) {
      this.undoStack.push(this.doc);
      if (this.undoStack.length > HISTORY_LIMIT) this.undoStack.shift();
      this.fresh = null;
    }
    this.redoStack = [];
    this.doc = next;
    this.changed();
    return result;
  }

  replaceDocument(doc) {
    this.fresh = null;
    this.undoStack.push(this.doc);
    this.redoStack = [];
    this.doc = doc;
    this.changed();
  }

  undo() {
    if (!this.undoStack.length) return this.announce(this.msg.nothing_to_undo);
    this.fresh = null;
    this.redoStack.push(this.doc);
    this.doc = this.undoStack.pop();
    this.changed();
    this.announce(this.msg.undone);
  }

  redo() {
    if (!this.redoStack.length) return this.announce(this.msg.nothing_to_redo);
    this.fresh = null;
    this.undoStack.push(this.doc);
    this.doc = this.redoStack.pop();
    this.changed();
    this.announce(this.msg.redone);
  }

  changed() {
    if (this.selection && !M.resolve(this.doc, this.selection)) {
      const fallback = this.backTo && M.resolve(this.doc, this.backTo) ? this.backTo : null;
      this.selection = fallback;
      if (!fallback) this.backTo = null;
    }
    if (!M.person(this.doc, this.rovingPerson)) this.rovingPerson = this.doc.index_person;
    this.updateHistoryButtons();
    this.updateDirty();
    this.showPanel();
    this.scheduleRender();
  }

  isDirty() {
    return JSON.stringify(this.doc) !== this.savedJson;
  }

  updateDirty() {
    const dirty = this.isDirty();
    document.getElementById("editor-dirty").hidden = !dirty;
    this.root.dataset.dirty = String(dirty);
  }

  updateHistoryButtons() {
    this.buttons.undo.setAttribute("aria-disabled", String(!this.undoStack.length));
    this.buttons.redo.setAttribute("aria-disabled", String(!this.redoStack.length));
    this.root.dataset.undo = String(this.undoStack.length);
    this.root.dataset.redo = String(this.redoStack.length);
  }

  announce(text) {
    // Emptied first so the same words twice are announced twice.
    window.clearTimeout(this.announceTimer);
    this.status.textContent = "";
    this.announceTimer = window.setTimeout(() => {
      this.status.textContent = text;
    }, 30);
  }

  name(personId) {
    return M.displayName(M.person(this.doc, personId), this.msg.unnamed);
  }

  // --- the pictures ------------------------------------------------------------------------

  /** A new picture for the latest edit, a moment after it (typing runs of edits make one
   * request); an answer for anything older than the latest edit is dropped: latest wins. */
  scheduleRender() {
    this.renderSeq += 1;
    const seq = this.renderSeq;
    if (this.renderAbort) this.renderAbort.abort();
    this.renderAbort = null;
    this.root.dataset.renderState = "pending";
    window.clearTimeout(this.renderTimer);
    this.renderTimer = window.setTimeout(() => this.render(seq), RENDER_DELAY_MS);
  }

  async render(seq) {
    if (seq !== this.renderSeq) return;
    const abort = new AbortController();
    this.renderAbort = abort;
    const sent = this.doc;
    let response;
    let body;
    try {
      response = await this.send(this.root.dataset.renderUrl, {
        method: "POST",
        headers: this.headers(),
        body: JSON.stringify({ genogram: sent, avatars: this.avatars, family_view: this.familyView }),
        signal: abort.signal,
      });
      body = await response.json();
    } catch (error) {
      if (error.name === "AbortError") return;
      if (seq === this.renderSeq) {
        this.root.dataset.renderState = "error";
        this.announce(this.msg.network_error);
      }
      return;
    }
    if (seq !== this.renderSeq) return; // a newer edit is already on its way: latest wins
    if (response.ok) {
      this.swap(body);
      this.setProblems({}, sent);
      this.renderCount += 1;
      this.root.dataset.renderCount = String(this.renderCount);
      this.root.dataset.renderState = "idle";
    } else if (response.status === 422 && body.errors) {
      const count = this.setProblems(body.errors, sent);
      this.pendingFocus = null;
      this.root.dataset.renderState = "invalid";
      this.announce(format(this.msg.render_problems, { count }));
    } else {
      this.root.dataset.renderState = "error";
      this.announce(body.error || body.detail || body.title || this.msg.network_error);
    }
  }

  headers() {
    return {
      "Content-Type": "application/json",
      Accept: "application/json",
      "X-CSRF-Token": this.root.dataset.csrfToken,
    };
  }

  /** fetch with the launch's CSRF token. A 403 may mean the token belongs to a launch this
   * browser no longer holds (the client opened again in another tab or frame): ask the host for
   * the current one (GET /c/<client>/api/session) and try once more. */
  async send(url, init) {
    const response = await fetch(url, { credentials: "same-origin", ...init });
    if (response.status !== 403 || !this.root.dataset.sessionUrl) return response;
    const session = await fetch(this.root.dataset.sessionUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!session.ok) return response;
    const { csrf_token: token } = await session.json();
    if (!token || token === this.root.dataset.csrfToken) return response;
    this.root.dataset.csrfToken = token;
    for (const field of document.querySelectorAll('input[name="csrf_token"]')) field.value = token;
    const headers = { ...(init.headers || {}), "X-CSRF-Token": token };
    let body = init.body;
    if (body instanceof FormData) body.set("csrf_token", token);
    return fetch(url, { credentials: "same-origin", ...init, headers, body });
  }

  swap(body) {
    const active = document.activeElement;
    let focusPerson = null;
    let focusNode = null;
    if (active && this.figure.contains(active)) {
      focusPerson = active.closest("[data-person-id]")?.dataset.personId || this.rovingPerson;
    } else if (active && this.networkFigure.contains(active)) {
      focusNode = active.closest(NETWORK_ITEMS)?.id || null;
    }
    if (this.pendingFocus) focusPerson = this.pendingFocus;
    this.pendingFocus = null;
    this.replaceSvg(this.figure, body.genogram_svg);
    this.replaceSvg(this.networkFigure, body.network_svg);
    if (this.tableBox) this.tableBox.innerHTML = body.table_html;
    if (this.summary) this.summary.textContent = body.summary;
    this.decorate();
    if (focusPerson) {
      const target = this.personElement(focusPerson) || this.personElement(this.rovingPerson);
      if (target) target.focus();
    } else if (focusNode) {
      const el = this.networkFigure.querySelector(`#${CSS.escape(focusNode)}`);
      if (el) {
        for (const n of this.networkFigure.querySelectorAll(NETWORK_ITEMS)) n.setAttribute("tabindex", n === el ? "0" : "-1");
        el.focus();
      }
    }
  }

  replaceSvg(container, markup) {
    if (!container || !markup) return;
    const fresh = svgFrom(markup);
    if (!fresh) return;
    const old = container.querySelector(":scope > svg");
    if (old) old.replaceWith(fresh);
    else container.prepend(fresh);
  }

  personElement(id) {
    if (!id) return null;
    return this.figure.querySelector(`[data-person-id="${CSS.escape(id)}"]`);
  }

  nodeElement(id) {
    if (!id) return null;
    return this.networkFigure.querySelector(`${NETWORK_NODE}[data-node-id="${CSS.escape(id)}"]`);
  }

  /** After each new picture: one tab stop in each picture, rings for focus and selection
   * (also a larger target for fingers), the selected item marked. */
  decorate() {
    const people = [...this.figure.querySelectorAll("[data-person-id]")];
    if (people.length && !people.some((el) => el.dataset.personId === this.rovingPerson)) {
      this.rovingPerson = people[0].dataset.personId;
    }
    for (const el of people) {
      el.setAttribute("tabindex", el.dataset.personId === this.rovingPerson ? "0" : "-1");
      this.addRing(el);
    }
    const nodes = [...this.networkFigure.querySelectorAll(NETWORK_ITEMS)];
    nodes.forEach((el, i) => {
      el.setAttribute("tabindex", i === 0 ? "0" : "-1");
      this.addRing(el);
    });
    for (const el of this.figure.querySelectorAll("[data-union-id], [data-tie-id]")) {
      el.classList.add("is-pickable");
      this.addRing(el, "editor-ring line-ring");
    }
    this.markSelection();
  }

  addRing(el, className = "editor-ring") {
    if (el.querySelector(":scope > .editor-ring")) return;
    let box;
    try {
      box = el.getBBox();
    } catch {
      return;
    }
    if (!box || (!box.width && !box.height)) return;
    const ring = document.createElementNS(SVG_NS, "rect");
    ring.setAttribute("class", className);
    ring.setAttribute("x", String(box.x - RING_PADDING));
    ring.setAttribute("y", String(box.y - RING_PADDING));
    ring.setAttribute("width", String(box.width + 2 * RING_PADDING));
    ring.setAttribute("height", String(box.height + 2 * RING_PADDING));
    ring.setAttribute("rx", "6");
    ring.setAttribute("aria-hidden", "true");
    el.prepend(ring);
  }

  markSelection() {
    for (const el of this.root.querySelectorAll(".is-selected")) el.classList.remove("is-selected");
    const ref = this.selection;
    if (!ref) return;
    let el = null;
    if (ref.type === "person") el = this.personElement(ref.id);
    else if (ref.type === "node") el = this.nodeElement(ref.id);
    else if (ref.type === "union") {
      el = this.figure.querySelector(`[data-union-id="${CSS.escape(ref.id)}"]`);
    } else if (ref.type === "tie") {
      el = this.figure.querySelector(`[data-tie-id="${CSS.escape(ref.id)}"]`);
    } else if (ref.type === "household") {
      el = this.figure.querySelector(`[data-household-id="${CSS.escape(ref.id)}"]`);
    }
    el?.classList.add("is-selected");
  }

  // --- selection and focus -----------------------------------------------------------------

  select(ref) {
    if (this.fresh && !M.sameRef(this.fresh, ref)) this.fresh = null;
    this.selection = ref;
    if (ref && ref.type === "person") {
      this.backTo = ref;
      this.setRoving(ref.id);
    }
    this.markSelection();
    this.showPanel();
  }

  setRoving(id) {
    if (!id) return;
    this.rovingPerson = id;
    for (const el of this.figure.querySelectorAll("[data-person-id]")) {
      el.setAttribute("tabindex", el.dataset.personId === id ? "0" : "-1");
    }
  }

  /** Focus a person in the picture; one not drawn yet is focused when the new picture comes. */
  focusPerson(id) {
    this.select({ type: "person", id });
    const el = this.personElement(id);
    if (el && this.root.dataset.renderState !== "pending") {
      el.focus();
    } else {
      this.pendingFocus = id;
      if (el) el.focus();
    }
  }

  returnToPicture() {
    this.fresh = null; // leaving the panel ends the adding: the next change is a step of its own
    const id = this.selection?.type === "person" ? this.selection.id : this.rovingPerson;
    if (this.selection?.type === "node") {
      const node = this.nodeElement(this.selection.id);
      if (node) return node.focus();
    }
    this.focusPerson(M.person(this.doc, id) ? id : this.doc.index_person);
  }

  openPanel(field) {
    const form = this.activeForm();
    if (!form) return;
    const target = field
      ? form.querySelector(`[name="${CSS.escape(field)}"]`) || form.querySelector(`[name^="${CSS.escape(field)}."]`)
      : form.querySelector("input:not([type=hidden]):not([data-skip]), select, textarea");
    (target || this.panelHeading).focus();
    if (target && target.select && target.type === "text") target.select();
  }

  // --- toolbar -----------------------------------------------------------------------------

  bindToolbar() {
    this.buttons.undo.addEventListener("click", () => this.undo());
    this.buttons.redo.addEventListener("click", () => this.redo());
    this.buttons.save.addEventListener("click", () => this.save());
    document.getElementById("editor-add-person").addEventListener("click", () => {
      const id = this.edit((doc) => M.addPerson(doc));
      this.afterAdd(id);
    });
    document.getElementById("editor-add-node").addEventListener("click", () => {
      const persons = this.selection?.type === "person" ? [this.selection.id] : [];
      const id = this.edit((doc) => M.addNetworkNode(doc, this.msg.new_node, persons));
      this.select({ type: "node", id });
      this.fresh = { type: "node", id };
      this.announce(this.msg.added_node);
      this.openPanel("label");
    });
    const toggle = (button, key) => {
      button.addEventListener("click", () => {
        this[key] = !this[key];
        button.setAttribute("aria-pressed", String(this[key]));
        this.root.classList.toggle(`mode-${button.id.replace("editor-", "")}`, this[key]);
        this.scheduleRender();
      });
    };
    toggle(this.buttons.avatars, "avatars");
    toggle(this.buttons.familyView, "familyView");
  }

  afterAdd(id) {
    this.select({ type: "person", id });
    this.fresh = { type: "person", id };
    this.pendingFocus = null;
    this.announce(this.msg.added_person);
    this.openPanel("first_names");
  }

  addRelative(kind, personId) {
    const adders = {
      parent: M.addParent,
      partner: M.addPartner,
      child: M.addChild,
      sibling: M.addSibling,
    };
    if (!M.person(this.doc, personId)) return;
    const id = this.edit((doc) => adders[kind](doc, personId));
    this.afterAdd(id);
  }

  // --- the genogram picture: pointer and keys ------------------------------------------------

  bindPicture() {
    const fig = this.figure;
    fig.addEventListener("focusin", (event) => {
      const el = event.target.closest?.("[data-person-id]");
      if (el && !M.sameRef(this.selection, { type: "person", id: el.dataset.personId })) {
        this.select({ type: "person", id: el.dataset.personId });
      }
    });
    fig.addEventListener("pointerdown", (event) => this.dragStart(event));
    fig.addEventListener("pointermove", (event) => this.dragMove(event));
    fig.addEventListener("pointerup", (event) => this.dragEnd(event, false));
    fig.addEventListener("pointercancel", (event) => this.dragEnd(event, true));
    fig.addEventListener("click", (event) => {
      if (event.target.closest("[data-person-id]")) return; // handled by the pointer events
      const tieEl = event.target.closest("[data-tie-id]");
      if (tieEl && M.tie(this.doc, tieEl.dataset.tieId)) {
        this.select({ type: "tie", id: tieEl.dataset.tieId });
        return;
      }
      const unionEl = event.target.closest("[data-union-id]");
      if (unionEl && M.union(this.doc, unionEl.dataset.unionId)) {
        this.select({ type: "union", id: unionEl.dataset.unionId });
        return;
      }
      const householdEl = event.target.closest("[data-household-id]");
      if (householdEl && M.household(this.doc, householdEl.dataset.householdId)) {
        this.select({ type: "household", id: householdEl.dataset.householdId });
      }
    });
    fig.addEventListener("keydown", (event) => this.pictureKey(event));
  }

  localPoint(event, element) {
    const ctm = element.getScreenCTM();
    if (!ctm) return null;
    const svg = element.ownerSVGElement || element;
    const point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    return point.matrixTransform(ctm.inverse());
  }

  dragStart(event) {
    if (event.button !== 0 || this.drag) return;
    const el = event.target.closest("[data-person-id]");
    if (!el || !el.parentNode) return;
    const start = this.localPoint(event, el.parentNode);
    if (!start) return;
    this.drag = {
      el,
      id: el.dataset.personId,
      pointerId: event.pointerId,
      start,
      clientX: event.clientX,
      x: Number.parseFloat(el.dataset.x || "0"),
      transform: el.getAttribute("transform") || "",
      dx: 0,
      moved: false,
    };
    el.setPointerCapture?.(event.pointerId);
  }

  dragMove(event) {
    const drag = this.drag;
    if (!drag || event.pointerId !== drag.pointerId) return;
    if (!drag.moved && Math.abs(event.clientX - drag.clientX) < DRAG_THRESHOLD_PX) return;
    const point = this.localPoint(event, drag.el.parentNode);
    if (!point) return;
    drag.moved = true;
    drag.dx = point.x - drag.start.x;
    drag.el.setAttribute("transform", `${drag.transform} translate(${drag.dx} 0)`.trim());
    drag.el.classList.add("is-dragging");
    event.preventDefault();
  }

  dragEnd(event, cancelled) {
    const drag = this.drag;
    if (!drag || event.pointerId !== drag.pointerId) return;
    this.drag = null;
    drag.el.releasePointerCapture?.(event.pointerId);
    drag.el.classList.remove("is-dragging");
    if (cancelled || !drag.moved) {
      if (drag.transform) drag.el.setAttribute("transform", drag.transform);
      else drag.el.removeAttribute("transform");
      if (!cancelled) this.focusPerson(drag.id);
      return;
    }
    // Where it was dropped stays until the new picture replaces it.
    this.select({ type: "person", id: drag.id });
    this.pendingFocus = drag.id;
    drag.el.focus({ preventScroll: true });
    this.edit((doc) => M.setPin(doc, drag.id, drag.x + drag.dx));
  }

  pictureKey(event) {
    const el = event.target.closest?.("[data-person-id]");
    if (!el) return;
    const id = el.dataset.personId;
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const plain = !event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey;
    const onlyShift = event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey;
    const onlyAlt = event.altKey && !event.shiftKey && !event.ctrlKey && !event.metaKey;
    let handled = true;
    if (onlyAlt && (key === "ArrowLeft" || key === "ArrowRight")) {
      this.nudge(id, key === "ArrowRight" ? 1 : -1);
    } else if (onlyShift && key === "ArrowUp") {
      this.addRelative("parent", id);
    } else if (onlyShift && key === "ArrowDown") {
      this.addRelative("child", id);
    } else if (onlyShift && (key === "ArrowRight" || key === "ArrowLeft")) {
      this.addRelative("sibling", id);
    } else if (onlyShift && key === "p") {
      this.addRelative("partner", id);
    } else if (plain && ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "p"].includes(key)) {
      const target = this.nav.next(this.doc, this.figure, id, key);
      if (target) this.focusPerson(target);
      else if (key === "p") this.announce(format(this.msg.no_partner, { name: this.name(id) }));
      else this.announce(this.msg.nowhere);
    } else if (plain && (key === "Enter" || key === "F2")) {
      this.select({ type: "person", id });
      this.openPanel();
    } else if (plain && key === " ") {
      this.select({ type: "person", id });
    } else if (plain && (key === "Delete" || key === "Backspace")) {
      this.select({ type: "person", id });
      this.remove();
    } else {
      handled = false;
    }
    if (handled) event.preventDefault();
  }

  nudge(id, direction) {
    const el = this.personElement(id);
    if (!el) return;
    const step = Number.parseFloat(this.root.dataset.pinStep || "40");
    const x = Number.parseFloat(el.dataset.x || "0") + direction * step;
    this.pendingFocus = id;
    this.edit((doc) => M.setPin(doc, id, x));
    this.announce(format(this.msg.moved, { name: this.name(id) }));
  }

  // --- the network map -----------------------------------------------------------------------

  bindNetwork() {
    const fig = this.networkFigure;
    if (!fig) return;
    const pick = (el) => {
      if (!el) return;
      if (el.dataset.nodeId && M.node(this.doc, el.dataset.nodeId)) {
        this.select({ type: "node", id: el.dataset.nodeId });
      } else if (el.dataset.personId && M.person(this.doc, el.dataset.personId)) {
        this.select({ type: "person", id: el.dataset.personId });
      }
    };
    fig.addEventListener("click", (event) => pick(event.target.closest(NETWORK_ITEMS)));
    fig.addEventListener("pointerdown", (event) => this.nodeDragStart(event));
    fig.addEventListener("pointermove", (event) => this.nodeDragMove(event));
    fig.addEventListener("pointerup", (event) => this.nodeDragEnd(event, false));
    fig.addEventListener("pointercancel", (event) => this.nodeDragEnd(event, true));
    fig.addEventListener("keydown", (event) => {
      const el = event.target.closest?.(NETWORK_ITEMS);
      if (!el || event.ctrlKey || event.metaKey) return;
      const step = ARROW_STEPS[event.key];
      if (event.altKey) {
        // Alt + arrow moves a contact; the household's members stay in the centre.
        if (!step || event.shiftKey) return;
        event.preventDefault(); // not the browser's Back and Forward
        pick(el);
        if (el.dataset.nodeId) this.nudgeNode(el.dataset.nodeId, step[0], step[1]);
        else this.announce(this.msg.centre_fixed);
        return;
      }
      const nodes = [...fig.querySelectorAll(NETWORK_ITEMS)];
      const at = nodes.indexOf(el);
      let next = null;
      if (event.key === "ArrowRight" || event.key === "ArrowDown") next = nodes[(at + 1) % nodes.length];
      else if (event.key === "ArrowLeft" || event.key === "ArrowUp") next = nodes[(at - 1 + nodes.length) % nodes.length];
      else if (event.key === "Enter" || event.key === "F2") {
        pick(el);
        this.openPanel();
      } else if (event.key === "Delete") {
        pick(el);
        this.remove();
      } else return;
      event.preventDefault();
      if (next) {
        for (const n of nodes) n.setAttribute("tabindex", n === next ? "0" : "-1");
        next.focus();
        pick(next);
      }
    });
  }

  nodeDragStart(event) {
    if (event.button !== 0 || this.nodeDrag) return;
    const el = event.target.closest(NETWORK_NODE);
    if (!el || !el.parentNode || !M.node(this.doc, el.dataset.nodeId)) return;
    const start = this.localPoint(event, el.parentNode);
    if (!start) return;
    this.nodeDrag = {
      el,
      id: el.dataset.nodeId,
      pointerId: event.pointerId,
      start,
      clientX: event.clientX,
      clientY: event.clientY,
      x: Number.parseFloat(el.dataset.x || "0"),
      y: Number.parseFloat(el.dataset.y || "0"),
      transform: el.getAttribute("transform") || "",
      dx: 0,
      dy: 0,
      moved: false,
    };
    el.setPointerCapture?.(event.pointerId);
  }

  nodeDragMove(event) {
    const drag = this.nodeDrag;
    if (!drag || event.pointerId !== drag.pointerId) return;
    const far = Math.hypot(event.clientX - drag.clientX, event.clientY - drag.clientY);
    if (!drag.moved && far < DRAG_THRESHOLD_PX) return;
    const point = this.localPoint(event, drag.el.parentNode);
    if (!point) return;
    drag.moved = true;
    drag.dx = point.x - drag.start.x;
    drag.dy = point.y - drag.start.y;
    drag.el.setAttribute("transform", `${drag.transform} translate(${drag.dx} ${drag.dy})`.trim());
    drag.el.classList.add("is-dragging");
    event.preventDefault();
  }

  nodeDragEnd(event, cancelled) {
    const drag = this.nodeDrag;
    if (!drag || event.pointerId !== drag.pointerId) return;
    this.nodeDrag = null;
    drag.el.releasePointerCapture?.(event.pointerId);
    drag.el.classList.remove("is-dragging");
    if (cancelled || !drag.moved) {
      if (drag.transform) drag.el.setAttribute("transform", drag.transform);
      else drag.el.removeAttribute("transform");
      return; // a plain click: the click handler selects the contact
    }
    // Dropped where the pointer let go until the new picture, which keeps it there (a pin).
    this.select({ type: "node", id: drag.id });
    drag.el.focus({ preventScroll: true });
    this.edit((doc) => M.setNetworkPin(doc, drag.id, drag.x + drag.dx, drag.y + drag.dy));
    this.announce(format(this.msg.moved, { name: M.node(this.doc, drag.id)?.label || "" }));
  }

  /** A contact moved one step with the keyboard (WCAG 2.5.7: no dragging needed). */
  nudgeNode(id, dx, dy) {
    const el = this.nodeElement(id);
    const item = M.node(this.doc, id);
    if (!el || !item) return;
    const step = Number.parseFloat(this.root.dataset.pinStep || "40");
    const x = Number.parseFloat(el.dataset.x || "0") + dx * step;
    const y = Number.parseFloat(el.dataset.y || "0") + dy * step;
    this.edit((doc) => M.setNetworkPin(doc, id, x, y));
    this.announce(format(this.msg.moved, { name: item.label }));
  }

  // --- the side panel ----------------------------------------------------------------------

  activeForm() {
    return this.selection ? this.forms[this.selection.type] : null;
  }

  bindPanel() {
    for (const form of Object.values(this.forms)) {
      form.addEventListener("change", (event) => {
        // A control with its own edit (the kind of a twin set) rather than a field of the item.
        if (event.target.dataset.change) {
          this.action(event.target.dataset.change, event.target);
          return;
        }
        if (event.target.dataset.skip) return;
        this.applyForm(form);
      });
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.applyForm(form);
        this.returnToPicture();
      });
      form.addEventListener("click", (event) => {
        const button = event.target.closest("button[data-action]");
        if (button) this.action(button.dataset.action, button);
      });
      form.addEventListener("keydown", (event) => {
        // Enter in the new-marker text adds it instead of submitting the form.
        if (event.key === "Enter" && event.target.id === "person-marker-new-text") {
          event.preventDefault();
          this.action("add-marker");
        }
      });
    }
    this.problemList.addEventListener("click", (event) => {
      const link = event.target.closest("a[data-problem]");
      if (!link) return;
      event.preventDefault();
      const problem = this.problems[Number(link.dataset.problem)];
      if (problem?.ref && M.resolve(this.doc, problem.ref)) {
        this.select(problem.ref);
        this.openPanel(problem.field || undefined);
      }
    });
  }

  action(name, button) {
    const ref = this.selection;
    const personId = ref?.type === "person" ? ref.id : null;
    switch (name) {
      case "add-parent":
      case "add-partner":
      case "add-child":
      case "add-sibling":
        if (personId) this.addRelative(name.slice(4), personId);
        break;
      case "add-tie": {
        const other = document.getElementById("person-connect-with").value;
        const kind = document.getElementById("person-connect-kind").value;
        if (!personId) break;
        if (!other) {
          this.announce(this.msg.choose_tie_person);
          document.getElementById("person-connect-with").focus();
          break;
        }
        this.edit((doc) => M.addTie(doc, personId, other, kind));
        this.announce(format(this.msg.added_tie, { name: this.name(other) }));
        break;
      }
      case "link-existing": {
        const who = document.getElementById("person-link-who");
        const as = document.getElementById("person-link-as").value;
        if (!personId) break;
        if (!who.value) {
          this.announce(this.msg.choose_tie_person);
          who.focus();
          break;
        }
        const other = who.value;
        this.edit((doc) => M.linkExisting(doc, personId, other, as));
        this.announce(format(this.msg.linked, { name: this.name(other) }));
        break;
      }
      case "add-marker": {
        const text = document.getElementById("person-marker-new-text");
        const kind = document.getElementById("person-marker-new-kind").value;
        if (!personId || !text.value.trim()) {
          text.focus();
          break;
        }
        this.edit((doc) => {
          const p = M.person(doc, personId);
          p.markers = [...(p.markers || []), { kind, text: text.value.trim() }];
        });
        text.value = "";
        text.focus();
        break;
      }
      case "remove-marker": {
        const index = Number(button.dataset.index);
        this.edit((doc) => {
          const p = M.person(doc, personId);
          p.markers = (p.markers || []).filter((_, i) => i !== index);
        });
        document.getElementById("person-marker-new-text").focus();
        break;
      }
      case "add-twin": {
        const who = document.getElementById("person-twin-with");
        const kind = document.getElementById("person-twin-new-kind").value;
        if (!personId || !who.value) break;
        const other = who.value;
        if (this.edit((doc) => M.addTwin(doc, personId, other, kind))) {
          this.announce(format(this.msg.added_twin, { name: this.name(other) }));
          document.getElementById("person-twins-kind").focus();
        }
        break;
      }
      case "twin-kind":
        if (!personId) break;
        this.edit((doc) => M.setTwinKind(doc, personId, button.value));
        this.announce(this.msg.twin_kind_changed);
        break;
      case "leave-twins":
        if (!personId) break;
        this.edit((doc) => M.leaveTwins(doc, personId));
        this.announce(format(this.msg.left_twins, { name: this.name(personId) }));
        document.getElementById("person-twin-with").focus();
        break;
      case "join-household": {
        const choice = document.getElementById("person-household-join").value;
        if (!personId || !choice) break;
        if (choice === NEW_HOUSEHOLD) {
          const id = this.edit((doc) => M.newHousehold(doc, personId));
          const ref = { type: "household", id };
          this.select(ref);
          this.fresh = ref; // its name and dates typed in next are part of this step
          this.announce(this.msg.new_household);
          this.openPanel("label");
        } else {
          this.edit((doc) => M.joinHousehold(doc, personId, choice));
          this.announce(format(this.msg.joined_household, { name: this.name(personId) }));
          document.getElementById("person-household-join").focus();
        }
        break;
      }
      case "leave-household":
        if (!personId) break;
        this.edit((doc) => M.leaveHousehold(doc, personId, button.dataset.household));
        this.announce(format(this.msg.left_household, { name: this.name(personId) }));
        document.getElementById("person-household-join").focus();
        break;
      case "unpin-node": {
        const id = ref?.type === "node" ? ref.id : null;
        if (!id) break;
        this.edit((doc) => M.unpinNetworkNode(doc, id));
        this.announce(format(this.msg.node_unpinned, { name: M.node(this.doc, id)?.label || "" }));
        this.panelHeading.focus();
        break;
      }
      case "edit-item":
        this.select(JSON.parse(button.dataset.ref));
        this.panelHeading.focus();
        break;
      case "go-to":
        this.focusPerson(button.dataset.person);
        break;
      case "back":
        if (this.backTo && M.resolve(this.doc, this.backTo)) {
          this.select(this.backTo);
          this.panelHeading.focus();
        } else this.returnToPicture();
        break;
      case "remove":
        this.remove();
        break;
      default:
        break;
    }
  }

  /** The form's fields read back into the selected item; an edit only if something changed. */
  applyForm(form) {
    const ref = this.selection;
    if (!ref || this.forms[ref.type] !== form) return;
    const current = M.resolve(this.doc, ref);
    if (!current) return;
    const updated = this.readForm(form, current);
    if (JSON.stringify(updated) === JSON.stringify(current)) return;
    const coalesce = M.sameRef(this.fresh, ref);
    this.edit(
      (doc) => {
        const item = M.resolve(doc, ref);
        for (const key of Object.keys(item)) delete item[key];
        Object.assign(item, updated);
      },
      { coalesce },
    );
    // A tie's people or a link's ends may have changed: follow the item.
    if (ref.type === "tie" || ref.type === "node" || ref.type === "household") this.showPanel();
  }

  readForm(form, current) {
    const item = M.clone(current);
    for (const fieldset of form.querySelectorAll("[data-fuzzy]")) {
      const name = fieldset.dataset.fuzzy;
      const date = form.elements[`${name}.date`].value.trim();
      const approximate = form.elements[`${name}.approximate`].checked;
      item[name] = date ? { date, approximate } : null;
    }
    for (const el of form.querySelectorAll("input[name], select[name], textarea[name]")) {
      if (el.dataset.skip || el.closest("[data-fuzzy]") || el.closest(".marker-list")) continue;
      if (el.name === "persons" || el.name === "members") continue;
      if (el.type === "checkbox") setPath(item, el.name, el.checked);
      else if (el.dataset.nullable) setPath(item, el.name, el.value || null);
      else if (el.tagName === "SELECT") setPath(item, el.name, el.value);
      else setPath(item, el.name, el.value.trim());
    }
    if (form.dataset.kind === "person") {
      item.markers = [...form.querySelectorAll(".marker-list li")].map((row) => ({
        kind: row.querySelector("select").value,
        text: row.querySelector("input").value.trim(),
      }));
    }
    if (form.dataset.kind === "node") {
      item.persons = [...form.querySelectorAll("input[name=persons]:checked")].map((el) => el.value);
    }
    if (form.dataset.kind === "household") {
      // Those who stay keep their order (the first is drawn first); new ones come after.
      const checked = [...form.querySelectorAll("input[name=members]:checked")].map((el) => el.value);
      item.members = [...item.members.filter((m) => checked.includes(m)), ...checked.filter((m) => !item.members.includes(m))];
    }
    return item;
  }

  showPanel() {
    const ref = this.selection;
    const item = ref ? M.resolve(this.doc, ref) : null;
    for (const [kind, form] of Object.entries(this.forms)) form.hidden = !item || kind !== ref.type;
    this.panelEmpty.hidden = Boolean(item);
    this.root.dataset.selected = item ? JSON.stringify(ref) : "";
    if (!item) {
      this.panelHeading.textContent = this.msg.nothing_selected;
      return;
    }
    const form = this.forms[ref.type];
    this.panelHeading.textContent = this.heading(ref, item);
    const keep = this.rememberFocus(form);
    this.fillPeopleSelects(form, ref, item);
    this.fillForm(form, item);
    if (ref.type === "person") {
      this.fillMarkers(item);
      this.fillRelations(item);
      const remove = form.querySelector("[data-action=remove]");
      const isIndex = item.id === this.doc.index_person;
      remove.setAttribute("aria-disabled", String(isIndex));
      remove.title = isIndex ? this.msg.index_person : "";
    }
    if (ref.type === "person") {
      this.fillTwins(item);
      this.fillHouseholds(item);
    }
    if (ref.type === "node") {
      this.fillNodePersons(item);
      form.querySelector("[data-action=unpin-node]").hidden = !M.networkPinOf(this.doc, item.id);
    }
    if (ref.type === "household") this.fillHouseholdMembers(item);
    for (const back of form.querySelectorAll("[data-action=back]")) {
      const origin = this.backTo && M.resolve(this.doc, this.backTo);
      back.hidden = !origin;
      if (origin) back.textContent = format(this.msg.back_to, { name: this.name(this.backTo.id) });
    }
    this.showFieldProblems();
    keep();
  }

  heading(ref, item) {
    switch (ref.type) {
      case "person":
        return this.name(item.id);
      case "union":
        return format(this.msg.union, { first: this.name(item.partners[0]), second: this.name(item.partners[1]) });
      case "parentage":
        return format(this.msg.parentage, { parent: this.name(item.parent), child: this.name(item.child) });
      case "tie":
        return format(this.msg.tie, { first: this.name(item.source), second: this.name(item.target) });
      case "node":
        return format(this.msg.node, { name: item.label });
      case "household":
        return format(this.msg.household, { name: this.householdName(item) });
      default:
        return "";
    }
  }

  /** Rebuilt lists lose the focused control: find it again by its data-key afterwards. */
  rememberFocus(form) {
    const active = document.activeElement;
    const key = active && form.contains(active) ? active.dataset.key : null;
    return () => {
      if (key && !form.contains(document.activeElement)) {
        form.querySelector(`[data-key="${CSS.escape(key)}"]`)?.focus();
      }
    };
  }

  fillForm(form, item) {
    for (const el of form.querySelectorAll("input[name], select[name], textarea[name]")) {
      if (el.dataset.skip || el.closest(".marker-list") || el.name === "persons" || el.name === "members") continue;
      const value = getPath(item, el.name);
      if (el.type === "checkbox") {
        if (el.checked !== Boolean(value)) el.checked = Boolean(value);
      } else {
        const text = value == null ? "" : String(value);
        if (el.value !== text) el.value = text;
      }
    }
  }

  fillPeopleSelects(form, ref, item) {
    const people = [...this.doc.persons].sort((a, b) =>
      this.name(a.id).localeCompare(this.name(b.id)),
    );
    for (const select of form.querySelectorAll("select[data-people]")) {
      for (const option of [...select.options]) if (!option.dataset.shared) option.remove();
      const others = select.dataset.people === "others";
      for (const p of people) {
        if (others && ref.type === "person" && p.id === item.id) continue;
        select.add(new Option(this.name(p.id), p.id));
      }
    }
  }

  fillMarkers(item) {
    const list = document.getElementById("person-marker-list");
    const kinds = document.getElementById("person-marker-new-kind");
    list.replaceChildren();
    (item.markers || []).forEach((marker, i) => {
      const row = document.createElement("li");
      const kindId = `person-markers-${i}-kind`;
      const textId = `person-markers-${i}-text`;
      const kindLabel = Object.assign(document.createElement("label"), { htmlFor: kindId, textContent: this.msg.marker_kind });
      const kind = kinds.cloneNode(true);
      Object.assign(kind, { id: kindId, name: `markers.${i}.kind`, value: marker.kind });
      kind.removeAttribute("data-skip");
      kind.dataset.key = kindId;
      const textLabel = Object.assign(document.createElement("label"), { htmlFor: textId, textContent: this.msg.marker_text });
      const text = Object.assign(document.createElement("input"), {
        id: textId,
        type: "text",
        name: `markers.${i}.text`,
        value: marker.text,
        maxLength: 200,
        autocomplete: "off",
      });
      text.dataset.key = textId;
      const error = Object.assign(document.createElement("p"), { className: "field-error", id: `${textId}-error`, hidden: true });
      error.dataset.errorFor = `markers.${i}`;
      const remove = Object.assign(document.createElement("button"), {
        type: "button",
        className: "secondary",
        textContent: this.msg.remove_marker,
      });
      remove.dataset.action = "remove-marker";
      remove.dataset.index = String(i);
      remove.setAttribute("aria-label", `${this.msg.remove_marker}: ${marker.text}`);
      row.append(error, kindLabel, kind, textLabel, text, remove);
      list.append(row);
    });
  }

  fillRelations(item) {
    const list = document.getElementById("person-relations");
    list.replaceChildren();
    const add = (text, button) => {
      const li = document.createElement("li");
      const span = document.createElement("span");
      span.textContent = text;
      li.append(span, button);
      list.append(li);
    };
    const editButton = (ref, key, label) => {
      const b = Object.assign(document.createElement("button"), { type: "button", className: "secondary link-like", textContent: this.msg.edit });
      b.dataset.action = "edit-item";
      b.dataset.ref = JSON.stringify(ref);
      b.dataset.key = key;
      b.setAttribute("aria-label", `${this.msg.edit}: ${label}`);
      return b;
    };
    for (const link of this.doc.parentage || []) {
      if (link.child !== item.id) continue;
      const text = format(this.msg.rel_parent, { name: this.name(link.parent) });
      add(text, editButton({ type: "parentage", child: link.child, parent: link.parent }, `rel-p-${link.parent}`, text));
    }
    for (const u of M.unionsOf(this.doc, item.id)) {
      const text = format(this.msg.rel_partner, { name: this.name(M.partnerIn(u, item.id)) });
      add(text, editButton({ type: "union", id: u.id }, `rel-u-${u.id}`, text));
    }
    for (const childId of M.childrenOf(this.doc, item.id)) {
      const text = format(this.msg.rel_child, { name: this.name(childId) });
      const b = Object.assign(document.createElement("button"), { type: "button", className: "secondary link-like", textContent: this.msg.go_to });
      b.dataset.action = "go-to";
      b.dataset.person = childId;
      b.dataset.key = `rel-c-${childId}`;
      b.setAttribute("aria-label", `${this.msg.go_to}: ${text}`);
      add(text, b);
    }
    for (const t of M.tiesOf(this.doc, item.id)) {
      const other = t.source === item.id ? t.target : t.source;
      const text = format(this.msg.rel_tie, { name: this.name(other) });
      add(text, editButton({ type: "tie", id: t.id }, `rel-t-${t.id}`, text));
    }
  }

  fillNodePersons(item) {
    const box = document.getElementById("node-person-list");
    box.replaceChildren();
    for (const p of this.doc.persons) {
      const id = `node-person-${p.id}`;
      const wrap = Object.assign(document.createElement("div"), { className: "field-checkbox" });
      const input = Object.assign(document.createElement("input"), {
        type: "checkbox",
        id,
        name: "persons",
        value: p.id,
        checked: (item.persons || []).includes(p.id),
      });
      input.dataset.key = id;
      input.setAttribute("aria-describedby", "node-persons-hint");
      const label = Object.assign(document.createElement("label"), { htmlFor: id, textContent: this.name(p.id) });
      wrap.append(input, label);
      box.append(wrap);
    }
  }

  fillTwins(item) {
    const set = M.twinSetOf(this.doc, item.id);
    const others = set ? set.members.filter((m) => m !== item.id) : [];
    document.getElementById("person-twins-status").textContent = set
      ? format(this.msg.twins_with, { names: others.map((m) => this.name(m)).join(", ") })
      : this.msg.twins_none;
    document.getElementById("person-twins-set").hidden = !set;
    if (set) document.getElementById("person-twins-kind").value = set.kind || "unknown";
    const candidates = M.twinCandidates(this.doc, item.id);
    const select = document.getElementById("person-twin-with");
    const chosen = select.value;
    select.replaceChildren(...candidates.map((id) => new Option(this.name(id), id)));
    if (candidates.includes(chosen)) select.value = chosen;
    document.getElementById("person-twins-add").hidden = !candidates.length;
    // A new set gets its kind here; joining a set takes the set's kind.
    document.getElementById("person-twin-new-kind-field").hidden = Boolean(set);
    document.getElementById("person-twins-no-siblings").hidden = Boolean(set || candidates.length);
  }

  householdName(h) {
    return h.label || h.members.map((m) => this.name(m)).join(", ");
  }

  householdText(h) {
    const names = h.members.map((m) => this.name(m)).join(", ");
    return h.label ? `${h.label}: ${names}` : names;
  }

  fillHouseholds(item) {
    const mine = M.householdsOf(this.doc, item.id);
    const current = mine.filter(M.isCurrent);
    const earlier = mine.filter((h) => !M.isCurrent(h));
    const list = document.getElementById("person-household-list");
    const history = document.getElementById("person-household-history");
    const row = (h, text, leave) => {
      const li = document.createElement("li");
      const span = document.createElement("span");
      span.textContent = text;
      li.append(span);
      const edit = Object.assign(document.createElement("button"), { type: "button", className: "secondary link-like", textContent: this.msg.edit });
      edit.dataset.action = "edit-item";
      edit.dataset.ref = JSON.stringify({ type: "household", id: h.id });
      edit.dataset.key = `hh-edit-${h.id}`;
      edit.setAttribute("aria-label", `${this.msg.edit}: ${text}`);
      li.append(edit);
      if (leave) {
        const out = Object.assign(document.createElement("button"), { type: "button", className: "secondary link-like", textContent: this.msg.remove_from_household });
        out.dataset.action = "leave-household";
        out.dataset.household = h.id;
        out.dataset.key = `hh-leave-${h.id}`;
        out.setAttribute("aria-label", `${this.msg.remove_from_household}: ${text}`);
        li.append(out);
      }
      return li;
    };
    list.replaceChildren(...current.map((h) => row(h, format(this.msg.household, { name: this.householdText(h) }), true)));
    document.getElementById("person-households-none").hidden = current.length > 0;
    history.replaceChildren(
      ...earlier.map((h) => row(h, format(this.msg.household_ended, { name: this.householdText(h), date: h.ended.date }), false)),
    );
    document.getElementById("person-household-history-box").hidden = earlier.length === 0;
    const join = document.getElementById("person-household-join");
    const chosen = join.value;
    const open = (this.doc.households || []).filter((h) => M.isCurrent(h) && !h.members.includes(item.id));
    join.replaceChildren(
      ...open.map((h) => new Option(format(this.msg.household, { name: this.householdText(h) }), h.id)),
      new Option(this.msg.household_new, NEW_HOUSEHOLD),
    );
    if ([...join.options].some((o) => o.value === chosen)) join.value = chosen;
  }

  fillHouseholdMembers(item) {
    const box = document.getElementById("household-member-list");
    box.replaceChildren();
    for (const p of this.doc.persons) {
      const id = `household-member-${p.id}`;
      const wrap = Object.assign(document.createElement("div"), { className: "field-checkbox" });
      const input = Object.assign(document.createElement("input"), {
        type: "checkbox",
        id,
        name: "members",
        value: p.id,
        checked: item.members.includes(p.id),
      });
      input.dataset.key = id;
      const label = Object.assign(document.createElement("label"), { htmlFor: id, textContent: this.name(p.id) });
      wrap.append(input, label);
      box.append(wrap);
    }
  }

  // --- removing ------------------------------------------------------------------------------

  async remove() {
    const ref = this.selection;
    const item = ref && M.resolve(this.doc, ref);
    if (!item) return;
    if (ref.type === "person" && item.id === this.doc.index_person) {
      this.announce(this.msg.index_person);
      return;
    }
    const label = ref.type === "person" ? this.name(item.id) : this.heading(ref, item);
    const question = ref.type === "person" ? this.msg.confirm_person : this.msg.confirm_item;
    const returnFocus = document.activeElement;
    if (!(await this.confirm(format(question, { name: label })))) {
      returnFocus?.focus?.();
      return;
    }
    const removers = {
      person: (doc) => M.removePerson(doc, ref.id),
      union: (doc) => M.removeUnion(doc, ref.id),
      parentage: (doc) => M.removeParentLink(doc, ref.child, ref.parent),
      tie: (doc) => M.removeTie(doc, ref.id),
      node: (doc) => M.removeNetworkNode(doc, ref.id),
      household: (doc) => M.removeHousehold(doc, ref.id),
    };
    // Where to go next: a relative of a removed person, the person a line belonged to.
    let next = null;
    if (ref.type === "person") {
      next = [...M.parentsOf(this.doc, ref.id), ...M.partnersOf(this.doc, ref.id), ...M.childrenOf(this.doc, ref.id)][0] || this.doc.index_person;
    }
    this.edit(removers[ref.type]);
    this.announce(format(this.msg.removed, { name: label }));
    if (next) this.focusPerson(next);
    else if (this.backTo && M.resolve(this.doc, this.backTo)) this.focusPerson(this.backTo.id);
    else this.returnToPicture();
  }

  confirm(text) {
    const dialog = this.confirmDialog;
    document.getElementById("editor-confirm-text").textContent = text;
    return new Promise((resolve) => {
      const ok = document.getElementById("editor-confirm-ok");
      const cancel = document.getElementById("editor-confirm-cancel");
      const finish = (answer) => {
        ok.removeEventListener("click", yes);
        cancel.removeEventListener("click", no);
        dialog.removeEventListener("cancel", no);
        if (dialog.open) dialog.close();
        resolve(answer);
      };
      const yes = () => finish(true);
      const no = (event) => {
        event?.preventDefault?.();
        finish(false);
      };
      ok.addEventListener("click", yes);
      cancel.addEventListener("click", no);
      dialog.addEventListener("cancel", no);
      dialog.showModal();
      cancel.focus();
    });
  }

  // --- problems from the server --------------------------------------------------------------

  /** Errors by dotted path, as /render and /save send them, next to their fields where there is
   * one and all of them in the summary. Returns how many there are. */
  setProblems(errors, sent) {
    this.problems = [];
    for (const [path, messages] of Object.entries(errors || {})) {
      const parts = path.split(".");
      if (parts[0] === "genogram") parts.shift();
      const found = M.itemForPath(sent, parts);
      let ref = found?.ref || null;
      // The item as it is now: indexes are of the document that was sent.
      if (ref && !M.resolve(this.doc, ref)) ref = null;
      this.problems.push({ path: parts.join("."), ref, field: found?.field || "", messages });
    }
    this.showProblemSummary();
    this.showFieldProblems();
    return this.problems.length;
  }

  showProblemSummary() {
    this.problemList.replaceChildren();
    this.problems.forEach((problem, i) => {
      const li = document.createElement("li");
      const item = problem.ref ? M.resolve(this.doc, problem.ref) : null;
      const where = item ? this.heading(problem.ref, item) : this.msg.whole_genogram;
      const fieldLabel = this.fieldLabel(problem);
      const text = format(this.msg.problem_in, {
        item: fieldLabel ? `${where}, ${fieldLabel}` : where,
        message: problem.messages.join(" "),
      });
      if (item) {
        const a = Object.assign(document.createElement("a"), { href: "#editor-panel", textContent: text });
        a.dataset.problem = String(i);
        li.append(a);
      } else {
        li.textContent = text;
      }
      this.problemList.append(li);
    });
    this.problemBox.hidden = this.problems.length === 0;
  }

  fieldLabel(problem) {
    if (!problem.ref) return problem.path;
    const form = this.forms[problem.ref.type];
    const target = this.fieldTarget(form, problem.field);
    if (!target) return problem.field;
    const container = target.closest("fieldset") || target.closest(".field");
    const label = container?.querySelector("legend") || (target.id && form.querySelector(`label[for="${CSS.escape(target.id)}"]`));
    return label ? label.textContent.trim() : problem.field;
  }

  /** The control for a field path: itself, or the first control under it (born → born.date). */
  fieldTarget(form, field) {
    if (!form || !field) return null;
    const parts = field.split(".");
    for (let n = parts.length; n > 0; n -= 1) {
      const name = parts.slice(0, n).join(".");
      const el = form.querySelector(`[name="${CSS.escape(name)}"]`) || form.querySelector(`[name^="${CSS.escape(name)}."]`);
      if (el) return el;
    }
    return null;
  }

  errorElement(form, field) {
    if (!form || !field) return null;
    const parts = field.split(".");
    for (let n = parts.length; n > 0; n -= 1) {
      const el = form.querySelector(`[data-error-for="${CSS.escape(parts.slice(0, n).join("."))}"]`);
      if (el) return el;
    }
    return null;
  }

  showFieldProblems() {
    for (const form of Object.values(this.forms)) {
      for (const el of form.querySelectorAll(".field-error")) {
        el.hidden = true;
        el.textContent = "";
      }
      for (const el of form.querySelectorAll("[aria-invalid]")) {
        el.removeAttribute("aria-invalid");
        const described = (el.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && !id.endsWith("-error"));
        if (described.length) el.setAttribute("aria-describedby", described.join(" "));
        else el.removeAttribute("aria-describedby");
      }
    }
    const ref = this.selection;
    if (!ref) return;
    const form = this.forms[ref.type];
    for (const problem of this.problems) {
      if (!M.sameRef(problem.ref, ref)) continue;
      const error = this.errorElement(form, problem.field);
      const target = this.fieldTarget(form, problem.field);
      if (error) {
        error.textContent = [error.textContent, ...problem.messages].filter(Boolean).join(" ");
        error.hidden = false;
      }
      if (target) {
        target.setAttribute("aria-invalid", "true");
        if (error) {
          const described = new Set((target.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
          described.add(error.id);
          target.setAttribute("aria-describedby", [...described].join(" "));
        }
      }
    }
  }

  // --- saving --------------------------------------------------------------------------------

  async save() {
    if (this.saving) return;
    const form = this.activeForm();
    if (form) this.applyForm(form);
    const json = JSON.stringify(this.doc);
    const key = this.saveAttempt?.json === json ? this.saveAttempt.key : randomKey();
    this.saveAttempt = { json, key };
    const sent = this.doc;
    this.saving = true;
    this.buttons.save.setAttribute("aria-disabled", "true");
    this.root.dataset.saveState = "saving";
    this.announce(this.msg.saving);
    let response;
    let body = {};
    try {
      response = await this.send(this.root.dataset.saveUrl, {
        method: "POST",
        headers: this.headers(),
        body: JSON.stringify({
          genogram: sent,
          document_id: this.root.dataset.documentId || null,
          expected_version: Number(this.root.dataset.version) || null,
          idempotency_key: key,
        }),
      });
      body = await response.json().catch(() => ({}));
    } catch {
      this.saveFailed(this.msg.network_error);
      return;
    } finally {
      this.saving = false;
      this.buttons.save.setAttribute("aria-disabled", "false");
    }
    if (response.status === 202 || response.ok) {
      this.root.dataset.documentId = body.document_id;
      this.root.dataset.version = String(body.version);
      this.saveAttempt = null;
      this.savedJson = json;
      this.updateDirty();
      this.root.dataset.saveState = "saved";
      document.getElementById("editor-exports").hidden = false;
      this.announce(this.msg.saved);
    } else if (response.status === 422 && body.errors) {
      this.setProblems(body.errors, sent);
      this.saveFailed(`${this.msg.not_saved} ${format(this.msg.render_problems, { count: this.problems.length })}`);
      this.problemBox.focus();
    } else {
      this.saveFailed(`${this.msg.not_saved} ${body.error || body.detail || body.title || ""}`.trim());
    }
  }

  saveFailed(text) {
    this.root.dataset.saveState = "error";
    this.announce(text);
  }

  // --- GEDCOM import -------------------------------------------------------------------------

  bindImport() {
    const form = document.getElementById("editor-import");
    if (!form) return;
    const error = document.getElementById("editor-gedcom-error");
    const input = document.getElementById("editor-gedcom");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.hidden = true;
      input.removeAttribute("aria-invalid");
      input.setAttribute("aria-describedby", "editor-gedcom-hint");
      let response;
      let body = {};
      try {
        response = await this.send(form.action, {
          method: "POST",
          body: new FormData(form),
          headers: { "X-CSRF-Token": this.root.dataset.csrfToken, Accept: "application/json" },
        });
        body = await response.json().catch(() => ({}));
      } catch {
        this.announce(this.msg.network_error);
        return;
      }
      if (response.ok && body.genogram) {
        this.replaceDocument(body.genogram);
        this.select({ type: "person", id: body.genogram.index_person });
        form.reset();
        this.announce(format(this.msg.imported, { count: body.genogram.persons.length }));
        return;
      }
      const messages = Object.values(body.errors || {}).flat();
      error.textContent = messages.join(" ") || body.error || this.msg.network_error;
      error.hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", "editor-gedcom-hint editor-gedcom-error");
      input.focus();
    });
  }

  // --- keys anywhere in the editor -------------------------------------------------------------

  bindGlobalKeys() {
    document.addEventListener("keydown", (event) => {
      if (this.confirmDialog.open) return;
      const key = event.key.toLowerCase();
      const ctrl = (event.ctrlKey || event.metaKey) && !event.altKey;
      if (ctrl && !isTextEntry(event.target)) {
        if ((key === "z" && event.shiftKey) || (key === "y" && !event.shiftKey)) {
          event.preventDefault();
          this.redo();
          return;
        }
        if (key === "z") {
          event.preventDefault();
          this.undo();
          return;
        }
      }
      if (event.key === "Escape" && !event.defaultPrevented && !this.figure.contains(event.target)) {
        const form = this.activeForm();
        if (form && form.contains(event.target)) this.applyForm(form);
        event.preventDefault();
        this.returnToPicture();
      }
    });
    for (const button of Object.values(this.buttons)) {
      // aria-disabled keeps the button focusable; its clicks are ignored here.
      button.addEventListener(
        "click",
        (event) => {
          if (button.getAttribute("aria-disabled") === "true") event.stopImmediatePropagation();
        },
        true,
      );
    }
  }
}

const root = document.getElementById("genogram-editor");
if (root) {
  // Reachable for the browser tests and for debugging; the page holds nothing else of it.
  root.genogramEditor = new Editor(root);
  root.genogramEditor.start();
}
