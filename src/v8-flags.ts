import { setFlagsFromString } from "node:v8";

/**
 * Sets a V8 flag at run time. False where flags are locked (V8 then keeps its own value): a setting
 * made for speed or memory never stops the server.
 */
export function trySetV8Flag(flag: string): boolean {
  try {
    setFlagsFromString(flag);
    return true;
  } catch {
    return false;
  }
}
