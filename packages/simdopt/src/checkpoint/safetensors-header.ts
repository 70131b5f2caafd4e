/**
 * The JSON header of a safetensors file, written and read in one pass: `__metadata__` (an object
 * of strings) and each tensor's name, dtype, shape and data offsets. A header of 200,000 tensors is
 * tens of megabytes. Written, it goes straight to bytes (a string per tensor, joined and encoded,
 * costs more than the rest of a save). Read, the tensors go into typed columns in the order of
 * the text (HeaderTensors): `JSON.parse` would make an object and two arrays per tensor only for
 * them to be read once, and would keep the last of two equal keys without a word, where a file
 * that names a tensor twice must be refused.
 *
 * Any JSON the format allows is read: whitespace anywhere, fields in any order, escaped strings,
 * numbers with exponents, and fields the format does not know (skipped). Anything else is refused
 * through `fail`, naming the character where the text goes wrong.
 */

/** One tensor of the header as it is read (see HeaderTensors), its name `nameText.slice(nameStart, nameEnd)`. */
interface HeaderTensor {
  nameText: string;
  nameStart: number;
  nameEnd: number;
  dtype: string;
  shape: readonly number[];
  begin: number;
  end: number;
}

/** A tensor to write: its bytes follow those of the tensor before it in the data. */
export interface TensorToWrite {
  /** The parts its name joins (`state.`, a key, `.`, a slot): no string is made of each name. */
  name: readonly string[];
  dtype: string;
  shape: readonly number[];
  byteLength: number;
}

/**
 * The header of `metadata` and `tensors` (in data order) as UTF-8 bytes, padded with spaces to a
 * multiple of 8 bytes so that the data after it starts aligned.
 */
export function writeHeader(metadata: Readonly<Record<string, string>>, tensors: readonly TensorToWrite[]): Uint8Array {
  const start = `{"__metadata__":${JSON.stringify(metadata)}`;
  // Room for the whole header at once where it is ASCII: a buffer doubling to tens of megabytes
  // would cost its copies and the collector's time. Each number takes at most 16 digits and a comma.
  let size = start.length + 8;
  for (const { name, dtype, shape } of tensors) {
    for (const part of name) size += part.length;
    size += dtype.length + TENSOR_BYTES + 17 * shape.length;
  }
  const writer = new HeaderWriter(size);
  writer.text(start);
  let offset = 0;
  for (const { name, dtype, shape, byteLength } of tensors) {
    writer.byte(COMMA);
    writer.string(name);
    writer.ascii(DTYPE_KEY);
    writer.string([dtype]);
    writer.ascii(SHAPE_KEY);
    for (let d = 0; d < shape.length; d++) {
      if (d > 0) writer.byte(COMMA);
      writer.number(shape[d]);
    }
    writer.ascii(OFFSETS_KEY);
    writer.number(offset);
    writer.byte(COMMA);
    offset += byteLength;
    writer.number(offset);
    writer.ascii(TENSOR_END);
  }
  writer.byte(CLOSE_BRACE);
  while (writer.length % 8 !== 0) writer.byte(0x20);
  return writer.bytes();
}

/** The JSON between a tensor's fields, as bytes (ASCII): copied, not encoded, for every tensor. */
const DTYPE_KEY = asciiBytes(':{"dtype":');
const SHAPE_KEY = asciiBytes(',"shape":[');
const OFFSETS_KEY = asciiBytes('],"data_offsets":[');
const TENSOR_END = asciiBytes("]}");
/** A tensor's bytes beside its name, dtype and shape, at most: the pieces, a comma, 4 quotes, two offsets. */
const TENSOR_BYTES = DTYPE_KEY.length + SHAPE_KEY.length + OFFSETS_KEY.length + TENSOR_END.length + 5 + 2 * 17;

