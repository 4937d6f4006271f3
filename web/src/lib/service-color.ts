/**
 * Service colours. The server keeps one assignment of palette slots for every page and browser
 * (src/domain/service-colors.ts) and sends it live; until it has named a service's slot, that
 * service is drawn in its name's own slot, which is the one the server gives unless two services
 * want the same. Elements take their colour from a CSS custom property per service, so the
 * assignment arriving after they were drawn recolours them without a render; canvases, which paint
 * colour values, subscribe and draw again (use-service-colors.ts).
 */
import { preferredColorSlot, serviceNameHash } from "../../../src/domain/service-colors";

/** As many colours as the server has slots (SERVICE_PALETTE_SIZE; a test keeps them equal). */
export const PALETTE: readonly string[] = [
  "#4f7cf0",
  "#16a394",
  "#e0791a",
  "#a855f7",
  "#d6457a",
  "#5a9e2f",
  "#0ea5e9",
  "#c4912a",
  "#7c6cf0",
  "#e0533a",
  "#2f9e6e",
  "#b0559a",
];

/** Slot n's colour: the palette, then (more services than colours) hues spread by the golden angle. */
export function colorOfSlot(n: number): string {
  if (n < PALETTE.length) return PALETTE[n] as string;
  const hue = Math.round((n * 137.508) % 360);
  return `hsl(${hue} 62% ${n % 2 === 0 ? 48 : 58}%)`;
}

/** The custom property holding a service's colour once the server has named its slot. */
export function serviceColorProperty(service: string): string {
  return `--service-${serviceNameHash(service).toString(16).padStart(8, "0")}`;
}

/** Where the assignment is written: the root element's style (anything with `setProperty` in tests). */
export interface ColorTarget {
  setProperty(name: string, value: string): void;
}

export interface ServiceColors {
  /** A CSS colour for elements (a custom property, with the name's own slot as its fallback). */
  css(service: string): string;
  /** The colour itself, for canvases (read when they draw). */
  value(service: string): string;
  /** The server's assignment (the `service-colors` live message). */
  apply(slots: Readonly<Record<string, number>>): void;
  /** How many times the assignment changed a colour: what `value` returns differs when this does. */
  version(): number;
  /** Calls `listener` after each change of the assignment; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
}

export function createServiceColors(target: ColorTarget | null): ServiceColors {
  const assigned = new Map<string, number>();
  const cssCache = new Map<string, string>();
  const listeners = new Set<() => void>();
  let version = 0;
  return {
    css(service) {
      let css = cssCache.get(service);
      if (css === undefined) {
        if (cssCache.size >= 5000) cssCache.clear();
        css = `var(${serviceColorProperty(service)}, ${colorOfSlot(preferredColorSlot(service))})`;
        cssCache.set(service, css);
      }
      return css;
    },
    value: (service) => colorOfSlot(assigned.get(service) ?? preferredColorSlot(service)),
    apply(slots) {
      let changed = false;
      for (const [service, slot] of Object.entries(slots)) {
        if (assigned.get(service) === slot) continue;
        // A service first named in its own slot looks the same as before: canvases need not redraw.
        if (assigned.get(service) !== undefined || slot !== preferredColorSlot(service)) changed = true;
        assigned.set(service, slot);
        target?.setProperty(serviceColorProperty(service), colorOfSlot(slot));
      }
      if (!changed) return;
      version++;
      for (const listener of [...listeners]) listener();
    },
    version: () => version,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

/** The app's service colours (the live connection applies the server's assignment). */
export const serviceColors = createServiceColors(
  typeof document === "undefined" ? null : document.documentElement.style,
);

/** A service's colour for an element's style. */
export const serviceColor = (service: string): string => serviceColors.css(service);
