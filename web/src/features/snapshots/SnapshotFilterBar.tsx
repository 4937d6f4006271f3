import type { BreakpointJson } from "../../../../src/protocol";
import { showBidiControls } from "../../lib/bidi-controls";
import { breakpointChoiceText } from "./code-place";
import type { SnapshotFilters } from "./snapshot-feed";

export interface SnapshotFilterBarProps {
  filters: SnapshotFilters;
  services: string[];
  breakpoints: BreakpointJson[];
  onChange(filters: SnapshotFilters): void;
}

/** Service and breakpoint pickers for the captured list; both live in the URL. */
export function SnapshotFilterBar({ filters, services, breakpoints, onChange }: SnapshotFilterBarProps) {
  const choices = breakpoints.filter((b) => filters.service === undefined || b.service === filters.service);
  const known = filters.breakpointId === undefined || breakpoints.some((b) => b.id === filters.breakpointId);
  return (
    <div class="snap-filters">
      <label>
        <span class="muted">Service</span>{" "}
        <select
          class="input"
          value={filters.service ?? ""}
          onChange={(event) => {
            const service = (event.currentTarget as HTMLSelectElement).value || undefined;
            const keep = breakpoints.find((b) => b.id === filters.breakpointId && b.service === service);
            onChange({ service, breakpointId: keep ? keep.id : undefined });
          }}
        >
          <option value="">all</option>
          {services.map((name) => (
            <option key={name} value={name}>
              {showBidiControls(name)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span class="muted">Breakpoint</span>{" "}
        <select
          class="input"
          value={filters.breakpointId ?? ""}
          onChange={(event) =>
            onChange({ ...filters, breakpointId: (event.currentTarget as HTMLSelectElement).value || undefined })
          }
        >
          <option value="">all</option>
          {!known && <option value={filters.breakpointId}>(deleted breakpoint)</option>}
          {choices.map((b) => (
            <option key={b.id} value={b.id}>
              {breakpointChoiceText(b)}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
