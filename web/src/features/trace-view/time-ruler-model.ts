/**
 * The ruler's ticks and their labels, fitted to its width so no two labels touch. Pure.
 */

import { formatTimeLabel } from "../../../../src/domain/duration-text";
import { type TimeTicks, type TimeWindow, timeTicks } from "./waterfall-model";

export interface RulerTicks extends TimeTicks {
  /** One per tick, with the precision the step needs ("1h 6m 40s", "1h 0m 0.72s"). */
  labels: string[];
}

/** A rough width per character of the ruler's 11 px labels, a little over Chromium's. */
export const RULER_CHAR_PX = 6.5;
/** Each label's padding and border, and the least room kept between two labels. */
const LABEL_PAD_PX = 5;
const LABEL_GAP_PX = 8;
/** A tick past this share of the width has its label to its left (the `end` class), to stay inside. */
export const END_LABEL_FRACTION = 0.92;

/** Where a label reaches, in px from the ruler's left edge. */
function labelBox(tick: number, label: string, window: TimeWindow, widthPx: number): [number, number] {
  const x = ((tick - window.fromMs) / (window.toMs - window.fromMs)) * widthPx;
  const width = label.length * RULER_CHAR_PX + LABEL_PAD_PX;
  return x / widthPx > END_LABEL_FRACTION ? [x - width, x] : [x, x + width];
}

/**
 * Ticks at least 80 px apart, and as many as fit with their labels not touching one another
 * (a label right-aligned at the end can meet the one before it): fewer ticks while any would.
 */
export function rulerTicks(window: TimeWindow, widthPx: number, minSpacingPx = 80): RulerTicks {
  let maxTicks = Math.max(2, Math.floor(widthPx / minSpacingPx));
  for (;;) {
    const ticks = timeTicks(window.fromMs, window.toMs, maxTicks);
    const labels = ticks.ticks.map((tick) => formatTimeLabel(tick, ticks.step));
    if (maxTicks <= 1 || !(widthPx > 0) || labelsFit(ticks.ticks, labels, window, widthPx)) {
      return { ...ticks, labels };
    }
    maxTicks--;
  }
}

function labelsFit(ticks: readonly number[], labels: readonly string[], window: TimeWindow, widthPx: number): boolean {
  for (let i = 1; i < ticks.length; i++) {
    const [, previousEnd] = labelBox(ticks[i - 1]!, labels[i - 1]!, window, widthPx);
    const [start] = labelBox(ticks[i]!, labels[i]!, window, widthPx);
    if (previousEnd + LABEL_GAP_PX > start) return false;
  }
  return true;
}

/** Where a label's text is drawn, in px along the ruler, as measured in the page. */
export interface LabelBox {
  left: number;
  right: number;
}

/**
 * Which labels to show, given where each one's text is drawn (in tick order): rulerTicks spaces the
 * ticks by an estimate of the labels' widths, and a wider font than it assumed (another system's) can
 * still make two meet ("400ms500ms"). The first and the last label (the trace's start and end) stay;
 * a label between them that would come within `gapPx` of one already kept is left off, its tick kept.
 */
export function labelsToShow(boxes: readonly LabelBox[], gapPx = LABEL_GAP_PX): boolean[] {
  const shown = boxes.map(() => false);
  if (boxes.length === 0) return shown;
  const clear = (a: LabelBox, b: LabelBox) => a.right + gapPx <= b.left || b.right + gapPx <= a.left;
  const first = boxes[0]!;
  const last = boxes[boxes.length - 1]!;
  shown[0] = true;
  const lastShown = boxes.length > 1 && clear(first, last);
  let previous = first;
  for (let i = 1; i < boxes.length - 1; i++) {
    const box = boxes[i]!;
    if (!clear(previous, box) || (lastShown && !clear(box, last))) continue;
    shown[i] = true;
    previous = box;
  }
  if (lastShown) shown[boxes.length - 1] = true;
  return shown;
}

/**
 * The toolbar's "from – to" of a zoomed window, precise enough that the two ends differ: a 720 ms
 * window near an hour reads "1h – 1h 0m 0.72s", not "1h – 1h".
 */
export function windowText(window: TimeWindow): string {
  const length = window.toMs - window.fromMs;
  const precision = length > 0 ? 10 ** Math.floor(Math.log10(length / 100)) : 1;
  return `${formatTimeLabel(window.fromMs, precision)} – ${formatTimeLabel(window.toMs, precision)}`;
}
