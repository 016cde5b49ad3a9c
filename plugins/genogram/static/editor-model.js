// The genogram document in memory: kinship queries and the edits the editor makes.
//
// Every function that changes something takes the document (a fresh copy made by the editor for
// each edit, so undo keeps the old one untouched) and changes it in place. The document keeps the
// shape plugins/genogram/schemas.py validates: every reference points at something that exists.

const SECTIONS_WITH_IDS = ["persons", "unions", "twins", "households", "ties", "network"];

export function clone(doc) {
  return structuredClone(doc);
}

/** A new id with the prefix (p, u, t, n ...) that no item of any section uses yet. */
export function freshId(doc, prefix) {
  const used = new Set();
  let highest = 0;
  const pattern = new RegExp(`^${prefix}(\\d+)$`);
  for (const section of SECTIONS_WITH_IDS) {
    for (const item of doc[section] || []) {
      used.add(item.id);
      const match = pattern.exec(item.id);
      if (match) highest = Math.max(highest, Number(match[1]));
    }
  }
  let n = highest + 1;
  while (used.has(`${prefix}${n}`)) n += 1;
  return `${prefix}${n}`;
}

export function person(doc, id) {
  return (doc.persons || []).find((p) => p.id === id) || null;
}

export function union(doc, id) {
  return (doc.unions || []).find((u) => u.id === id) || null;
}

export function tie(doc, id) {
  return (doc.ties || []).find((t) => t.id === id) || null;
}

export function node(doc, id) {
  return (doc.network || []).find((n) => n.id === id) || null;
}

export function household(doc, id) {
  return (doc.households || []).find((h) => h.id === id) || null;
}

export function parentLink(doc, child, parent) {
  return (doc.parentage || []).find((l) => l.child === child && l.parent === parent) || null;
}

export function displayName(p, unnamed) {
  if (!p) return unnamed;
  const name = [p.first_names, p.last_name].filter(Boolean).join(" ").trim();
  return name || unnamed;
}

export function parentsOf(doc, id) {
  return (doc.parentage || []).filter((l) => l.child === id).map((l) => l.parent);
}

export function childrenOf(doc, id) {
  return (doc.parentage || []).filter((l) => l.parent === id).map((l) => l.child);
}

export function siblingsOf(doc, id) {
  const parents = new Set(parentsOf(doc, id));
  const found = new Set();
  for (const link of doc.parentage || []) {
    if (parents.has(link.parent) && link.child !== id) found.add(link.child);
  }
  return [...found];
}

export function unionsOf(doc, id) {
  return (doc.unions || []).filter((u) => u.partners.includes(id));
}

export function partnerIn(u, id) {
  return u.partners[0] === id ? u.partners[1] : u.partners[0];
}

export function partnersOf(doc, id) {
  return unionsOf(doc, id).map((u) => partnerIn(u, id));
}

export function unionOf(doc, a, b) {
  return (doc.unions || []).find((u) => u.partners.includes(a) && u.partners.includes(b)) || null;
}

/** The partner a new child belongs to: the newest union still together, else the newest one. */
export function currentPartner(doc, id) {
  const unions = unionsOf(doc, id);
  const together = unions.filter((u) => (u.status || "together") === "together");
  const chosen = together.at(-1) || unions.at(-1);
  return chosen ? partnerIn(chosen, id) : null;
}

export function tiesOf(doc, id) {
  return (doc.ties || []).filter((t) => t.source === id || t.target === id);
}

function newPerson(doc, fields = {}) {
  const id = freshId(doc, "p");
  doc.persons.push({
    id,
    kind: "person",
    first_names: "",
    last_name: "",
    gender_identity: "unknown",
    sex_at_birth: "unknown",
    born: null,
    vital_status: "alive",
    died: null,
    markers: [],
    third_party: false,
    confidential: false,
    avatar: null,
    note: "",
    ...fields,
  });
  return id;
}

function link(doc, child, parent, kind = "biological") {
  doc.parentage = doc.parentage || [];
  if (!parentLink(doc, child, parent)) doc.parentage.push({ child, parent, kind });
}

function addUnion(doc, a, b) {
  doc.unions = doc.unions || [];
  const existing = unionOf(doc, a, b);
  if (existing) return existing.id;
  const id = freshId(doc, "u");
  doc.unions.push({ id, partners: [a, b], kind: "marriage", status: "together" });
  return id;
}

export function addPerson(doc) {
  return newPerson(doc);
}

/** A new parent of the child; with one parent already there, the two become a couple. */
export function addParent(doc, childId) {
  const existing = parentsOf(doc, childId);
  const id = newPerson(doc);
  link(doc, childId, id);
  if (existing.length === 1 && !unionOf(doc, existing[0], id)) addUnion(doc, existing[0], id);
  return id;
}

export function addPartner(doc, personId) {
  const id = newPerson(doc);
  addUnion(doc, personId, id);
  return id;
}

/** A child of the person and their partner; with no union but one co-parent of earlier
 * children, that co-parent, and the couple gets its union so the child is drawn under it. */
