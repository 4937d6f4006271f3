import { describe, expect, it } from "vitest";
import { type ColorStorage, createServiceColors } from "../../web/src/lib/service-color";

function memoryStorage(): ColorStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (key) => data.get(key) ?? null, setItem: (key, value) => void data.set(key, value) };
}

describe("service colours", () => {
  it("gives every service its own colour, also past the palette, and the same one every time", () => {
    const colorOf = createServiceColors(null);
    // These two collided when colours were hashed from the name.
    expect(colorOf("inventory-sync")).not.toBe(colorOf("support-assistant"));
    const names = Array.from({ length: 40 }, (_, i) => `service-${i}`);
    const colors = names.map(colorOf);
    expect(new Set(colors).size).toBe(40);
    expect(names.map(colorOf)).toEqual(colors);
  });

  it("keeps assignments across page loads through storage, and survives broken storage", async () => {
    const storage = memoryStorage();
    const first = createServiceColors(storage);
    const web = first("web");
    const api = first("api");
    await Promise.resolve(); // saved once, after the current task's colours are assigned
    const reloaded = createServiceColors(storage);
    // Asked in the other order after the reload, each keeps its colour.
    expect(reloaded("api")).toBe(api);
    expect(reloaded("web")).toBe(web);
    expect(reloaded("new")).not.toBe(web);

    storage.data.set("tracekit-local.service-colors", "{not json");
    expect(createServiceColors(storage)("web")).toMatch(/^#|^hsl/);
    const throwing: ColorStorage = {
      getItem() {
        throw new Error("blocked");
      },
      setItem() {
        throw new Error("blocked");
      },
    };
    const colorOf = createServiceColors(throwing);
    expect(colorOf("a")).not.toBe(colorOf("b"));
    await Promise.resolve();
  });
});
