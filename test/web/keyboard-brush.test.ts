import { describe, expect, it } from "vitest";
import {
  BRUSH_STEPS,
  brushKey,
  brushRect,
  KEYBOARD_BRUSH_START,
  type KeyboardBrush,
} from "../../web/src/features/trace-list/keyboard-brush";

/** Presses keys in turn ("Shift+ArrowRight" with Shift), returning the brush and each result's kind. */
function press(keys: string[], from: KeyboardBrush = KEYBOARD_BRUSH_START) {
  let brush = from;
  const kinds: (string | null)[] = [];
  let last = null as ReturnType<typeof brushKey>;
  for (const key of keys) {
    const shift = key.startsWith("Shift+");
    last = brushKey(brush, shift ? key.slice(6) : key, shift);
    kinds.push(last?.kind ?? null);
    if (last) brush = last.brush;
  }
  return { brush, kinds, last };
}

const times = (n: number, key: string) => Array.from({ length: n }, () => key);

describe("the latency chart's keyboard brush", () => {
  it("moves the cursor a step per arrow, within the plot, and draws nothing without Shift", () => {
    const { brush } = press(["ArrowLeft", "ArrowUp", ...times(3, "ArrowRight"), ...times(2, "ArrowDown")]);
    expect(brush).toEqual({ cursor: { x: 3, y: 2 }, anchor: null });
    expect(brushRect(brush)).toBeNull();
    expect(press(times(BRUSH_STEPS + 5, "ArrowRight")).brush.cursor.x).toBe(BRUSH_STEPS);
  });

  it("draws a rectangle with Shift+arrows from where the cursor was, and Enter applies it", () => {
    const { brush } = press([
      "ArrowRight",
      "ArrowRight",
      ...times(4, "Shift+ArrowRight"),
      ...times(5, "Shift+ArrowDown"),
    ]);
    expect(brush).toEqual({ cursor: { x: 6, y: 5 }, anchor: { x: 2, y: 0 } });
    const rect = { left: 0.1, right: 0.3, top: 0, bottom: 0.25 };
    expect(brushRect(brush)).toEqual(rect);
    const enter = brushKey(brush, "Enter", false);
    expect(enter).toEqual({ kind: "apply", brush: { cursor: { x: 6, y: 5 }, anchor: null }, rect });
  });

  it("orders the corners whichever way the rectangle was drawn", () => {
    const start = { cursor: { x: 10, y: 10 }, anchor: null };
    const { brush } = press([...times(2, "Shift+ArrowLeft"), ...times(4, "Shift+ArrowUp")], start);
    expect(brushRect(brush)).toEqual({ left: 0.4, right: 0.5, top: 0.3, bottom: 0.5 });
  });

  it("reads a side with no extent as the whole axis: a time window of every duration", () => {
    const { brush } = press(times(3, "Shift+ArrowRight"));
    expect(brushRect(brush)).toEqual({ left: 0, right: 0.15, top: 0, bottom: 1 });
    expect(brushRect(press(times(3, "Shift+ArrowDown")).brush)).toEqual({ left: 0, right: 1, top: 0, bottom: 0.15 });
  });

  it("drops the rectangle on a plain arrow or Escape, and Enter without one applies nothing", () => {
    expect(press(["Shift+ArrowRight", "ArrowDown"]).brush.anchor).toBeNull();
    const escaped = press(["Shift+ArrowRight", "Escape"]);
    expect(escaped.kinds).toEqual(["move", "move"]);
    expect(escaped.brush).toEqual({ cursor: { x: 1, y: 0 }, anchor: null });
    expect(press(["Enter"]).kinds).toEqual(["move"]);
    // Back where it started: nothing drawn.
    expect(press(["Shift+ArrowRight", "Shift+ArrowLeft", "Enter"]).kinds).toEqual(["move", "move", "move"]);
  });

  it("asks to clear the selection on Escape with nothing drawn, and leaves other keys alone", () => {
    expect(press(["Escape"]).kinds).toEqual(["clear"]);
    expect(brushKey(KEYBOARD_BRUSH_START, "Home", false)).toBeNull();
    expect(brushKey(KEYBOARD_BRUSH_START, "a", false)).toBeNull();
  });
});
