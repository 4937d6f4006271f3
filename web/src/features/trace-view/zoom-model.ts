/**
 * The waterfall's time window: zooming around a point, panning, and keeping the window inside the
 * trace. Pure; `null` stands for the whole trace.
 */
import type { TimeWindow } from "./waterfall-model";

/**
 * The narrowest window: a ten-millionth of the trace, and never under a microsecond (deeper shows
 * nothing new). A share alone stopped a 2-hour trace at 720 ms, where its microsecond spans were slivers.
 */
const MIN_SHARE = 1e-7;
const MIN_WINDOW_MS = 0.001;

/** `window` moved and shrunk to fit inside [0, totalMs]; null when it covers the whole trace. */
export function clampWindow(window: TimeWindow, totalMs: number): TimeWindow | null {
  if (!(totalMs > 0)) return null;
  const length = Math.max(window.toMs - window.fromMs, totalMs * MIN_SHARE, MIN_WINDOW_MS);
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

/** Digits after the point a window's ends keep in the address: a ten-thousandth of its length or finer, at most 6 (ns). */
function decimalsFor(lengthMs: number): number {
  if (!(lengthMs > 0)) return 6;
  return Math.min(6, Math.max(0, Math.ceil(-Math.log10(lengthMs / 10_000))));
}

/** `?zoom=<fromMs>-<toMs>`, ms from the trace's start, as short as its precision allows ("200-450.5"). */
export function zoomParam(window: TimeWindow): string {
  const digits = decimalsFor(window.toMs - window.fromMs);
  const text = (ms: number) => String(Number(ms.toFixed(digits)));
  return `${text(window.fromMs)}-${text(window.toMs)}`;
}

/** The window a `?zoom=` names, fitted inside the trace; null for none, a malformed one, or one covering the whole trace. */
export function readZoomParam(value: string | null, totalMs: number): TimeWindow | null {
  const match = value === null ? null : /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(value);
  if (!match) return null;
  const fromMs = Number(match[1]);
  const toMs = Number(match[2]);
  if (!(toMs > fromMs)) return null;
  return clampWindow({ fromMs, toMs }, totalMs);
}

/** Whether two windows (or whole traces) are the same. */
export function sameWindow(a: TimeWindow | null, b: TimeWindow | null): boolean {
  return a === b || (a !== null && b !== null && a.fromMs === b.fromMs && a.toMs === b.toMs);
}
