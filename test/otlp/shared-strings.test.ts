import { describe, expect, it } from "vitest";
import { sharedId, sharedString } from "../../src/otlp/json/shared-strings.js";

describe("sharedString / sharedId", () => {
  it("always gives back the value asked for, whatever shares its slot", () => {
    // Many strings of the same length that differ only where the slot is not computed from, and
    // random ones: a cache that answered with the wrong string would corrupt attributes.
    const values: string[] = [];
    for (let i = 0; i < 20_000; i++) values.push(`SELECT ${String(i).padStart(6, "0")} FROM t`);
    for (let i = 0; i < 20_000; i++) values.push(Math.random().toString(36).slice(2));
    values.push("", "a", "é", "😀", "x".repeat(5_000));
    for (let round = 0; round < 2; round++) {
      for (const value of values) {
        expect(sharedString(value)).toBe(value);
        expect(sharedId(value)).toBe(value);
      }
    }
  });
});
