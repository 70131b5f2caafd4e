// Safetensors files made by hand, as an attacker or another tool would: a header written as JSON
// text (so that it may repeat a key), data bytes, and the checksum recomputed as saveSafetensors
// computes it, so that a file passes the checksum and reaches the checks behind it.
import { crc32 } from "../dist/checkpoint/crc32.js";

/** The header (as parsed JSON) and the data bytes of a safetensors file. */
export function parseFile(bytes: Uint8Array): { header: Record<string, any>; data: Uint8Array } {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  return { header, data: bytes.slice(8 + length) };
}

/** `__metadata__` with its checksum recomputed over its fields and `data`. */
export function signed(metadata: Record<string, string>, data: Uint8Array): Record<string, string> {
  const canonical = ["format", "kind", "param_groups", "state"].map((field) => metadata[field]).join("\n");
  return { ...metadata, checksum: `crc32:${crc32(new TextEncoder().encode(canonical), data)}` };
}

/** A file of header text `json` (any JSON, duplicate keys and all) and `data`. */
export function fileOf(json: string, data: Uint8Array): Uint8Array {
  const header = new TextEncoder().encode(json);
  const file = new Uint8Array(8 + header.length + data.length);
  new DataView(file.buffer).setBigUint64(0, BigInt(header.length), true);
  file.set(header, 8);
  file.set(data, 8 + header.length);
  return file;
}

/** `bytes` with its header changed by `change` (which may also change the data) and the checksum recomputed. */
export function edited(
  bytes: Uint8Array,
  change: (header: Record<string, any>, data: Uint8Array) => Uint8Array | undefined,
): Uint8Array {
  const { header, data: original } = parseFile(bytes);
  const data = change(header, original) ?? original;
  header.__metadata__ = signed(header.__metadata__, data);
  return fileOf(JSON.stringify(header), data);
}

/** `bytes` with tensor `from` renamed `to` in its place (the tensors' order is the data's order), re-signed. */
export function renamedTensor(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const { header, data } = parseFile(bytes);
  const renamed = Object.fromEntries(Object.entries(header).map(([key, value]) => [key === from ? to : key, value]));
  renamed.__metadata__ = signed(renamed.__metadata__, data);
  return fileOf(JSON.stringify(renamed), data);
}