export function addChild(doc, parentId) {
  const parentPerson = person(doc, parentId);
  let partner = currentPartner(doc, parentId);
  if (!partner) {
    const coParents = new Set();
    for (const child of childrenOf(doc, parentId)) {
      for (const other of parentsOf(doc, child)) if (other !== parentId) coParents.add(other);
    }
    if (coParents.size === 1) {
      partner = [...coParents][0];
      addUnion(doc, parentId, partner);
    }
  }
  const id = newPerson(doc, { last_name: (parentPerson && parentPerson.last_name) || "" });
  link(doc, id, parentId);
  if (partner) link(doc, id, partner);
  return id;
}

/** A sibling with the same parents (and the same kinds of parenthood). Someone without parents
 * in the drawing gets two, a couple, so the siblings have a line to hang from. */
export function addSibling(doc, personId) {
  const me = person(doc, personId);
  let links = (doc.parentage || []).filter((l) => l.child === personId);
  if (links.length === 0) {
    const first = newPerson(doc);
    const second = newPerson(doc);
    addUnion(doc, first, second);
    link(doc, personId, first);
    link(doc, personId, second);
    links = (doc.parentage || []).filter((l) => l.child === personId);
  }
  const id = newPerson(doc, { last_name: (me && me.last_name) || "" });
  for (const l of links) link(doc, id, l.parent, l.kind);
  return id;
}

/** Link two people already in the drawing: `otherId` becomes the person's parent, child or
 * partner. */
export function linkExisting(doc, personId, otherId, as) {
  if (!otherId || otherId === personId) return;
  if (as === "parent") link(doc, personId, otherId);
  else if (as === "child") link(doc, otherId, personId);
  else if (as === "partner") addUnion(doc, personId, otherId);
}

export function addTie(doc, source, target, kind) {
  doc.ties = doc.ties || [];
  const id = freshId(doc, "t");
  doc.ties.push({
    id,
    source,
    target,
    kind,
    direction: "mutual",
    quality: "open",
    perspective: "family",
    note: "",
  });
  return id;
}

export function addNetworkNode(doc, label, persons = []) {
  doc.network = doc.network || [];
  const id = freshId(doc, "n");
  doc.network.push({
    id,
    label,
    category: "other",
    strength: "moderate",
    stressful: false,
    flow: "none",
    persons,
    note: "",
  });
  return id;
}

function ensurePins(doc) {
  doc.pins = doc.pins || { genogram: [], network: [] };
  doc.pins.genogram = doc.pins.genogram || [];
  doc.pins.network = doc.pins.network || [];
  return doc.pins;
}

/** Where the worker put a person in their generation row (layout units, the symbol's centre). */
export function setPin(doc, personId, x) {
  const pins = ensurePins(doc);
  pins.genogram = pins.genogram.filter((p) => p.id !== personId);
  pins.genogram.push({ id: personId, x: Math.round(x * 10) / 10 });
}

export function pinOf(doc, personId) {
  return ((doc.pins && doc.pins.genogram) || []).find((p) => p.id === personId) || null;
}

/** Where the worker put a contact in the network map (layout units, the circle's centre). */
export function setNetworkPin(doc, nodeId, x, y) {
  const pins = ensurePins(doc);
  pins.network = pins.network.filter((p) => p.id !== nodeId);
  pins.network.push({ id: nodeId, x: Math.round(x * 10) / 10, y: Math.round(y * 10) / 10 });
}

export function unpinNetworkNode(doc, nodeId) {
  const pins = ensurePins(doc);
  pins.network = pins.network.filter((p) => p.id !== nodeId);
}

export function networkPinOf(doc, nodeId) {
  return ((doc.pins && doc.pins.network) || []).find((p) => p.id === nodeId) || null;
}

// --- twins: a person is in at most one set; a set is two to eight siblings ---------------------

export const TWINS_MAX = 8;

export function twinSetOf(doc, id) {
  return (doc.twins || []).find((t) => t.members.includes(id)) || null;
}

/** Siblings the person can be marked a twin of: not already in their set, and not in another
 * set when the person has one of their own (a person is in one set at most). */
export function twinCandidates(doc, id) {
  const mine = twinSetOf(doc, id);
  if (mine && mine.members.length >= TWINS_MAX) return [];
  return siblingsOf(doc, id).filter((other) => {
    const theirs = twinSetOf(doc, other);
    if (!theirs) return true;
    if (mine) return false; // already together, or in another set
    return theirs.members.length < TWINS_MAX;
  });
}

/** Mark the person and a sibling as twins: one of them joins the other's set, or a new set of
 * the two is made with the kind given. Returns the set's id, or null when it cannot be. */
export function addTwin(doc, personId, otherId, kind = "unknown") {
  if (!otherId || otherId === personId || !twinCandidates(doc, personId).includes(otherId)) return null;
  doc.twins = doc.twins || [];
  const set = twinSetOf(doc, personId) || twinSetOf(doc, otherId);
  if (set) {
    set.members.push(set.members.includes(personId) ? otherId : personId);
    return set.id;
  }
  const id = freshId(doc, "tw");
  doc.twins.push({ id, members: [personId, otherId], kind });
  return id;
}

