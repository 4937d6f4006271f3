import { createServiceColorSlots, type ServiceColorSlots } from "../domain/service-colors.js";
import type { LiveHub } from "../live/hub.js";
import type { ServiceColorStore } from "../store/service-color-store.js";

/** The server's one assignment of palette colours to services (domain/service-colors.ts), kept live. */
export interface ServiceColors {
  /** A service whose spans or logs are being stored: given its colour if new, and every page told. */
  see(service: string): void;
  /** `see` for the service of each item (spans, log records), once per run of one service's items. */
  seeAll(items: readonly { service: string }[]): void;
}

/**
 * The write paths tell this every service they store; a service new to it gets its slot and the
 * whole assignment goes out as a retained live message, so every page (and any page opened later,
 * on connect) draws each service in the same colour. With a `--db` file (`kept`) the slots given in
 * earlier runs are taken back first and each new one is written to it, so a service keeps its colour
 * from run to run. Clearing the stores does not reset it (see service-color-sqlite-store.ts).
 */
export function createServiceColors(
  hub: LiveHub,
  kept: ServiceColorStore | null = null,
  slots: ServiceColorSlots = createServiceColorSlots(),
): ServiceColors {
  const publish = () =>
    hub.publishState("service-colors", () => ({
      type: "service-colors",
      slots: Object.fromEntries(slots.entries()),
    }));
  if (kept !== null) {
    let restored = false;
    for (const [service, slot] of kept.given()) restored = slots.restore(service, slot) || restored;
    if (restored) publish();
  }
  function see(service: string): void {
    if (!slots.assign(service)) return;
    kept?.keep(service, slots.slotOf(service) as number);
    publish();
  }
  return {
    see,
    seeAll(items) {
      // A batch is mostly one service's items: one lookup per run of them.
      let previous: string | undefined;
      for (const item of items) {
        if (item.service === previous) continue;
        previous = item.service;
        see(previous);
      }
    },
  };
}
