// Generates every kernel's plumbing from its declaration, `optimizers/<name>.json`:
//   generated/kernels.ts   the exports `<name>_f32` and `<name>_f64`, each a walk over a tensor table
//                          that calls the optimizer's update rule (`optimizers/<name>.ts`) for a SIMD
//                          vector at a time and then for the tail, once per combination of flags;
//   build/kernels.json     the layout the host writes (table stride, buffer, scalar and flag slots),
//                          read by the package to generate its typed kernel table.
// The rule's parameters are checked against the declaration, name by name and in order, so that a
// swapped, missing or extra argument fails the build instead of computing something else.
// A declaration with `"handWritten": true` (an optimizer that needs per-tensor reductions, such as
// norms) keeps the ABI and the layout but exports its own `<name>_f32` and `<name>_f64` from
// optimizers/<name>.ts: the generated file re-exports them instead of walking the table itself.
// `"doubleScalars": [names]` (hand-written kernels only) lists scalars the kernel uses in double,
// unrounded (torch computes with them as Python floats); every other scalar is rounded to the
// element type once.
// `"shapeWords": "<view>"` (hand-written kernels only) appends u32 words to each table entry that
// describe the tensor's shape as the kernel views it (SHAPE_WORDS; the package computes them).
// `"blocks": { "elements", "phases", "scratchBytes" }` (hand-written kernels only) makes a kernel
// that reduces over a tensor splittable inside it: its sums are taken per block of `elements`
// elements (a power of two, so a block is whole 64-byte lines and whole SIMD vectors of either
// dtype) into a scratch slot of `scratchBytes` per block, and combined in block order, so that the
// result depends on the tensor alone, not on how it is cut. A step is `phases` passes over the
// table with a join between them (all of pass 1 before any of pass 2); each entry gets BLOCK_WORDS
// after its shape words, and the host cuts each pass at block boundaries (threads/slices.ts).
// With `"wholeRows": true` (and shapeWords lastTwoDims), a tensor of 2 or more dims, viewed as
// [batch, rows, cols], is cut instead in blocks of ⌊elements/(rows·cols)⌋ whole batches where a
// batch has at most `elements` elements, else of max(1, ⌊elements/cols⌋) whole rows of one batch
// (a batch's last block may have fewer); a 1-D tensor keeps blocks of `elements`. The package
// computes the same blocks (runtime/tensor-blocks.ts).
// `"workspace": { "float32PerElement": k }` (hand-written kernels only) gives each tensor a scratch
// area of k float32 per element (64-byte aligned; not state: never saved, freed with the table), for
// a kernel that computes intermediate matrices (Muon's Newton–Schulz iteration); its byte address
// is the word after the shape words (the layout's workspace.word). Threads run such a tensor whole,
// unless the kernel declares `parts`.
// `"workspace": { "float32PerBlockElement": k }` instead gives k float32 per element of one block
// of low-bit state (the definition's stateBlock), for a kernel that keeps a block's values between
// two loops over it (8-bit Adam's new moments, before their block maximum is known): one area per
// thread, shared by the tensors it steps one after another, 0 in the entry of a tensor without
// blocks; threads cut such tensors at their blocks, each slice pointing at its thread's area.
// The kernel's block size is generated (generated/blocks.ts) so that it cannot drift from here.
// `"parts": { "before", "repeated", "after", "repeats", "minElements" }` (hand-written kernels
// with a workspace, without blocks) makes a kernel that works on a whole tensor in several
// dependent steps (Muon's matrix products) splittable inside it: a step is a sequence of `before`
// phases, then `repeated` phases as many times as the scalar named by `repeats` says, then `after`
// phases (generated/parts.ts gives the kernel these counts), and each entry gets PART_WORDS after
// its workspace word. The kernel cuts each tensor in `parts` parts itself (Muon: runs of X's rows)
// and a phase computes only its part's share; threads run the parts of a phase together and join
// before the next. A tensor of fewer than `minElements` elements runs whole on one thread (its
// entry's phase 0 runs every phase), as the joins would cost more than they save.
// `"ranges": { "<state buffer>": "nonNegative" }` declares the values a state buffer can hold
// (RANGES; a buffer not named holds any value): the package refuses a checkpoint whose buffer
// holds another (a negative second moment), so the rule lives here, beside the buffer.
// A state buffer is declared by a line of doc, or by `{ "about", "element" }` when its elements
// are not the parameter's type (hand-written kernels only): `bfloat16` (u16 words), `uint8` (codes
// into a map of maps.json) or `float32` (such as a block's absolute maximum); see state-elements.js.
// `"rows": true` (generated kernels only) adds `<name>_rows_f32` and `<name>_rows_f64`, the same rule
// over some rows of 2-D tables only (a row-sparse gradient, as torch's nn.Embedding(sparse=True)
// makes): each entry is [n, param, grad, ...state buffers, indices, dim] (ROW_WORDS), where the
// gradient holds n = rows·dim values, row k of them belonging to table row indices[k] (u32, each
// listed once); row k of the gradient meets that row of the parameter and of every state buffer,
// SIMD across the row, and no other row is read or written. An entry keeps a tensor table's first
// three words, so the gradient kernels (clipping, the finiteness check) read its values as they
// read a dense gradient.
// Flag combinations that no caller sends need no loops: `"exclusive": [["a", "b"]]` (at most one of
// a group is set) and `"requires": { "a": "b" }` (a only with b) leave them out of the switch, where
// they reach `unreachable()`; the host refuses to send them (runtime/kernels.ts).
//
// The ABI of every kernel: `<name>_<f32|f64>(table, count, scalars)`. `table` holds `count`
// entries of u32 words [n, param, grad, ...state buffers]: an element count and byte addresses;
// `scalars` holds the declaration's scalars as f64, in order, then the flags as one u32 bit mask.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { checkStateElements, mapsSource, readMaps, stateElements } from "./state-elements.js";

