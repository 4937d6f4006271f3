/**
 * The latency chart's brush from the keyboard, as pure functions: a cursor that arrow keys move over
 * the plot in steps, a rectangle that Shift+arrows draw from where the cursor was, Enter to filter the
 * list to it, Escape to drop it (or, with none drawn, the selection the list holds).
 */

/** Steps across each axis of the plot: one arrow key press moves the cursor a twentieth of it. */
export const BRUSH_STEPS = 20;

/** A position on the plot, in steps from its left (x) and top (y) edges, each 0…BRUSH_STEPS. */
export interface BrushSpot {
  x: number;
  y: number;
}

export interface KeyboardBrush {
  cursor: BrushSpot;
  /** Where Shift+arrows started the rectangle (its other corner is the cursor); null while none is drawn. */
  anchor: BrushSpot | null;
}

/** A rectangle on the plot as shares of its width and height (0…1), from its left and top edges. */
export interface BrushRect {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** The brush as the chart gets focus: the cursor in the top left corner, nothing drawn. */
export const KEYBOARD_BRUSH_START: KeyboardBrush = { cursor: { x: 0, y: 0 }, anchor: null };

/** What a key does: the brush after it, and whether it applies a rectangle or clears the selection. */
export type BrushKeyResult =
  | { kind: "move"; brush: KeyboardBrush }
  | { kind: "apply"; brush: KeyboardBrush; rect: BrushRect }
  | { kind: "clear"; brush: KeyboardBrush };

const MOVES: Record<string, BrushSpot> = {
  ArrowLeft: { x: -1, y: 0 },
  ArrowRight: { x: 1, y: 0 },
  ArrowUp: { x: 0, y: -1 },
  ArrowDown: { x: 0, y: 1 },
};

const clampStep = (n: number) => Math.min(BRUSH_STEPS, Math.max(0, n));

/**
 * The rectangle between the anchor and the cursor, or null when none is drawn. A side with no extent
 * (Shift+→ alone) spans the whole axis: a time window of every duration, or a duration range of every
 * start time.
 */
export function brushRect(brush: KeyboardBrush): BrushRect | null {
  const { anchor, cursor } = brush;
  if (anchor === null || (anchor.x === cursor.x && anchor.y === cursor.y)) return null;
  const [left, right] = anchor.x === cursor.x ? [0, BRUSH_STEPS] : [anchor.x, cursor.x].sort((a, b) => a - b);
  const [top, bottom] = anchor.y === cursor.y ? [0, BRUSH_STEPS] : [anchor.y, cursor.y].sort((a, b) => a - b);
  return {
    left: (left as number) / BRUSH_STEPS,
    right: (right as number) / BRUSH_STEPS,
    top: (top as number) / BRUSH_STEPS,
    bottom: (bottom as number) / BRUSH_STEPS,
  };
}

/**
 * What `key` (a KeyboardEvent's key) does to the brush, or null for a key the chart leaves alone.
 * Arrows move the cursor (dropping the rectangle); Shift+arrows draw one from where the cursor was;
 * Enter applies it (and does nothing without one); Escape drops it, or with none asks to clear.
 */
export function brushKey(brush: KeyboardBrush, key: string, shift: boolean): BrushKeyResult | null {
  const move = MOVES[key];
  if (move) {
    const cursor = { x: clampStep(brush.cursor.x + move.x), y: clampStep(brush.cursor.y + move.y) };
    return { kind: "move", brush: { cursor, anchor: shift ? (brush.anchor ?? brush.cursor) : null } };
  }
  if (key === "Enter") {
    const rect = brushRect(brush);
    return rect === null
      ? { kind: "move", brush }
      : { kind: "apply", brush: { cursor: brush.cursor, anchor: null }, rect };
  }
  if (key === "Escape") {
    return brush.anchor === null
      ? { kind: "clear", brush }
      : { kind: "move", brush: { cursor: brush.cursor, anchor: null } };
  }
  return null;
}