function asciiBytes(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** Bytes appended to a buffer that doubles when full. */
class HeaderWriter {
  private buffer: Uint8Array;
  length = 0;
  private readonly encoder = new TextEncoder();

  /** `size`: the bytes expected (more are taken if need be). */
  constructor(size: number) {
    this.buffer = new Uint8Array(size);
  }

  byte(b: number): void {
    if (this.length === this.buffer.length) this.room(1);
    this.buffer[this.length++] = b;
  }

  /** Bytes of ASCII text (a loop: `set` of a few bytes costs more). */
  ascii(bytes: Uint8Array): void {
    this.room(bytes.length);
    // The buffer and length in locals: a field written per byte costs more than the byte.
    const { buffer } = this;
    const at = this.length;
    for (let i = 0; i < bytes.length; i++) buffer[at + i] = bytes[i];
    this.length = at + bytes.length;
  }

  /** `s` as UTF-8, as it is (JSON punctuation, or a string already escaped). */
  text(s: string): void {
    this.room(Math.max(s.length, 4)); // room for one character at least: 4 bytes
    const { read, written } = this.encoder.encodeInto(s, this.buffer.subarray(this.length));
    this.length += written;
    // Characters beyond ASCII take more bytes than the room made: the rest after more room.
    if (read < s.length) this.text(s.slice(read));
  }

  /**
   * The string `parts` join, as a JSON string. Printable ASCII other than a quote or a backslash
   * is copied as it is read; at any other character it is written again from its start, escaped
   * and encoded.
   */
  string(parts: readonly string[]): void {
    const start = this.length;
    this.byte(QUOTE);
    for (const part of parts) {
      this.room(part.length + 1);
      const { buffer } = this; // (locals, as in `ascii`)
      const at = this.length;
      for (let i = 0; i < part.length; i++) {
        const c = part.charCodeAt(i);
        if (c < 0x20 || c >= 0x80 || c === QUOTE || c === BACKSLASH) {
          this.length = start;
          this.escaped(parts.join(""));
          return;
        }
        buffer[at + i] = c;
      }
      this.length = at + part.length;
    }
    this.byte(QUOTE);
  }

  /** `s` as a JSON string, escaped where JSON needs it and encoded as UTF-8. */
  private escaped(s: string): void {
    if (NEEDS_ESCAPE.test(s)) {
      this.text(JSON.stringify(s));
      return;
    }
    this.byte(QUOTE);
    this.text(s);
    this.byte(QUOTE);
  }

  /** A whole number ≥ 0 (a safe integer) in decimal, its digits written from the last. */
  number(x: number): void {
    let digits = 1;
    for (let power = 10; power <= x; power *= 10) digits++; // exact: powers of 10 up to 1e16
    this.room(digits);
    this.length += digits;
    let at = this.length;
    do {
      const digit = x % 10;
      this.buffer[--at] = ZERO + digit;
      x = (x - digit) / 10; // exact: x − digit is a multiple of 10
    } while (x > 0);
  }

  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  /** Grows the buffer to hold `more` bytes after `length`. */
  private room(more: number): void {
    if (this.length + more <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + more) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
}

/** A character that a JSON string must escape: a quote, a backslash, a control character. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON's grammar names these characters
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

/** True when `text` has `word` at position `at`: `startsWith`, without its cost on a long text. */
export function startsAt(text: string, word: string, at: number): boolean {
  if (at + word.length > text.length) return false;
  for (let i = 0; i < word.length; i++) if (text.charCodeAt(at + i) !== word.charCodeAt(i)) return false;
  return true;
}

/**
 * Reads `text`: its `__metadata__` (a null-prototype record; undefined when the header has none)
 * and its tensors in order.
 */
export function readHeader(
  text: string,
  fail: (message: string) => never,
): { metadata: Record<string, string> | undefined; tensors: HeaderTensors } {
  const tensors = new HeaderTensors(text);
  const metadata = new HeaderReader(text, fail).read(tensors);
  return { metadata, tensors };
}

/**
 * The tensors of a header, in the order of the text: a typed column per field, grown by doubling
 * (a header lists up to 200,000 tensors: a string, an object or an array element per tensor and
 * field would cost the collector more than the reading). Tensor t's name is
 * `nameText(t).slice(nameStarts[t], nameEnds[t])`: the header's text itself where the name has no
 * escape (no string is made of it), else the name decoded, from 0 to its length.
 */
export class HeaderTensors {
  count = 0;
  nameStarts = new Int32Array(16); // (a header has at most 100,000,000 bytes)
  nameEnds = new Int32Array(16);
  begins = new Float64Array(16);
  ends = new Float64Array(16);
  /** The index of each dtype in `DTYPES`, -1 for another. */
  private dtypeCodes = new Int8Array(16);
  /** Where each tensor's dimensions end in `dims` (they start where the tensor before's end). */
  dimEnds = new Int32Array(16);
  dims = new Float64Array(16);
  /** The names with escapes, decoded, and dtypes other than `DTYPES`, by tensor. */
  private readonly names = new Map<number, string>();
  private readonly dtypes = new Map<number, string>();

  constructor(private readonly text: string) {}

  nameText(t: number): string {
    return this.names.size === 0 ? this.text : (this.names.get(t) ?? this.text);
  }

  dtype(t: number): string {
    const k = this.dtypeCodes[t];
    return k === -1 ? (this.dtypes.get(t) as string) : DTYPES[k];
  }

  dimStart(t: number): number {
    return t === 0 ? 0 : this.dimEnds[t - 1];
  }

  /** Appends `entry`, copied. */
  add(entry: HeaderTensor): void {
    const t = this.count++;
    if (t === this.begins.length) this.grow();
    if (entry.nameText !== this.text) this.names.set(t, entry.nameText);
    this.nameStarts[t] = entry.nameStart;
    this.nameEnds[t] = entry.nameEnd;
    this.begins[t] = entry.begin;
    this.ends[t] = entry.end;
    const k = DTYPES.indexOf(entry.dtype);
    this.dtypeCodes[t] = k;
    if (k === -1) this.dtypes.set(t, entry.dtype);
    const { shape } = entry;
    let at = this.dimStart(t);
    if (at + shape.length > this.dims.length) {
      const dims = new Float64Array(2 * (at + shape.length));
      dims.set(this.dims);
      this.dims = dims;
    }
    for (let d = 0; d < shape.length; d++) this.dims[at++] = shape[d];
    this.dimEnds[t] = at;
  }

  /** Doubles the room of every column but `dims`. */
  private grow(): void {
    const size = 2 * this.begins.length;
    const grown = <A extends Int32Array | Float64Array | Int8Array>(column: A, Type: new (n: number) => A): A => {
      const copy = new Type(size);
      copy.set(column);
      return copy;
    };
    this.nameStarts = grown(this.nameStarts, Int32Array);
    this.nameEnds = grown(this.nameEnds, Int32Array);
    this.begins = grown(this.begins, Float64Array);
    this.ends = grown(this.ends, Float64Array);
    this.dtypeCodes = grown(this.dtypeCodes, Int8Array);
    this.dimEnds = grown(this.dimEnds, Int32Array);
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const METADATA = "__metadata__";
/** The text of a tensor's description between its values, as the writers spell it. */
const DTYPE_START = '{"dtype":';
const SHAPE_START = ',"shape":[';
const OFFSETS_START = ',"data_offsets":[';
const OFFSETS_END = "]}";
/** A tensor's fields, each a bit of the set it has given: 1, 2, 4. */
const FIELDS = ["dtype", "shape", "data_offsets"];
const QUOTED_FIELDS = FIELDS.map((field) => `"${field}"`);
/** The dtypes most files hold, read without making a string of each. */
const DTYPES = ["F32", "F64", "BF16", "U8"];
const QUOTED_DTYPES = DTYPES.map((dtype) => `"${dtype}"`);
/** A JSON number as the grammar spells it. */
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

class HeaderReader {
  private at = 0;
  private readonly entry: HeaderTensor & { shape: number[] } = {
    nameText: "",
    nameStart: 0,
    nameEnd: 0,
    dtype: "",
    shape: [],
    begin: 0,
    end: 0,
  };
  /** Where the last string read (`scan`) starts and ends, between its quotes. */
  private start = 0;
  private end = 0;
  private readonly offsets: number[] = [];
  /** The index in `DTYPES` of the last tensor's dtype. */
  private dtype = 0;

  constructor(
    private readonly text: string,
    private readonly fail: (message: string) => never,
  ) {}

  read(tensors: HeaderTensors): Record<string, string> | undefined {
    let metadata: Record<string, string> | undefined;
    this.expect(OPEN_BRACE, "the header to open with {");
    for (let more = this.first(CLOSE_BRACE); more; more = this.next(CLOSE_BRACE)) {
      const entry = this.entry;
      if (this.scan()) {
        entry.nameText = this.decoded();
        entry.nameStart = 0;
        entry.nameEnd = entry.nameText.length;
      } else {
        entry.nameText = this.text;
        entry.nameStart = this.start;
        entry.nameEnd = this.end;
      }
      this.expect(COLON, "':' after a key");
      const { nameText, nameStart, nameEnd } = entry;
      if (nameEnd - nameStart === METADATA.length && startsAt(nameText, METADATA, nameStart)) {
        if (metadata !== undefined) this.fail("the header gives __metadata__ twice");
        metadata = this.metadata();
      } else {
        this.tensor();
        tensors.add(entry);
      }
    }
    this.space();
    if (this.at !== this.text.length) this.wrong("the end of the header after its closing }");
    return metadata;
  }

  /** `__metadata__`: an object whose every value is a string. */
  private metadata(): Record<string, string> {
    const fields: Record<string, string> = Object.create(null);
    this.expect(OPEN_BRACE, "__metadata__ to be an object");
    for (let more = this.first(CLOSE_BRACE); more; more = this.next(CLOSE_BRACE)) {
      const key = this.string();
      this.expect(COLON, "':' after a key");
      if (Object.hasOwn(fields, key)) this.fail(`__metadata__ gives '${key}' twice`);
      this.space();
      if (this.text.charCodeAt(this.at) !== QUOTE) this.fail(`__metadata__.${key} is not a string`);
      fields[key] = this.string();
    }
    return fields;
  }

  /** A tensor's description into `this.entry` (its name there already): dtype, shape and data_offsets, each once. */
  private tensor(): void {
    const entry = this.entry;
    // Spelled only for a message.
    const name = () => entry.nameText.slice(entry.nameStart, entry.nameEnd);
    let seen = 0; // bits: dtype, shape, data_offsets
    let member = 0;
    this.space();
    if (this.written()) return;
    if (this.text.charCodeAt(this.at) !== OPEN_BRACE) this.fail(`tensor '${name()}' is not described by an object`);
    this.at++;
    for (let more = this.first(CLOSE_BRACE); more; more = this.next(CLOSE_BRACE)) {
      const bit = this.field(member++);
      this.expect(COLON, "':' after a key");
      if (bit !== 0 && (seen & bit) !== 0) this.fail(`tensor '${name()}' gives '${FIELDS[Math.log2(bit)]}' twice`);
      seen |= bit;
      if (bit === 1) {
        this.space();
        if (this.text.charCodeAt(this.at) !== QUOTE) this.fail(`tensor '${name()}' has a dtype that is not a string`);
        const k = this.known(QUOTED_DTYPES, this.dtype);
        if (k !== -1) this.dtype = k;
        entry.dtype = k === -1 ? this.string() : DTYPES[k];
      } else if (bit === 2) {
        const dims = this.wholeNumbers(entry.shape);
        if (dims === -1) this.fail(`tensor '${name()}' has a shape that is not a list of sizes`);
        if (entry.shape.length !== dims) entry.shape.length = dims;
      } else if (bit === 4) {
        const offsets = this.offsets;
        if (this.wholeNumbers(offsets) !== 2)
          this.fail(`tensor '${name()}' has data_offsets that are not two whole numbers`);
        entry.begin = offsets[0];
        entry.end = offsets[1];
      } else {
        this.skipValue();
      }
    }
    if (seen !== 7) {
      const missing = FIELDS.filter((_, k) => (seen & (1 << k)) === 0);
      this.fail(`tensor '${name()}' has no ${missing.join(" nor ")}`);
    }
  }

  /** A tensor's field name: the bit of `FIELDS` it is (1, 2, 4), or 0 for another; its `member`th. */
  private field(member: number): number {
    let k = this.known(QUOTED_FIELDS, member);
    if (k === -1) k = FIELDS.indexOf(this.string());
    return k === -1 ? 0 : 1 << k;
  }

  /**
   * Which of `quoted` (JSON strings as the writers spell them) is at the next token, read without
   * decoding a string; -1, with nothing read, for none of them. `likely` is tried first (the
   * field in its place in the writers' order, the dtype of the tensor before).
   */
  private known(quoted: readonly string[], likely: number): number {
    this.space();
    if (likely < quoted.length && startsAt(this.text, quoted[likely], this.at)) {
      this.at += quoted[likely].length;
      return likely;
    }
    for (let k = 0; k < quoted.length; k++) {
      if (startsAt(this.text, quoted[k], this.at)) {
        this.at += quoted[k].length;
        return k;
      }
    }
    return -1;
  }

  /**
   * An array of whole numbers ≥ 0 (safe integers) written over `into` from its start: how many
   * (`into` keeps its length: setting it costs more than reading a short array), or -1 if it is not one.
   */
  private wholeNumbers(into: number[]): number {
    this.space();
    if (this.text.charCodeAt(this.at) !== OPEN_BRACKET) return -1;
    this.at++;
    let count = 0;
    for (let more = this.first(CLOSE_BRACKET); more; more = this.next(CLOSE_BRACKET)) {
      this.space();
      const c = this.text.charCodeAt(this.at);
      if (c !== MINUS && (c < ZERO || c > NINE)) return -1;
      const x = this.number();
      if (!Number.isSafeInteger(x) || x < 0) return -1;
      into[count++] = x;
    }
    return count;
  }

  /** After an opening bracket: true when a member follows, false at `close` (read). */
  private first(close: number): boolean {
    this.space();
    if (this.text.charCodeAt(this.at) !== close) return true;
    this.at++;
    return false;
  }

  /** After a member: true at a comma (read: another member follows), false at `close` (read). */
  private next(close: number): boolean {
    this.space();
    const c = this.text.charCodeAt(this.at);
    if (c !== COMMA && c !== close) this.wrong(close === CLOSE_BRACE ? "',' or '}'" : "',' or ']'");
    this.at++;
    return c === COMMA;
  }

  /** A JSON string at the next token, decoded. */
  private string(): string {
    return this.scan() ? this.decoded() : this.text.slice(this.start, this.end);
  }

  /**
   * Reads a JSON string at the next token: its text between the quotes is from `start` to `end`.
   * True when it has an escape (its value is then `decoded()`), false when that text is its value.
   */
  private scan(): boolean {
    this.space();
    const start = this.at;
    if (this.text.charCodeAt(start) !== QUOTE) this.wrong("a string");
    // One look at each character up to the closing quote, or the first backslash.
    let end = start + 1;
    let c = this.text.charCodeAt(end);
    for (; c !== QUOTE && c !== BACKSLASH; c = this.text.charCodeAt(++end)) {
      if (!(c >= 0x20))
        this.fail(`the string at character ${start} ${c >= 0 ? "holds a control character" : "never ends"}`);
    }
    this.start = start + 1;
    if (c === QUOTE) {
      // No escape: the text between the quotes is the string.
      this.at = end + 1;
      this.end = end;
      return false;
    }
    end = this.text.indexOf('"', end);
    // Escapes: find the closing quote (one not escaped), then let JSON decode it.
    for (;;) {
      if (end === -1) this.fail(`the string at character ${start} never ends`);
      let backslashes = 0;
      while (this.text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
      if (backslashes % 2 === 0) break;
      end = this.text.indexOf('"', end + 1);
    }
    this.at = end + 1;
    this.end = end;
    return true;
  }

  /** The value of the string `scan` read, escapes and all. */
  private decoded(): string {
    try {
      return JSON.parse(this.text.slice(this.start - 1, this.end + 1)) as string;
    } catch {
      return this.fail(`the string at character ${this.start - 1} is not valid JSON`);
    }
  }

  /** A JSON number at the next token. */
  private number(): number {
    this.space();
    const start = this.at;
    // Most numbers are plain digits: read them without a regex.
    const value = this.plain(start);
    if (value !== -1) {
      this.at = this.end;
      return value;
    }
    NUMBER.lastIndex = start;
    if (!NUMBER.test(this.text)) this.wrong("a number");
    this.at = NUMBER.lastIndex;
    return Number(this.text.slice(start, this.at));
  }

  /**
   * The whole number written in plain digits at `start` (no sign, fraction nor exponent, at most 15
   * digits: exact), its end in `end`; -1 for any other text.
   */
  private plain(start: number): number {
    let value = 0;
    let end = start;
    for (let c = this.text.charCodeAt(end); c >= ZERO && c <= NINE; c = this.text.charCodeAt(++end))
      value = value * 10 + (c - ZERO);
    const next = this.text.charCodeAt(end);
    const plain = end > start && end - start < 16 && (this.text.charCodeAt(start) !== ZERO || end === start + 1);
    if (!plain || next === 0x2e || next === 0x65 || next === 0x45) return -1;
    this.end = end;
    return value;
  }

  /**
   * A tensor's description as the writers spell it, `{"dtype":"F32","shape":[2],"data_offsets":[0,8]}`,
   * read at once into `this.entry`: true. False, with nothing read, for any other spelling (then
   * read field by field, as JSON allows).
   */
  private written(): boolean {
    const { text, entry } = this;
    let at = this.at;
    if (!startsAt(text, DTYPE_START, at)) return false;
    at += DTYPE_START.length;
    let k = this.dtype;
    if (!startsAt(text, QUOTED_DTYPES[k], at)) {
      k = 0;
      while (k < QUOTED_DTYPES.length && !startsAt(text, QUOTED_DTYPES[k], at)) k++;
      if (k === QUOTED_DTYPES.length) return false;
    }
    at += QUOTED_DTYPES[k].length;
    if (!startsAt(text, SHAPE_START, at)) return false;
    at += SHAPE_START.length;
    let dims = 0;
    const shape = entry.shape;
    if (text.charCodeAt(at) === CLOSE_BRACKET) at++;
    else {
      for (;;) {
        const dim = this.plain(at);
        if (dim === -1) return false;
        shape[dims++] = dim; // (the shape of the tensor before, written over: its length is set once read)
        at = this.end + 1;
        const c = text.charCodeAt(this.end);
        if (c === CLOSE_BRACKET) break;
        if (c !== COMMA) return false;
      }
    }
    if (!startsAt(text, OFFSETS_START, at)) return false;
    at += OFFSETS_START.length;
    const begin = this.plain(at);
    if (begin === -1 || text.charCodeAt(this.end) !== COMMA) return false;
    const end = this.plain(this.end + 1);
    if (end === -1 || !startsAt(text, OFFSETS_END, this.end)) return false;
    this.at = this.end + OFFSETS_END.length;
    this.dtype = k;
    entry.dtype = DTYPES[k];
    if (shape.length !== dims) shape.length = dims;
    entry.begin = begin;
    entry.end = end;
    return true;
  }

  /** Any JSON value, read and dropped (a field the format does not know). */
  private skipValue(): void {
    this.space();
    const c = this.text.charCodeAt(this.at);
    if (c === QUOTE) this.string();
    else if (c === OPEN_BRACE) {
      this.at++;
      for (let more = this.first(CLOSE_BRACE); more; more = this.next(CLOSE_BRACE)) {
        this.string();
        this.expect(COLON, "':' after a key");
        this.skipValue();
      }
    } else if (c === OPEN_BRACKET) {
      this.at++;
      for (let more = this.first(CLOSE_BRACKET); more; more = this.next(CLOSE_BRACKET)) this.skipValue();
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) this.number();
    else {
      for (const word of ["true", "false", "null"]) {
        if (this.text.startsWith(word, this.at)) {
          this.at += word.length;
          return;
        }
      }
      this.wrong("a JSON value");
    }
  }

  private expect(c: number, what: string): void {
    this.space();
    if (this.text.charCodeAt(this.at) !== c) this.wrong(what);
    this.at++;
  }

  /** Skips JSON whitespace. */
  private space(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.at);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.at++;
    }
  }

  private wrong(expected: string): never {
    const found = this.at >= this.text.length ? "the end" : JSON.stringify(this.text.slice(this.at, this.at + 12));
    return this.fail(
      `the header is not JSON as safetensors writes it: expected ${expected} at character ${this.at}, found ${found}`,
    );
  }
}