const here = (path) => new URL(path, import.meta.url);

/** The shape views a hand-written kernel may declare, and how many u32 words each appends. */
const SHAPE_WORDS = {
  // [rows, cols]: the last two dims of a tensor with 2 or more, [0, 0] otherwise.
  lastTwoDims: 2,
  // [outer, first, middle, second, inner, firstIsLarger]: the tensor as [outer, first, middle,
  // second, inner] with `first` and `second` its two largest dims in the order they come (ties go
  // to the later dim), firstIsLarger 1 when `first` is the largest; all 0 below 2 dims.
  twoLargestDims: 6,
};

/**
 * The words a blocked kernel's table entry ends with. `phase`: 0 runs every phase over the entry
 * (a whole tensor on one thread), k only phase k (the pool runs all of phase k before phase k+1);
 * `first`: the index in the tensor of the entry's first element (0 for a whole tensor; a slice's
 * n counts its elements from there, and its buffer addresses stay the tensor's own); `scratch` and
 * `tensorLength`: the byte address of the tensor's first slot and its element count.
 */
const BLOCK_WORDS = ["phase", "first", "scratch", "tensorLength"];
/**
 * The words a kernel in parts ends its entries with. `phase`: 0 runs every phase over the whole
 * tensor (part 0 of 1), k phase k alone (the pool runs all parts of phase k before phase k+1);
 * `part` and `parts`: which of how many parts of the tensor the entry computes.
 */
const PART_WORDS = ["phase", "part", "parts"];

/** The ranges a state buffer may declare (`"ranges"`); a buffer that declares none holds any value. */
const RANGES = ["nonNegative"];
/** The words a rows kernel's entry ends with: the byte address of the u32 row indices, and the row length. */
const ROW_WORDS = ["indices", "dim"];

/** Every declaration, sorted by name: `{ name, rule, state, scalars, flags }` with name lists. */
export function readDeclarations() {
  return readdirSync(here("optimizers/"))
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => {
      const name = file.slice(0, -".json".length);
      const json = JSON.parse(readFileSync(here(`optimizers/${file}`), "utf8"));
      for (const key of ["rule", "summary", "state", "scalars", "flags"]) {
        if (!(key in json)) throw new Error(`optimizers/${file}: missing '${key}'`);
      }
      const names = (key) => Object.keys(json[key]);
      return {
        name,
        rule: json.rule,
        summary: json.summary,
        state: names("state"),
        scalars: names("scalars"),
        flags: names("flags"),
        handWritten: json.handWritten === true,
        shapeWords: json.shapeWords ?? null,
        doubleScalars: json.doubleScalars ?? [],
        exclusive: json.exclusive ?? [],
        requires: json.requires ?? {},
        blocks: json.blocks ?? null,
        parts: json.parts ?? null,
        workspace: json.workspace ?? null,
        ranges: json.ranges ?? {},
        stateElements: stateElements(json.state, file),
        rows: json.rows === true,
      };
    });
}

