/**
 * How the checker keeps what it builds for a document: in few objects, and where there are many, in objects V8
 * can allocate straight into its old generation.
 *
 * A syntax tree and its analysis live as long as their document is open. V8 allocates new objects in a small
 * young generation and copies the survivors of each collection, first within it, then into the old generation:
 * for a 10 MB document, millions of surviving nodes copied twice were half of the check's time. V8 skips the
 * copying for objects made by an object or array literal whose allocations mostly survive (allocation-site
 * pretenuring), but not for instances of a class (`new`) nor for arrays made by `slice`: measured on 4M kept
 * three-field objects, 99 young collections as class instances against 24 as literals, and a third of the time.
 *
 * So the nodes there are several of per line (words, options and their ranges) are plain data made by literals,
 * and so are the arrays of a statement's few items (below). The one-per-line nodes with getters stay classes and
 * keep their parts flat (a layer statement keeps its name's and kind's texts, not two words). Making those literals
 * too (`{ __proto__: C.prototype, … }`) saved nothing on the 10 MB file and cost the 1,000-layer one a fifth,
 * as setting a literal's prototype is a call into V8's runtime.
 */

/** The first `n` items as an array of their own: a literal for the usual one to three, so it can be pretenured. */
export function firstOf<T>(items: readonly T[], n: number): T[] {
  switch (n) {
    case 1:
      return [items[0]];
    case 2:
      return [items[0], items[1]];
    case 3:
      return [items[0], items[1], items[2]];
    default:
      return items.slice(0, n);
  }
}
