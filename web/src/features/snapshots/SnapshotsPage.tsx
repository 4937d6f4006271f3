import { useEffect, useMemo, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import type { BreakpointJson } from "../../../../src/protocol";
import { searchOf, withParam } from "../../lib/url";
import { useNow } from "../../lib/use-now";
import { useLiveState } from "../../state/live-context";
import { BreakpointsPanel } from "./BreakpointsPanel";
import { breakpointCountText, countBreakpoints } from "./breakpoint-model";
import { CapturedList } from "./CapturedList";
import { KillSwitch } from "./KillSwitch";
import { NewBreakpointForm } from "./NewBreakpointForm";
import { SdkEvents } from "./SdkEvents";
import { SetupHelp } from "./SetupHelp";
import { SnapshotFilterBar } from "./SnapshotFilterBar";
import { type SnapshotFilters, snapshotFiltersFromSearch, snapshotFiltersToSearch } from "./snapshot-feed";
import { useBreakpoints } from "./use-breakpoints";
import { useSdkEvents } from "./use-sdk-events";
import "./snapshots.css";

function breakpointCount(breakpoints: BreakpointJson[], anyDeleted: boolean, nowMs: number): string {
  if (breakpoints.length === 0) return anyDeleted ? "no breakpoints" : "no breakpoints yet";
  return breakpointCountText(countBreakpoints(breakpoints, nowMs));
}

/** `/snapshots`: breakpoints (by service and file), the kill switch, and the live list of captures. */
export function SnapshotsPage() {
  const { url, route } = useLocation();
  const live = useLiveState();
  const search = searchOf(url);
  const filters = useMemo(() => snapshotFiltersFromSearch(search), [search]);
  const nowMs = useNow(5000);
  const bps = useBreakpoints(live.generation);
  const events = useSdkEvents(live.generation);
  const [making, setMaking] = useState(false);

  useEffect(() => {
    document.title = "Snapshots · tracekit-local";
    return () => {
      document.title = "tracekit-local";
    };
  }, []);

  // A filter pick is a step Back can undo. The selected capture (kept in the address by the list) stays selected.
  const setFilters = (next: SnapshotFilters) => {
    const selected = new URLSearchParams(location.search).get("selected");
    route(`/snapshots${withParam(snapshotFiltersToSearch(next), "selected", selected)}`);
  };
  const services = [...new Set(bps.breakpoints.map((b) => b.service))].sort();
  if (filters.service && !services.includes(filters.service)) services.push(filters.service);
  // Services with code monitoring on: they registered a breakpoint or asked for theirs.
  const sdkServices = [...new Set([...services, ...Object.keys(bps.contact.lastCheckIns)])].sort();

  return (
    <div class="snapshots-page">
      <div class="snap-top">
        <h1>Snapshots</h1>
        <span class="muted" data-testid="breakpoint-count">
          {breakpointCount(bps.breakpoints, (bps.contact.deletedFrom?.length ?? 0) > 0, nowMs)}
        </span>
        <button type="button" class="button" aria-expanded={making} onClick={() => setMaking(!making)}>
          New breakpoint
        </button>
        <KillSwitch
          on={bps.killSwitch}
          listening={Object.values(bps.contact.connectedSdks).reduce((sum, n) => sum + n, 0)}
          onChange={(enabled) => void bps.setKillSwitch(enabled)}
        />
      </div>
      {bps.killSwitch && (
        <div class="kill-banner" role="alert">
          The kill switch is on: no SDK captures snapshots, whatever its breakpoints say.
        </div>
      )}
      {bps.error !== null && (
        <div class="error-banner" role="alert">
          {bps.error}
        </div>
      )}
      {making && <NewBreakpointForm services={sdkServices} onCreate={bps.create} onClose={() => setMaking(false)} />}
      <SdkEvents events={events} nowMs={nowMs} pauses={bps.contact.pauses} />
      {bps.loaded && bps.breakpoints.length === 0 ? (
        <SetupHelp contact={bps.contact} />
      ) : (
        <BreakpointsPanel
          breakpoints={bps.breakpoints}
          killSwitch={bps.killSwitch}
          contact={bps.contact}
          nowMs={nowMs}
          filteredId={filters.breakpointId ?? null}
          onUpdate={(id, patch) => void bps.update(id, patch)}
          onDelete={(id) => void bps.remove(id)}
          onFilter={(id) => {
            // A breakpoint of another service than the one picked shows its own snapshots, not none.
            const own = bps.breakpoints.find((b) => b.id === id)?.service;
            const service = id === null || own === filters.service ? filters.service : undefined;
            setFilters({ service, breakpointId: id ?? undefined });
          }}
        />
      )}
      <CapturedList
        filters={filters}
        generation={live.generation}
        nowMs={nowMs}
        toolbar={
          <SnapshotFilterBar
            filters={filters}
            services={services}
            breakpoints={bps.breakpoints}
            onChange={setFilters}
          />
        }
      />
    </div>
  );
}