/** The parameters of `export function <rule><T, V>(...)` in the rule's source, as [name, type]. */
function ruleParameters(source, rule, file) {
  const match = new RegExp(`export function ${rule}<T, V>\\(([^)]*)\\)`, "s").exec(source);
  if (match === null) throw new Error(`${file}: no 'export function ${rule}<T, V>(...)'`);
  return match[1]
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => part.split(":").map((s) => s.trim()));
}

function checkRule(declaration) {
  const file = `optimizers/${declaration.name}.ts`;
  const expected = [
    ["i", "usize"],
    ...["param", "grad", ...declaration.state].map((name) => [name, "usize"]),
    ...declaration.scalars.map((name) => [name, "V"]),
    ...declaration.flags.map((name) => [name, "bool"]),
  ];
  const actual = ruleParameters(readFileSync(here(file), "utf8"), declaration.rule, file);
  const show = (list) => list.map(([name, type]) => `${name}: ${type}`).join(", ");
  if (show(actual) !== show(expected)) {
    throw new Error(
      `${file}: ${declaration.rule} must take (${show(expected)})\n  as optimizers/${declaration.name}.json declares; it takes (${show(actual)})`,
    );
  }
}

/** Whether the flags `isSet` says are set form a combination the declaration allows. */
function allowed({ exclusive, requires }, isSet) {
  return (
    exclusive.every((group) => group.filter(isSet).length <= 1) &&
    Object.entries(requires).every(([flag, needed]) => !isSet(flag) || isSet(needed))
  );
}

/** Flag names in `exclusive` and `requires` must be declared flags. */
function checkFlagRules(declaration) {
  const named = [...declaration.exclusive.flat(), ...Object.entries(declaration.requires).flat()];
  const unknown = named.filter((flag) => !declaration.flags.includes(flag));
  if (unknown.length > 0) throw new Error(`optimizers/${declaration.name}.json: unknown flags ${unknown.join(", ")}`);
}

/** The host's view of a kernel: where everything goes. */
function layout(declaration) {
  const buffers = ["param", "grad", ...declaration.state];
  const wordsBeforeWorkspace = 1 + buffers.length + (SHAPE_WORDS[declaration.shapeWords] ?? 0);
  const wordsBeforeBlocks = wordsBeforeWorkspace + (declaration.workspace ? 1 : 0);
  const blocks = declaration.blocks && {
    wholeRows: false,
    ...declaration.blocks,
    // The word index of each of BLOCK_WORDS in an entry.
    words: Object.fromEntries(BLOCK_WORDS.map((word, k) => [word, wordsBeforeBlocks + k])),
  };
  const parts = declaration.parts && {
    ...declaration.parts,
    // The word index of each of PART_WORDS in an entry.
    words: Object.fromEntries(PART_WORDS.map((word, k) => [word, wordsBeforeBlocks + k])),
  };
  return {
    summary: declaration.summary,
    state: declaration.state,
    // Each state buffer's range, in the order of `state`: "any" where none is declared.
    stateRanges: declaration.state.map((name) => declaration.ranges[name] ?? "any"),
    // Each state buffer's element type, in order: "param" (the parameter's dtype) or one of state-elements.js.
    stateElements: declaration.stateElements,
    scalars: declaration.scalars,
    flags: declaration.flags,
    shapeWords: declaration.shapeWords,
    doubleScalars: declaration.doubleScalars,
    exclusive: declaration.exclusive,
    requires: declaration.requires,
    // Element by element: any slice of a table may be stepped on its own (threads split tables);
    // hand-written kernels reduce over tensors, so threads cut them between tensors only, or at
    // their blocks when they declare `blocks`.
    elementwise: !declaration.handWritten,
    // Cut inside tensors at block boundaries, in phases (see BLOCK_WORDS); null: not blocked.
    blocks,
    // A scratch area (float32 per element of a tensor, or per element of a block per thread) and
    // the word of its address; null: none.
    workspace: declaration.workspace && { ...declaration.workspace, word: wordsBeforeWorkspace },
    // Cut inside tensors in parts, in phases (see PART_WORDS); null: not in parts.
    parts,
    tableStride: 4 * (wordsBeforeBlocks + (blocks ? BLOCK_WORDS.length : 0) + (parts ? PART_WORDS.length : 0)),
    // The rows kernel's entries (see ROW_WORDS); null: no rows kernel.
    rows: declaration.rows
      ? {
          tableStride: 4 * (1 + buffers.length + ROW_WORDS.length),
          words: Object.fromEntries(ROW_WORDS.map((word, k) => [word, 1 + buffers.length + k])),
        }
      : null,
    flagsOffset: 8 * declaration.scalars.length,
    scalarsBytes: 8 * declaration.scalars.length + 4,
  };
}

