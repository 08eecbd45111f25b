/**
 * Small, dependency-free encodings for policy files: float32 arrays as
 * base64 (exact and a third larger than binary, where decimal JSON would be
 * about three times larger and need care to round-trip), a canonical JSON
 * form, and a 53-bit content hash for the checksum.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

/**
 * Base64 of the bytes of a Float32Array (little-endian, as every platform
 * tfjs runs on).
 * @example
 * ```ts
 * encodeFloat32(Float32Array.from([1])); // 'AACAPw=='
 * ```
 */
export function encodeFloat32(data: Float32Array): string {
  return encodeBytes(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/**
 * Base64 of bytes (any typed array's, through a Uint8Array view of it).
 * @example
 * ```ts
 * encodeBytes(Uint8Array.from([1, 0, 1])); // 'AQAB'
 * ```
 */
export function encodeBytes(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + ALPHABET[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += `${ALPHABET[n >> 18]}${ALPHABET[(n >> 12) & 63]}==`;
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += `${ALPHABET[n >> 18]}${ALPHABET[(n >> 12) & 63]}${ALPHABET[(n >> 6) & 63]}=`;
  }
  return out;
}

/**
 * Decodes {@link encodeFloat32}; returns null for text that is not base64 of
 * a whole number of float32 values.
 * @example
 * ```ts
 * decodeFloat32('AACAPw=='); // Float32Array [1]
 * ```
 */
export function decodeFloat32(text: string): Float32Array | null {
  const bytes = decodeBytes(text);
  return bytes && bytes.length % 4 === 0 ? new Float32Array(bytes.buffer) : null;
}

/**
 * Decodes {@link encodeBytes}; returns null for text that is not base64.
 * @example
 * ```ts
 * decodeBytes('AQAB'); // Uint8Array [1, 0, 1]
 * ```
 */
export function decodeBytes(text: string): Uint8Array | null {
  if (typeof text !== 'string' || text.length % 4 !== 0) return null;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const nBytes = (text.length / 4) * 3 - pad;
  const bytes = new Uint8Array(nBytes);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let k = 0; k < 4; k++) {
      const c = text.charCodeAt(i + k);
      const v = c === 61 && i + k >= text.length - pad ? 0 : c < 128 ? LOOKUP[c] : -1;
      if (v < 0) return null;
      n = (n << 6) | v;
    }
    if (o < nBytes) bytes[o++] = n >> 16;
    if (o < nBytes) bytes[o++] = (n >> 8) & 255;
    if (o < nBytes) bytes[o++] = n & 255;
  }
  return bytes;
}

/**
 * JSON with object keys sorted at every level, so the same content always
 * gives the same text (and checksum) whatever order a tool wrote the keys in.
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }); // '{"a":[2,{"c":4,"d":3}],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * cyrb53: a fast 53-bit string hash (not cryptographic: it detects damage
 * and accidental edits, not tampering), as 14 hex digits.
 * @example
 * ```ts
 * hash53('phaser-qmix'); // 14 hex digits, the same on every platform
 * ```
 */
export function hash53(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const n = 4294967296 * (2097151 & h2) + (h1 >>> 0);
  return n.toString(16).padStart(14, '0');
}
