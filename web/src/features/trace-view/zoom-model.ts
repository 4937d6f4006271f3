/**
 * The waterfall's time window: zooming around a point, panning, and keeping the window inside the
 * trace. Pure; `null` stands for the whole trace.
 */
import type { TimeWindow } from "./waterfall-model";

/** The narrowest window, as a share of the trace (deeper zoom shows nothing new). */
const MIN_SHARE = 1e-4;

/** `window` moved and shrunk to fit inside [0, totalMs]; null when it covers the whole trace. */
export function clampWindow(window: TimeWindow, totalMs: number): TimeWindow | null {
  if (!(totalMs > 0)) return null;
  const length = Math.max(window.toMs - window.fromMs, totalMs * MIN_SHARE);
  if (length >= totalMs) return null;
  const fromMs = Math.min(Math.max(0, window.fromMs), totalMs - length);
  return { fromMs, toMs: fromMs + length };
}

/**
 * The window `factor` times as long (below 1 zooms in), keeping `focusMs` at the same place on
 * screen; the focus defaults to the window's middle.
 */
export function zoomWindow(
  view: TimeWindow | null,
  totalMs: number,
  factor: number,
  focusMs?: number,
): TimeWindow | null {
  const current = view ?? { fromMs: 0, toMs: totalMs };
  const length = current.toMs - current.fromMs;
  const focus = Math.min(current.toMs, Math.max(current.fromMs, focusMs ?? current.fromMs + length / 2));
  const share = length > 0 ? (focus - current.fromMs) / length : 0.5;
  const next = length * factor;
  return clampWindow({ fromMs: focus - share * next, toMs: focus - share * next + next }, totalMs);
}

/** The window moved by `share` of its own length (negative: earlier), stopping at the trace's ends. */
export function panWindow(view: TimeWindow | null, totalMs: number, share: number): TimeWindow | null {
  if (view === null) return null;
  const shift = (view.toMs - view.fromMs) * share;
  return clampWindow({ fromMs: view.fromMs + shift, toMs: view.toMs + shift }, totalMs);
}
