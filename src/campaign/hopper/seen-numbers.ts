/**
 * The numbers one import has seen, kept as 53-bit hashes in an open-addressing table of doubles (8 bytes a slot, at
 * most half full: ~32 MB for 2,000,000 numbers, where a Set of the strings takes several times that). A hash can
 * collide, so "seen" only means "maybe seen": the caller must treat such a number as a possible duplicate and let
 * the exact check (the database's key) decide; "new" is always exact.
 */
export class SeenNumbers {
  private table: Float64Array;
  private size = 0;

  constructor(capacity = 1 << 16) {
    this.table = new Float64Array(2 ** Math.ceil(Math.log2(Math.max(16, capacity))));
  }

  /** True when no number with this hash was added before (it is added now). */
  add(number: string): boolean {
    if (this.size * 2 >= this.table.length) this.grow();
    const added = insert(this.table, hash53(number));
    if (added) this.size++;
    return added;
  }

  private grow(): void {
    const old = this.table;
    this.table = new Float64Array(old.length * 2);
    for (const h of old) if (h !== 0) insert(this.table, h);
  }
}

function insert(table: Float64Array, h: number): boolean {
  const mask = table.length - 1;
  for (let i = h % table.length; ; i = (i + 1) & mask) {
    const v = table[i]!;
    if (v === 0) {
      table[i] = h;
      return true;
    }
    if (v === h) return false;
  }
}

/** Two FNV-1a hashes of the string, 32 + 21 bits, plus one (0 marks an empty slot). */
function hash53(s: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0) * 0x200000 + ((b >>> 11) & 0x1fffff) + 1;
}
