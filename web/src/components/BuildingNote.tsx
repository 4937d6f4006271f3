import { useEffect } from "preact/hooks";
import type { ServiceMapResponse } from "../../../src/protocol";

type Building = ServiceMapResponse["building"];

/** Asks again every few seconds while the server still reads stored traces into an answer. */
export function useReloadWhileBuilding(building: Building, load: () => void): void {
  useEffect(() => {
    if (building === undefined) return;
    const timer = setTimeout(load, 2000);
    return () => clearTimeout(timer);
  }, [building, load]);
}

/** A quiet line while the server reads the traces a stored file held at start: the page fills in as it goes. */
export function BuildingNote({ building }: { building: Building }) {
  if (building === undefined) return null;
  const share = building.spansTotal === 0 ? 0 : Math.floor((building.spansRead / building.spansTotal) * 100);
  return (
    <p class="muted building-note" role="status" data-testid="building-note">
      Still reading the stored traces… {share}%
    </p>
  );
}
