const HEX_RE = /^[0-9a-f]+$/;

/** A trace id is 32 hex digits and not all zero (OTLP: an all-zero id is invalid). */
export function normalizeTraceId(raw: string): string | null {
  return normalizeHexId(raw, 32);
}

/** A span id is 16 hex digits and not all zero. */
export function normalizeSpanId(raw: string): string | null {
  return normalizeHexId(raw, 16);
}

function normalizeHexId(raw: string, length: number): string | null {
  if (raw.length !== length) return null;
  const id = raw.toLowerCase();
  if (!HEX_RE.test(id) || /^0+$/.test(id)) return null;
  return id;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Lower-case hex of `bytes[start, end)`. */
export function bytesToHex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let out = "";
  for (let i = start; i < end; i++) out += HEX[bytes[i] as number];
  return out;
}

/**
 * `raw` as a lower-case id of exactly `length` hex digits (any case accepted), or null when it has
 * another length, a non-hex character, or is all zero. Same rule as `normalizeTraceId`, in one pass
 * without regexes: it runs for every id on the ingest hot path.
 */
export function parseHexId(raw: string, length: number): string | null {
  if (raw.length !== length) return null;
  let nonZero = false;
  let upper = false;
  for (let i = 0; i < length; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (c !== 0x30) nonZero = true;
    } else if (c >= 0x61 && c <= 0x66) {
      nonZero = true;
    } else if (c >= 0x41 && c <= 0x46) {
      nonZero = true;
      upper = true;
    } else {
      return null;
    }
  }
  if (!nonZero) return null;
  return upper ? raw.toLowerCase() : raw;
}
