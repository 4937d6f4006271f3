import { describe, expect, it } from "vitest";
import { createServiceColorSlots, preferredColorSlot, SERVICE_PALETTE_SIZE } from "../../src/domain/service-colors.js";

/** Two names that want the same slot, found by their hashes (the first pair in a fixed list). */
function collidingPair(): [string, string] {
  const bySlot = new Map<number, string>();
  for (let i = 0; ; i++) {
    const name = `svc-${i}`;
    const other = bySlot.get(preferredColorSlot(name));
    if (other !== undefined) return [other, name];
    bySlot.set(preferredColorSlot(name), name);
  }
}

describe("service colour slots", () => {
  it("gives a name its own slot, the same in every run", () => {
    expect(preferredColorSlot("shop-api")).toBe(preferredColorSlot("shop-api"));
    const slots = createServiceColorSlots();
    slots.assign("shop-api");
    expect(slots.slotOf("shop-api")).toBe(preferredColorSlot("shop-api"));
  });

  it("keeps every service apart while there are colours left, whatever order they arrive in", () => {
    const names = Array.from({ length: SERVICE_PALETTE_SIZE }, (_, i) => `service-${i}`);
    for (const order of [names, [...names].reverse()]) {
      const slots = createServiceColorSlots();
      for (const name of order) slots.assign(name);
      const given = names.map((name) => slots.slotOf(name));
      expect(new Set(given).size).toBe(SERVICE_PALETTE_SIZE);
      expect(given.every((slot) => slot !== undefined && slot < SERVICE_PALETTE_SIZE)).toBe(true);
    }
  });

  it("never moves a service when another arrives, even one that wants its slot", () => {
    const [first, second] = collidingPair();
    const slots = createServiceColorSlots();
    expect(slots.assign(first)).toBe(true);
    const before = slots.slotOf(first);
    expect(slots.assign(second)).toBe(true);
    expect(slots.slotOf(first)).toBe(before);
    expect(slots.slotOf(second)).not.toBe(before);
    expect(slots.assign(first)).toBe(false);
  });

  it("gives slots past the palette to more services than colours, up to its bound", () => {
    const slots = createServiceColorSlots(20);
    for (let i = 0; i < 25; i++) slots.assign(`s${i}`);
    const given = slots.entries().map(([, slot]) => slot);
    expect(given).toHaveLength(20);
    expect(new Set(given).size).toBe(20);
    expect(slots.slotOf("s24")).toBeUndefined();
  });

  it("takes back the slots of an earlier run before giving any, and gives newcomers only free ones", () => {
    const [first, second] = collidingPair();
    const earlier = createServiceColorSlots(20);
    earlier.assign(second);
    earlier.assign(first);
    for (let i = 0; i < 14; i++) earlier.assign(`s${i}`);

    const slots = createServiceColorSlots(20);
    for (const [service, slot] of earlier.entries()) expect(slots.restore(service, slot)).toBe(true);
    expect(slots.entries()).toEqual(earlier.entries());
    // The one that arrives first now does not take the slot both want back.
    expect(slots.assign(first)).toBe(false);
    expect(slots.slotOf(second)).toBe(preferredColorSlot(second));
    slots.assign("newcomer");
    const given = slots.entries().map(([, slot]) => slot);
    expect(new Set(given).size).toBe(given.length);
    expect(slots.slotOf("newcomer")).toBe(Math.max(...earlier.entries().map(([, slot]) => slot)) + 1);
  });

  it("refuses to restore a slot that is taken, not a slot, or past the bound", () => {
    const slots = createServiceColorSlots(2);
    expect(slots.restore("a", 3)).toBe(true);
    expect(slots.restore("a", 4)).toBe(false);
    expect(slots.restore("b", 3)).toBe(false);
    expect(slots.restore("b", -1)).toBe(false);
    expect(slots.restore("b", 1.5)).toBe(false);
    expect(slots.restore("b", 5)).toBe(true);
    expect(slots.restore("c", 6)).toBe(false);
    expect(slots.entries()).toEqual([
      ["a", 3],
      ["b", 5],
    ]);
  });
});
