/** Whether bytes are nothing but white space (none at all too): an input with nothing to import. */
export function isWhiteSpace(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return false;
  return true;
}
