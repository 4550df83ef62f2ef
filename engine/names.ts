/**
 * The checker's table of defined names: open addressing over one power-of-two Int32Array that holds, per slot,
 * an entry's index and its name's hash side by side, sized once for the document's statement count.
 *
 * A Map would do, but on every keystroke the checker defines every name of the document again, each a string
 * fresh from the text: a Map hashes each new string in V8's runtime and grows by rehashing as it fills. At 10 MB
 * (332,642 names) the table is larger than the caches, so what costs is touching memory: a probe reads one slot
 * (index and hash in the same cache line) and looks at an entry's name only when the hashes agree.
 */
export class NameTable<T extends { readonly name: string }> {
  /** Slot i is slots[2i] = entry index + 1 (0 when empty) and slots[2i + 1] = the name's hash. */
  private slots: Int32Array;
  private readonly entries: T[] = [];

  constructor(expected: number) {
    this.slots = new Int32Array(2 * capacityFor(expected));
  }

  get(name: string): T | undefined {
    const at = this.find(name, hash(name));
    return at >= 0 ? this.entries[this.slots[2 * at] - 1] : undefined;
  }

  /** Adds the entry, unless its name is taken: then it answers the entry that has it, and adds nothing. */
  addUnlessTaken(entry: T): T | undefined {
    if (4 * (this.entries.length + 1) > this.slots.length) this.grow();
    const h = hash(entry.name);
    const at = this.find(entry.name, h);
    if (at >= 0) return this.entries[this.slots[2 * at] - 1];
    this.entries.push(entry);
    this.slots[2 * ~at] = this.entries.length;
    this.slots[2 * ~at + 1] = h;
    return undefined;
  }

  /** The names, in the order they were added. */
  names(): string[] {
    return this.entries.map((e) => e.name);
  }

  /** The slot holding `name`, or the complement of the empty slot where it would go. */
  private find(name: string, h: number): number {
    const { slots } = this;
    const mask = slots.length / 2 - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const entry = slots[2 * i];
      if (entry === 0) return ~i;
      if (slots[2 * i + 1] === h && this.entries[entry - 1].name === name) return i;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    const mask = this.slots.length / 2 - 1;
    for (let j = 0; j < old.length; j += 2) {
      if (old[j] === 0) continue;
      let i = old[j + 1] & mask;
      while (this.slots[2 * i] !== 0) i = (i + 1) & mask;
      this.slots[2 * i] = old[j];
      this.slots[2 * i + 1] = old[j + 1];
    }
  }
}

/** A power of two at least twice `n`, so probes stay short. */
function capacityFor(n: number): number {
  let c = 16;
  while (c < 2 * n) c *= 2;
  return c;
}

/** FNV-1a over the UTF-16 code units, as an int32. */
function hash(s: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}
