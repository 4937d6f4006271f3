import { gunzipSync } from "node:zlib";

/** Whether bytes are nothing but white space (none at all too): an input with nothing to import. */
export function isWhiteSpace(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return false;
  return true;
}

/** A gzipped file this small is unpacked to see whether it is blank; a larger one holds something. */
const BLANK_GZIP_BYTES = 64 * 1024;

/**
 * What a file with nothing to import holds ("is empty", "holds nothing but white space"), gzipped or
 * not; null for any other file.
 */
export function blankFileText(bytes: Uint8Array): string | null {
  let text = bytes;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    if (bytes.length > BLANK_GZIP_BYTES) return null;
    try {
      text = gunzipSync(bytes, { maxOutputLength: 1024 * 1024 });
    } catch {
      return null; // not gzip after all, or more than blank: the importer says what it is
    }
  }
  if (!isWhiteSpace(text)) return null;
  return text.length === 0 ? "is empty" : "holds nothing but white space";
}
