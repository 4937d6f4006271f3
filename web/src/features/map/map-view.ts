/**
 * The map's zoom and pan (`?view=x,y,scale`): an offset from the fitted drawing, in its units, and a
 * scale over it. "Fit" (no offset, scale 1) leaves the parameter out.
 */
export interface MapView {
  x: number;
  y: number;
  scale: number;
}

/** The fitted drawing, as "Fit" shows it. */
export const FIT_VIEW: MapView = { x: 0, y: 0, scale: 1 };

const MIN_SCALE = 0.25;
const MAX_SCALE = 4;

/** The largest offset an address may carry: far past any drawing, short of what breaks the arithmetic. */
const MAX_OFFSET = 1e6;

const clampScale = (scale: number) => Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));

/** The view an address names: FIT_VIEW when it names none, or none that reads (a hand-edited link). */
export function readMapView(text: string | null | undefined): MapView {
  if (!text) return FIT_VIEW;
  const parts = text.split(",");
  if (parts.length !== 3 || parts.some((part) => part.trim() === "")) return FIT_VIEW;
  const [x, y, scale] = parts.map(Number) as [number, number, number];
  if (![x, y, scale].every(Number.isFinite) || scale <= 0) return FIT_VIEW;
  if (Math.abs(x) > MAX_OFFSET || Math.abs(y) > MAX_OFFSET) return FIT_VIEW;
  const view = { x, y, scale: clampScale(scale) };
  return isFit(view) ? FIT_VIEW : view;
}

function isFit(view: MapView): boolean {
  return view.x === 0 && view.y === 0 && view.scale === 1;
}

/** The `?view=` value for a view (offsets to whole units, the scale to three decimals); null for Fit. */
export function mapViewParam(view: MapView): string | null {
  const rounded = {
    x: Math.round(view.x) || 0,
    y: Math.round(view.y) || 0,
    scale: Math.round(view.scale * 1000) / 1000,
  };
  return isFit(rounded) ? null : `${rounded.x},${rounded.y},${rounded.scale}`;
}

/** The view zoomed by `factor` (buttons, the wheel), within the scales the map allows. */
export function zoomedView(view: MapView, factor: number): MapView {
  return { ...view, scale: clampScale(view.scale * factor) };
}