export function setTwinKind(doc, personId, kind) {
  const set = twinSetOf(doc, personId);
  if (set) set.kind = kind;
}

/** The person out of their twin set; a set left with one person is no set. */
export function leaveTwins(doc, personId) {
  doc.twins = (doc.twins || [])
    .map((t) => ({ ...t, members: t.members.filter((m) => m !== personId) }))
    .filter((t) => t.members.length >= 2);
}

// --- households: who lives together; one with an end date is history ----------------------------

export function isCurrent(h) {
  return !h.ended;
}

export function householdsOf(doc, personId) {
  return (doc.households || []).filter((h) => h.members.includes(personId));
}

export function joinHousehold(doc, personId, householdId) {
  const h = household(doc, householdId);
  if (h && !h.members.includes(personId)) h.members.push(personId);
}

/** A new current household with the person in it; its label and dates are filled in after. */
export function newHousehold(doc, personId) {
  doc.households = doc.households || [];
  const id = freshId(doc, "h");
  doc.households.push({ id, members: [personId], label: "", started: null, ended: null });
  return id;
}

/** The person out of a household; a household no one is left in is removed. */
export function leaveHousehold(doc, personId, householdId) {
  doc.households = (doc.households || [])
    .map((h) => (h.id === householdId ? { ...h, members: h.members.filter((m) => m !== personId) } : h))
    .filter((h) => h.members.length >= 1);
}

export function removeHousehold(doc, id) {
  doc.households = (doc.households || []).filter((h) => h.id !== id);
}

/** Remove a person and every reference to them, so the document stays valid. */
export function removePerson(doc, id) {
  doc.persons = doc.persons.filter((p) => p.id !== id);
  doc.unions = (doc.unions || []).filter((u) => !u.partners.includes(id));
  doc.parentage = (doc.parentage || []).filter((l) => l.child !== id && l.parent !== id);
  doc.twins = (doc.twins || [])
    .map((t) => ({ ...t, members: t.members.filter((m) => m !== id) }))
    .filter((t) => t.members.length >= 2);
  doc.households = (doc.households || [])
    .map((h) => ({ ...h, members: h.members.filter((m) => m !== id) }))
    .filter((h) => h.members.length >= 1);
  doc.ties = (doc.ties || []).filter((t) => t.source !== id && t.target !== id);
  for (const t of doc.ties) if (t.perspective === id) t.perspective = "family";
  for (const n of doc.network || []) n.persons = (n.persons || []).filter((p) => p !== id);
  const pins = ensurePins(doc);
  pins.genogram = pins.genogram.filter((p) => p.id !== id);
}

export function removeUnion(doc, id) {
  doc.unions = (doc.unions || []).filter((u) => u.id !== id);
}

export function removeParentLink(doc, child, parent) {
  doc.parentage = (doc.parentage || []).filter((l) => !(l.child === child && l.parent === parent));
}

export function removeTie(doc, id) {
  doc.ties = (doc.ties || []).filter((t) => t.id !== id);
}

export function removeNetworkNode(doc, id) {
  doc.network = (doc.network || []).filter((n) => n.id !== id);
  const pins = ensurePins(doc);
  pins.network = pins.network.filter((p) => p.id !== id);
}

/** The item a validation error's path points at: ["persons", "3", "born", "date"] →
 * {ref: {type: "person", id}, field: "born.date"}; null when it is not an item's field. */
export function itemForPath(doc, parts) {
  const [section, index, ...rest] = parts;
  const item = (doc[section] || [])[Number(index)];
  if (!item || !/^\d+$/.test(index || "")) return null;
  const field = rest.join(".");
  switch (section) {
    case "persons":
      return { ref: { type: "person", id: item.id }, field };
    case "unions":
      return { ref: { type: "union", id: item.id }, field };
    case "parentage":
      return { ref: { type: "parentage", child: item.child, parent: item.parent }, field };
    case "ties":
      return { ref: { type: "tie", id: item.id }, field };
    case "network":
      return { ref: { type: "node", id: item.id }, field };
    case "households":
      return { ref: { type: "household", id: item.id }, field };
    default:
      return null;
  }
}

export function sameRef(a, b) {
  if (!a || !b || a.type !== b.type) return false;
  if (a.type === "parentage") return a.child === b.child && a.parent === b.parent;
  return a.id === b.id;
}

/** The item a selection names, or null when it no longer exists (after an undo, say). */
export function resolve(doc, ref) {
  if (!ref) return null;
  switch (ref.type) {
    case "person":
      return person(doc, ref.id);
    case "union":
      return union(doc, ref.id);
    case "parentage":
      return parentLink(doc, ref.child, ref.parent);
    case "tie":
      return tie(doc, ref.id);
    case "node":
      return node(doc, ref.id);
    case "household":
      return household(doc, ref.id);
    default:
      return null;
  }
}
