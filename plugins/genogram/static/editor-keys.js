// Moving through the genogram with the keyboard: by kinship first, by place in the picture when
// kinship has nowhere to go, so every person can be reached with the arrow keys alone.
//
//   ArrowUp / ArrowDown      a parent / a child (the one you came from when going back)
//   ArrowLeft / ArrowRight   the previous / next sibling; past the last one, the next person in
//                            the same row of the picture
//   Home / End               the first / last person in the row
//   P                        the person's partners in turn, then back to the person

import { childrenOf, parentsOf, partnersOf, siblingsOf } from "./editor-model.js";

/** Positions of the people drawn in the figure: id → {x, y} (layout units, symbol centres). */
export function positions(figure) {
  const found = new Map();
  for (const el of figure.querySelectorAll("[data-person-id]")) {
    found.set(el.dataset.personId, {
      x: Number.parseFloat(el.dataset.x || "0"),
      y: Number.parseFloat(el.dataset.y || "0"),
    });
  }
  return found;
}

const SAME_ROW = 1; // layout units: rows are far apart, people in one row share their y

export class Navigator {
  constructor() {
    this.cameFrom = new Map(); // "up:<id>" / "down:<id>" → the person we left going the other way
    this.partnerCycle = null; // {origin, index}
  }

  /** The id to move to from `current` for the key, or null when there is nowhere to go. */
  next(doc, figure, current, key) {
    const at = positions(figure);
    if (!at.has(current)) return null;
    const drawn = (ids) => ids.filter((id) => at.has(id));
    const byX = (ids) => [...ids].sort((a, b) => at.get(a).x - at.get(b).x);
    const me = at.get(current);
    let target = null;
    if (key !== "p") this.partnerCycle = null;
    switch (key) {
      case "ArrowUp": {
        const parents = byX(drawn(parentsOf(doc, current)));
        const remembered = this.cameFrom.get(`up:${current}`);
        target = parents.includes(remembered) ? remembered : parents[0];
        if (!target) target = this.#nearestInRow(at, me, (y) => y < me.y - SAME_ROW, "max");
        if (target) this.cameFrom.set(`down:${target}`, current);
        break;
      }
      case "ArrowDown": {
        const children = byX(drawn(childrenOf(doc, current)));
        const remembered = this.cameFrom.get(`down:${current}`);
        target = children.includes(remembered) ? remembered : children[0];
        if (!target) target = this.#nearestInRow(at, me, (y) => y > me.y + SAME_ROW, "min");
        if (target) this.cameFrom.set(`up:${target}`, current);
        break;
      }
      case "ArrowLeft":
      case "ArrowRight": {
        const step = key === "ArrowRight" ? 1 : -1;
        const siblings = byX(drawn([current, ...siblingsOf(doc, current)]));
        target = siblings[siblings.indexOf(current) + step];
        if (!target) {
          const row = byX([...at.keys()].filter((id) => Math.abs(at.get(id).y - me.y) <= SAME_ROW));
          target = row[row.indexOf(current) + step];
        }
        break;
      }
      case "Home":
      case "End": {
        const row = byX([...at.keys()].filter((id) => Math.abs(at.get(id).y - me.y) <= SAME_ROW));
        target = key === "Home" ? row[0] : row.at(-1);
        break;
      }
      case "p":
        target = this.#nextPartner(doc, at, current);
        break;
      default:
        return null;
    }
    return target && target !== current ? target : null;
  }

  #nextPartner(doc, at, current) {
    const cycle = this.partnerCycle;
    if (cycle) {
      const partners = partnersOf(doc, cycle.origin).filter((id) => at.has(id));
      if (partners[cycle.index] === current) {
        cycle.index += 1;
        if (cycle.index < partners.length) return partners[cycle.index];
        this.partnerCycle = null;
        return cycle.origin;
      }
    }
    const partners = partnersOf(doc, current).filter((id) => at.has(id));
    if (partners.length === 0) return null;
    this.partnerCycle = { origin: current, index: 0 };
    return partners[0];
  }

  /** The person closest in x in the nearest row above (pick "max" y) or below ("min" y). */
  #nearestInRow(at, me, inRange, pick) {
    const ys = [...at.values()].map((p) => p.y).filter(inRange);
    if (ys.length === 0) return null;
    const rowY = pick === "max" ? Math.max(...ys) : Math.min(...ys);
    let best = null;
    let bestDistance = Infinity;
    for (const [id, p] of at) {
      if (Math.abs(p.y - rowY) > SAME_ROW) continue;
      const distance = Math.abs(p.x - me.x);
      if (distance < bestDistance) {
        best = id;
        bestDistance = distance;
      }
    }
    return best;
  }
}