/** Blocks: a hand-written kernel, a power of two of at least 16 elements, 2 or more phases, whole f64 slots. */
function checkBlocks({ name, handWritten, blocks, shapeWords }) {
  const { elements, phases, scratchBytes, wholeRows = false } = blocks;
  const power = Number.isInteger(elements) && elements >= 16 && (elements & (elements - 1)) === 0;
  const keys = Object.keys(blocks)
    .filter((key) => key !== "wholeRows")
    .sort()
    .join();
  if (
    !handWritten ||
    keys !== "elements,phases,scratchBytes" ||
    typeof wholeRows !== "boolean" ||
    (wholeRows && shapeWords !== "lastTwoDims") ||
    !power ||
    !(Number.isInteger(phases) && phases >= 2) ||
    !(Number.isInteger(scratchBytes) && scratchBytes > 0 && scratchBytes % 8 === 0)
  ) {
    throw new Error(
      `optimizers/${name}.json: blocks must be { elements: a power of two >= 16, phases: 2 or more, scratchBytes: a multiple of 8, wholeRows?: a boolean, true only with shapeWords lastTwoDims } of a hand-written kernel`,
    );
  }
}

/** A workspace: a hand-written kernel without blocks, a positive whole number of float32 per element or per block element. */
function checkWorkspace({ name, handWritten, blocks, workspace }) {
  const keys = workspace !== null && typeof workspace === "object" ? Object.keys(workspace).join() : "";
  const count = workspace?.[keys];
  if (
    !handWritten ||
    blocks !== null ||
    !["float32PerElement", "float32PerBlockElement"].includes(keys) ||
    !(Number.isInteger(count) && count > 0)
  )
    throw new Error(
      `optimizers/${name}.json: workspace must be { float32PerElement or float32PerBlockElement: a positive integer } of a hand-written kernel without blocks`,
    );
}

/** Parts: a hand-written kernel with a workspace and no blocks; whole counts; `repeats` a scalar. */
function checkParts({ name, handWritten, blocks, workspace, parts, scalars }) {
  const { before, repeated, after, repeats, minElements } = parts;
  const count = (x) => Number.isInteger(x) && x >= 0;
  if (
    !handWritten ||
    blocks !== null ||
    workspace === null ||
    Object.keys(parts).sort().join() !== "after,before,minElements,repeated,repeats" ||
    !(count(before) && count(repeated) && count(after) && before + after >= 1) ||
    !scalars.includes(repeats) ||
    !count(minElements)
  )
    throw new Error(
      `optimizers/${name}.json: parts must be { before, repeated, after: whole numbers (before + after >= 1), repeats: a scalar's name, minElements: a whole number } of a hand-written kernel with a workspace and without blocks`,
    );
}

/** Ranges name declared state buffers, each with one of RANGES. */
function checkRanges({ name, state, ranges }) {
  for (const [buffer, range] of Object.entries(ranges)) {
    if (!state.includes(buffer) || !RANGES.includes(range))
      throw new Error(
        `optimizers/${name}.json: ranges must map state buffers to one of ${RANGES.join(", ")}, got ${buffer}: ${range}`,
      );
  }
}

/** A hand-written kernel must export both entry points itself. */
function checkHandWritten(declaration) {
  const file = `optimizers/${declaration.name}.ts`;
  const source = readFileSync(here(file), "utf8");
  for (const suffix of ["f32", "f64"]) {
    const entry = `export function ${declaration.name}_${suffix}(table: usize, count: usize, scalars: usize): void`;
    if (!source.includes(entry)) throw new Error(`${file}: a hand-written kernel must define '${entry}'`);
  }
}

