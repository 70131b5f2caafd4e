/**
 * Parameter names: the keys of checkpoints. A name is checked once, where the parameter is named
 * (`runtime.parameter(..., { name })`), so that every checkpoint that saves also loads: it is a
 * non-empty string of well-formed Unicode without control characters (a newline, a NUL), which
 * JSON, a safetensors header (whose readers refuse lone surrogates) and a message all carry as
 * they are. Any other name is an ordinary key, `__proto__` and `constructor` included: checkpoint
 * code keeps names in `Map`s and null-prototype objects and reads them with `Object.hasOwn`.
 */

import { show } from "../runtime/validate.js";

/** C0 and C1 control characters, DEL, and lone surrogates (not Unicode text). */
const NOT_IN_A_NAME = /[\p{Cc}\p{Cs}]/u;

/** `name` if it can key a checkpoint; throws a TypeError naming it otherwise. */
export function checkParameterName(name: unknown): string {
  if (typeof name !== "string") throw new TypeError(`simdopt: option 'name' must be a string, got ${show(name)}`);
  if (name === "") throw new TypeError("simdopt: option 'name' must not be empty (a name keys checkpoints)");
  const bad = NOT_IN_A_NAME.exec(name);
  if (bad !== null) {
    const code = `U+${(bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
    throw new TypeError(
      `simdopt: option 'name' ${JSON.stringify(name)} has the character ${code} at index ${bad.index}: a name keys checkpoints, and may not hold control characters or lone surrogates`,
    );
  }
  return name;
}
