/**
 * Which colour each service is drawn in, as a slot of the web app's palette. A colour that is a pure
 * function of the name (a hash) makes two of a laptop's five services share one more often than
 * not, and one assigned in each browser (the order its pages happened to draw services in) differs
 * between pages and browsers. So the server keeps one assignment for every page: a service takes its
 * name's own slot when that is free, else the next free one, and keeps it; past the palette, slots of
 * their own (colours the web app derives). A slot, once given, never changes while the server runs,
 * and with a `--db` file not across runs either: the slots given before are restored first.
 */
import { fmix32 } from "./hash.js";

/** Colours of the web app's palette (web/src/lib/service-color.ts; a test keeps the two equal). */
export const SERVICE_PALETTE_SIZE = 12;

/** FNV-1a of the name, finalized (unsigned 32 bits). */
export function serviceNameHash(service: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < service.length; i++) h = Math.imul(h ^ service.charCodeAt(i), 0x01000193);
  return fmix32(h);
}

/** The slot a name takes when it is free: the same in every run and every browser. */
export function preferredColorSlot(service: string, paletteSize = SERVICE_PALETTE_SIZE): number {
  return serviceNameHash(service) % paletteSize;
}

export interface ServiceColorSlots {
  /** Gives a service its slot unless it has one (or the bound is reached); true when it got one now. */
  assign(service: string): boolean;
  /**
   * Takes back a slot given in an earlier run (kept in a `--db` file) before any is assigned; false,
   * and nothing taken, when the service has a slot, the slot is another's or not one, or the bound is reached.
   */
  restore(service: string, slot: number): boolean;
  /** The slot given to a service, if any. */
  slotOf(service: string): number | undefined;
  /** Every service's slot, in the order they were given. */
  entries(): [service: string, slot: number][];
}

/**
 * An assignment that only grows: at most `maxServices` (any client may send any service name; past
 * the bound a service is drawn in its preferred colour, which the web app computes itself).
 */
export function createServiceColorSlots(maxServices = 1000, paletteSize = SERVICE_PALETTE_SIZE): ServiceColorSlots {
  const slots = new Map<string, number>();
  const taken = new Set<number>();
  /** The first slot past the palette not taken yet. */
  let nextExtra = paletteSize;
  return {
    assign(service) {
      if (slots.has(service) || slots.size >= maxServices) return false;
      const preferred = preferredColorSlot(service, paletteSize);
      let slot = -1;
      for (let step = 0; step < paletteSize; step++) {
        const candidate = (preferred + step) % paletteSize;
        if (!taken.has(candidate)) {
          slot = candidate;
          break;
        }
      }
      if (slot === -1) slot = nextExtra++;
      slots.set(service, slot);
      taken.add(slot);
      return true;
    },
    restore(service, slot) {
      if (slots.has(service) || slots.size >= maxServices || !Number.isSafeInteger(slot) || slot < 0) return false;
      if (taken.has(slot)) return false;
      slots.set(service, slot);
      taken.add(slot);
      // Slots past the palette are given in order: the next one is past every one restored.
      if (slot >= paletteSize && slot >= nextExtra) nextExtra = slot + 1;
      return true;
    },
    slotOf: (service) => slots.get(service),
    entries: () => [...slots],
  };
}