function kernelSource(declaration) {
  const { name, rule, state, scalars, flags } = declaration;
  if (declaration.handWritten) {
    return `/** ${declaration.summary}: hand-written (per-tensor reductions), same ABI. */
export { ${name}_f32, ${name}_f64 } from "../optimizers/${name}";
`;
  }
  const buffers = ["param", "grad", ...state];
  const stride = 4 * (1 + buffers.length);
  const readBuffers = buffers.map((b, k) => `      const ${b} = <usize>load<u32>(entry, ${4 * (k + 1)});`).join("\n");
  const readScalars = scalars.map((s, k) => `  const ${s} = <T>load<f64>(scalars, ${8 * k});`).join("\n");
  const splats = scalars.map((s) => `    const ${s}V = splat<T, v128>(${s});`).join("\n");
  const call = (V, suffix, at) =>
    `${rule}<T, ${V}>(i, ${buffers.map(at).join(", ")}, ${scalars.map((s) => s + suffix).join(", ")}${flags.length ? ", " : ""}${flags.join(", ")})`;
  // The loop over n elements from i = 0: SIMD vectors, then the scalar tail.
  const elementLoop = (simd, indent, at) =>
    `${indent}let i: usize = 0;${simd ? `\n${indent}for (; i + lanes <= n; i += lanes) ${call("v128", "V", at)};` : ""}
${indent}for (; i < n; i++) ${call("T", "", at)};`;
  const tensorLoop = (simd) => `    for (let t: usize = 0; t < count; t++) {
      const entry = table + t * ${stride};
      const n = <usize>load<u32>(entry);
${readBuffers}
${elementLoop(simd, "      ", (b) => b)}
    }`;
  // Rows: the same rule over one row at a time, each buffer's pointer moved to that row.
  const rowBytes = `n * sizeof<T>()`;
  const rowsLoop = (simd) => `    for (let t: usize = 0; t < count; t++) {
      const entry = table + t * ${stride + 4 * ROW_WORDS.length};
      const values = <usize>load<u32>(entry);
${readBuffers}
      const indices = <usize>load<u32>(entry, ${stride});
      const n = <usize>load<u32>(entry, ${stride + 4});
      const rows: usize = n === 0 ? 0 : values / n;
      for (let k: usize = 0; k < rows; k++) {
        const row = <usize>load<u32>(indices + (k << 2)) * ${rowBytes};
        const gradRow = grad + k * ${rowBytes};
${elementLoop(simd, "        ", (b) => (b === "grad" ? "gradRow" : `${b} + row`))}
      }
    }`;
  const flagParams = flags.map((f) => `, ${f}: bool`).join("");
  const combinations = (walk) =>
    Array.from({ length: 2 ** flags.length }, (_, bits) => bits)
      .filter((bits) => allowed(declaration, (flag) => ((bits >> flags.indexOf(flag)) & 1) === 1))
      .map(
        (bits) =>
          `    case ${bits}: ${walk}<T>(table, count, scalars${flags.map((_, k) => ((bits >> k) & 1 ? ", true" : ", false")).join("")}); break;`,
      );
  const walker = (
    walk,
    loop,
    what,
  ) => `/** ${what}, with the flags as literals, so each combination compiles to its own loops. */
@inline function ${walk}<T>(table: usize, count: usize, scalars: usize${flagParams}): void {
${readScalars}
  if (ASC_FEATURE_SIMD) {
    const lanes = lanesOf<T>();
${splats}
${loop(true)}
  } else {
${loop(false)}
  }
}

@inline function ${walk}Step<T>(table: usize, count: usize, scalars: usize): void {
  const flags = load<u32>(scalars, ${8 * scalars.length});
  switch (flags) {
${combinations(walk).join("\n")}
    default: unreachable();
  }
}
`;
  const dense = `${walker(`${name}Tensors`, tensorLoop, "Steps the tensors of the table")}
/** ${declaration.summary}: one step of \`count\` float32 tensors (see generate.js for the ABI). */
export function ${name}_f32(table: usize, count: usize, scalars: usize): void {
  ${name}TensorsStep<f32>(table, count, scalars);
}

/** ${declaration.summary}: one step of \`count\` float64 tensors. */
export function ${name}_f64(table: usize, count: usize, scalars: usize): void {
  ${name}TensorsStep<f64>(table, count, scalars);
}
`;
  if (!declaration.rows) return dense;
  return `${dense}
${walker(`${name}Rows`, rowsLoop, "Steps the listed rows of the tables")}
/** ${declaration.summary}: one step of the listed rows of \`count\` float32 tables (see generate.js, ROW_WORDS). */
export function ${name}_rows_f32(table: usize, count: usize, scalars: usize): void {
  ${name}RowsStep<f32>(table, count, scalars);
}

/** ${declaration.summary}: one step of the listed rows of \`count\` float64 tables. */
export function ${name}_rows_f64(table: usize, count: usize, scalars: usize): void {
  ${name}RowsStep<f64>(table, count, scalars);
}
`;
}

