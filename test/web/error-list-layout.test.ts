import { describe, expect, it } from "vitest";
import type { ErrorGroupJson } from "../../src/protocol.js";
import {
  groupLayout,
  groupLineSlots,
  OPEN_GUESS_SLOTS,
  scrollTopToShow,
} from "../../web/src/features/errors/error-list-layout.js";

const group = (id: string, passedAlong = false): ErrorGroupJson =>
  ({
    id,
    startedBelow: passedAlong ? [{ id: "f".repeat(16), service: "db", type: "Error", message: "down" }] : [],
  }) as ErrorGroupJson;

describe("the Errors page's virtualized list", () => {
  it("gives each group's line a fixed number of slots, one more with where its errors started, more when narrow", () => {
    expect(groupLineSlots(group("a"), false)).toBe(3);
    expect(groupLineSlots(group("a", true), false)).toBe(4);
    expect(groupLineSlots(group("a"), true)).toBe(5);
    expect(groupLineSlots({ ...group("a"), startedBelow: null }, false)).toBe(3);
  });

  it("places the groups one after another, the open one as tall as measured, and says where each starts", () => {
    const groups = [group("a"), group("b", true), group("c"), group("d")];
    const closed = groupLayout(groups, false, null, null);
    expect(closed.places.map((p) => [p.group.id, p.first, p.slots])).toEqual([
      ["a", 0, 3],
      ["b", 3, 4],
      ["c", 7, 3],
      ["d", 10, 3],
    ]);
    expect(closed.slotCount).toBe(13);
    expect([...closed.startsAt]).toEqual([0, -1, -1, 1, -1, -1, -1, 2, -1, -1, 3, -1, -1]);
    expect(closed.tallest).toBe(4);

    const guessed = groupLayout(groups, false, "b", null);
    expect(guessed.byId.get("b")?.slots).toBe(4 + OPEN_GUESS_SLOTS);
    expect(guessed.byId.get("c")?.first).toBe(3 + 4 + OPEN_GUESS_SLOTS);
    const measured = groupLayout(groups, false, "b", 30);
    expect(measured.byId.get("b")).toMatchObject({ first: 3, slots: 30, lineSlots: 4 });
    expect(measured.byId.get("c")?.first).toBe(33);
    // The list draws this many slots past its edges: an open group shows while any of its slots does.
    expect(measured.tallest).toBe(30);
    // Never shorter than its own line.
    expect(groupLayout(groups, false, "b", 1).byId.get("b")?.slots).toBe(4);
  });

  it("scrolls as little as it can to bring a row into view", () => {
    expect(scrollTopToShow(100, 300, 150, 60)).toBeNull();
    expect(scrollTopToShow(100, 300, 40, 60)).toBe(40);
    expect(scrollTopToShow(100, 300, 380, 60)).toBe(140);
    // Taller than the view: its top.
    expect(scrollTopToShow(0, 300, 500, 800)).toBe(500);
  });
});
