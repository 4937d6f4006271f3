/**
 * A colour per service, assigned (not hashed, so two services never share one while colours are
 * left): each new service takes the first free colour of the palette, past the palette a hue of its
 * own. Assignments are kept in localStorage, so a service keeps its colour across pages and reloads.
 */
const PALETTE = [
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

const STORAGE_KEY = "tracekit-local.service-colors";
/** Services remembered at most; the longest unseen are forgotten first. */
const MAX_REMEMBERED = 500;

/** The part of the Web Storage API used here (tests pass a Map-backed one). */
export interface ColorStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** Colour number n: the palette first, then hues spread by the golden angle. */
function colorAt(n: number): string {
  if (n < PALETTE.length) return PALETTE[n]!;
  const hue = Math.round((n * 137.508) % 360);
  return `hsl(${hue} 62% ${n % 2 === 0 ? 48 : 58}%)`;
}

export function createServiceColors(storage: ColorStorage | null): (service: string) => string {
  /** Service → colour number, in order of last use (a Map keeps insertion order). */
  const assigned = new Map<string, number>();
  try {
    const saved = JSON.parse(storage?.getItem(STORAGE_KEY) ?? "[]") as unknown;
    if (Array.isArray(saved)) {
      for (const entry of saved) {
        if (Array.isArray(entry) && typeof entry[0] === "string" && Number.isInteger(entry[1]) && entry[1] >= 0) {
          assigned.set(entry[0], entry[1]);
        }
      }
    }
  } catch {
    // Unreadable or blocked storage: colours are assigned afresh.
  }
  const cache = new Map<string, string>();
  let saveScheduled = false;
  const save = () => {
    saveScheduled = false;
    try {
      storage?.setItem(STORAGE_KEY, JSON.stringify([...assigned]));
    } catch {
      // Storage full or blocked: colours still hold for this page.
    }
  };

  return (service) => {
    const known = cache.get(service);
    if (known !== undefined) return known;
    let n = assigned.get(service);
    if (n === undefined) {
      if (assigned.size >= MAX_REMEMBERED) assigned.delete(assigned.keys().next().value as string);
      const taken = new Set(assigned.values());
      n = 0;
      while (taken.has(n)) n++;
      assigned.set(service, n);
      if (storage && !saveScheduled) {
        saveScheduled = true;
        queueMicrotask(save);
      }
    }
    const color = colorAt(n);
    cache.set(service, color);
    return color;
  };
}

function browserStorage(): ColorStorage | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null; // storage blocked by the browser's settings
  }
}

/** The app's service colours. */
export const serviceColor = createServiceColors(browserStorage());