const declarations = readDeclarations();
declarations.forEach((d) => {
  if (d.shapeWords !== null && !(d.shapeWords in SHAPE_WORDS))
    throw new Error(`optimizers/${d.name}.json: shapeWords must be one of ${Object.keys(SHAPE_WORDS).join(", ")}`);
  if (d.doubleScalars.some((name) => !d.scalars.includes(name)) || (d.doubleScalars.length > 0 && !d.handWritten))
    throw new Error(`optimizers/${d.name}.json: doubleScalars must name scalars of a hand-written kernel`);
  if (d.shapeWords !== null && !d.handWritten)
    throw new Error(`optimizers/${d.name}.json: shapeWords needs a hand-written kernel`);
  if (d.blocks !== null) checkBlocks(d);
  if (d.workspace !== null) checkWorkspace(d);
  if (d.parts !== null) checkParts(d);
  checkStateElements(d);
  if (d.rows && (d.handWritten || d.shapeWords !== null || d.blocks !== null))
    throw new Error(`optimizers/${d.name}.json: rows needs a generated kernel (no handWritten, shapeWords or blocks)`);
  if (d.handWritten) checkHandWritten(d);
  else checkRule(d);
  checkFlagRules(d);
  checkRanges(d);
});
const layouts = Object.fromEntries(declarations.map((d) => [d.name, layout(d)]));
const maps = readMaps();
// A fingerprint of the layouts: a binary and the host's tables must come from the same declarations.
const fingerprint = parseInt(
  createHash("sha256").update(JSON.stringify({ layouts, maps })).digest("hex").slice(0, 7),
  16,
);

mkdirSync(here("generated/"), { recursive: true });
writeFileSync(
  here("generated/kernels.ts"),
  `// Generated by generate.js from optimizers/*.json: do not edit.
import { lanesOf, splat } from "../lib/lanes";
${declarations
  .filter((d) => !d.handWritten)
  .map((d) => `import { ${d.rule} } from "../optimizers/${d.name}";`)
  .join("\n")}

/** The fingerprint of the kernel layouts this binary was built with (see build/kernels.json). */
export function layout_fingerprint(): u32 {
  return ${fingerprint};
}

${declarations.map(kernelSource).join("\n")}`,
);
mkdirSync(here("build/"), { recursive: true });
// Each blocked kernel's block size, for its source to import.
writeFileSync(
  here("generated/blocks.ts"),
  `// Generated by generate.js from optimizers/*.json: do not edit.
${declarations
  .filter((d) => d.blocks !== null)
  .map(
    (d) => `/** Elements per block of ${d.name} (its declaration's blocks.elements). */
export const ${d.name.toUpperCase()}_BLOCK_ELEMENTS: usize = ${d.blocks.elements};`,
  )
  .join("\n")}
`,
);
// Each kernel in parts' phase counts, for its source to import.
writeFileSync(
  here("generated/parts.ts"),
  `// Generated by generate.js from optimizers/*.json: do not edit.
${declarations
  .filter((d) => d.parts !== null)
  .map(
    (d) => `/** Phases of ${d.name} before its repeated ones, and repeated per repeat (its declaration's parts). */
export const ${d.name.toUpperCase()}_PHASES_BEFORE: i32 = ${d.parts.before};
export const ${d.name.toUpperCase()}_PHASES_REPEATED: i32 = ${d.parts.repeated};
/** Phases of ${d.name} after the repeated ones. */
export const ${d.name.toUpperCase()}_PHASES_AFTER: i32 = ${d.parts.after};`,
  )
  .join("\n")}
`,
);
writeFileSync(here("generated/maps.ts"), mapsSource(maps));
writeFileSync(here("build/kernels.json"), `${JSON.stringify({ fingerprint, kernels: layouts, maps }, null, 2)}\n`);
console.log(`generated ${declarations.length} kernels: ${declarations.map((d) => d.name).join(", ")}`);
