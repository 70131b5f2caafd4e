// A safetensors file's tensors kept beside the entries of the checkpoint's state they belong to,
// as places in the file's bytes (safetensors.ts reads the header; state-dict.ts reads these as
// the entries' own keys: DetachedTensors).
import type { StateArray } from "../runtime/state-elements.js";
import type { DetachedTensors } from "./state-dict.js";

/** The typed array a safetensors dtype is read as. */
export type TensorView = typeof Float32Array | typeof Float64Array | typeof Uint16Array | typeof Uint8Array;

/**
 * A file's tensors beside the entries of `__metadata__.state` they belong to (see DetachedTensors):
 * a row of slots per entry, each tensor kept as its place in the data. An entry's row is found by
 * its parameter's place when the tensors' keys are the optimizer's, in its order; by a map of the
 * entries otherwise.
 */
export class FileTensors implements DetachedTensors {
  /** Each row's entry. */
  private readonly entries: Record<string, unknown>[] = [];
  /** [row * slots + k]: 1 + the tensor of slot k, 0 for none; doubled when full. */
  private tensors: Int32Array;
  /** Each tensor's view type and count of values (its start in the data is `begins`). */
  private readonly views: TensorView[] = [];
  private readonly counts: number[] = [];
  /** The row of the entry of the pth parameter where its key was found in its place. */
  private readonly rowAt: number[] = [];
  /** What `place` returns. */
  private readonly found: { values: StateArray; from: number; count: number } = {
    values: new Uint8Array(0),
    from: 0,
    count: 0,
  };
  /** An array of each type over the whole data, made once asked for. */
  private readonly whole = new Map<TensorView, StateArray>();
  /** The tensors of the names `slots` gives. */
  private readonly order: number[] = [];
  /** Each entry's row, made once a key is not found in its place (until then, every entry has one row at most). */
  private rows: Map<object, number> | undefined;

  constructor(
    private readonly data: Uint8Array,
    private readonly slotNames: readonly string[],
    private readonly begins: ArrayLike<number>,
    /** The rows expected (the optimizer's parameters): more are made room for. */
    rows: number,
  ) {
    this.tensors = new Int32Array(Math.max(rows, 1) * slotNames.length);
  }

  /** The row of `entry`, a new one for an entry not seen before; `p` the place its key was found in, -1 for none. */
  row(entry: Record<string, unknown>, p: number): number {
    if (p === -1 && this.rows === undefined) this.rows = new Map(this.entries.map((e, row) => [e, row]));
    let row = this.rows?.get(entry);
    if (row === undefined) {
      row = this.entries.length;
      this.entries.push(entry);
      this.rows?.set(entry, row);
      if ((row + 1) * this.slotNames.length > this.tensors.length) {
        const grown = new Int32Array(this.tensors.length * 2);
        grown.set(this.tensors);
        this.tensors = grown;
      }
    }
    if (p !== -1) this.rowAt[p] = row;
    return row;
  }

  has(row: number, k: number): boolean {
    return this.tensors[row * this.slotNames.length + k] !== 0;
  }

  /** Tensor t (the tensors come in order) as slot k of `row`. */
  add(t: number, row: number, k: number, View: TensorView, count: number): void {
    this.tensors[row * this.slotNames.length + k] = t + 1;
    this.views[t] = View;
    this.counts[t] = count;
  }

  find(p: number, entry: object): number {
    const row = this.rowAt[p];
    if (row !== undefined && this.entries[row] === entry) return row;
    // With no map, every row is at its key's place: the entry has none.
    return this.rows?.get(entry) ?? -1;
  }

  slots(row: number): readonly string[] {
    // In the order of their tensors in the file (the few slots of a row, mostly in order already),
    // each tensor in `order` beside its name (kept from one call to the next: setting an array's
    // length calls out of compiled code).
    const names: string[] = [];
    const { order } = this;
    const first = row * this.slotNames.length;
    for (let k = 0; k < this.slotNames.length; k++) {
      const t = this.tensors[first + k];
      if (t === 0) continue;
      let at = names.length;
      for (; at > 0 && order[at - 1] > t; at--) {
        order[at] = order[at - 1];
        names[at] = names[at - 1];
      }
      order[at] = t;
      names[at] = this.slotNames[k];
    }
    return names;
  }

  place(row: number, slot: string): { values: StateArray; from: number; count: number } | undefined {
    const t = this.tensorOf(row, slot);
    if (t === -1) return undefined;
    const View = this.views[t];
    const { data, found } = this;
    const at = data.byteOffset + this.begins[t];
    found.count = this.counts[t];
    if (at % View.BYTES_PER_ELEMENT !== 0) {
      found.values = this.tensor(t);
      found.from = 0;
      return found;
    }
    // One array of each type over the data, from the element where the data starts (or the one before).
    const size = View.BYTES_PER_ELEMENT;
    let whole = this.whole.get(View);
    if (whole === undefined) {
      const start = data.byteOffset - (data.byteOffset % size);
      whole = new View(data.buffer as ArrayBuffer, start, Math.floor((data.byteOffset + data.length - start) / size));
      this.whole.set(View, whole);
    }
    found.values = whole;
    found.from = (at - whole.byteOffset) / size;
    return found;
  }

  /** The tensor of `slot` in `row`, -1 for none. */
  private tensorOf(row: number, slot: string): number {
    const k = this.slotNames.indexOf(slot);
    return (k === -1 ? 0 : this.tensors[row * this.slotNames.length + k]) - 1;
  }

  attach(): void {
    this.entries.forEach((entry, row) => {
      for (const slot of this.slots(row)) entry[slot] = this.tensor(this.tensorOf(row, slot));
    });
    this.entries.length = 0;
    this.rowAt.length = 0;
    this.rows = new Map();
  }

  /**
   * Tensor t's values within the given bytes only: a view where they are aligned for the dtype
   * (loading copies them), else a copy (a Buffer from Node's pool may start anywhere).
   */
  private tensor(t: number): StateArray {
    const View = this.views[t];
    const { data } = this;
    const begin = this.begins[t];
    const count = this.counts[t];
    if ((data.byteOffset + begin) % View.BYTES_PER_ELEMENT === 0)
      return new View(data.buffer as ArrayBuffer, data.byteOffset + begin, count);
    const values = new View(count);
    new Uint8Array(values.buffer).set(data.subarray(begin, begin + count * View.BYTES_PER_ELEMENT));
    return values;
  }
}
