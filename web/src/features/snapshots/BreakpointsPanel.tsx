import type { BreakpointJson } from "../../../../src/protocol";
import type { BreakpointPatch } from "../../api/client";
import { serviceColor } from "../../lib/service-color";
import { BreakpointRow } from "./BreakpointRow";
import { groupBreakpoints } from "./breakpoint-model";

export interface BreakpointsPanelProps {
  breakpoints: BreakpointJson[];
  killSwitch: boolean;
  connectedSdks: Record<string, number>;
  nowMs: number;
  filteredId: string | null;
  onUpdate(id: string, patch: BreakpointPatch): void;
  onDelete(id: string): void;
  onFilter(id: string | null): void;
}

/** Every breakpoint, by service, then by file. */
export function BreakpointsPanel(props: BreakpointsPanelProps) {
  const groups = groupBreakpoints(props.breakpoints);
  return (
    <section class="bp-panel" aria-label="Breakpoints" data-testid="breakpoints">
      <div class="bp-columns" aria-hidden="true">
        <span>On</span>
        <span>Label</span>
        <span>Function</span>
        <span>Location</span>
        <span>State</span>
        <span class="bp-captures-head">Captures</span>
        <span>Expires</span>
        <span>Last capture</span>
        <span />
      </div>
      {groups.map((group) => {
        const sdks = props.connectedSdks[group.service] ?? 0;
        return (
          <div key={group.service} class="bp-service" data-service={group.service}>
            <h2 class="bp-service-head">
              <span class="service-chip">
                <span class="service-dot" style={{ background: serviceColor(group.service) }} />
                {group.service}
              </span>
              <span class="faint">
                {group.count} breakpoint{group.count === 1 ? "" : "s"}, {group.enabledCount} enabled
                {sdks > 0 && ` · ${sdks} SDK${sdks === 1 ? "" : "s"} listening`}
              </span>
            </h2>
            {group.files.map((file) => (
              <div key={file.filePath} class="bp-file">
                <h3 class="bp-file-head mono" title={file.filePath}>
                  {file.filePath}
                </h3>
                <ul class="bp-list">
                  {file.breakpoints.map((bp) => (
                    <BreakpointRow
                      key={bp.id}
                      breakpoint={bp}
                      killSwitch={props.killSwitch}
                      nowMs={props.nowMs}
                      filtered={bp.id === props.filteredId}
                      onUpdate={props.onUpdate}
                      onDelete={props.onDelete}
                      onFilter={props.onFilter}
                    />
                  ))}
                </ul>
              </div>
            ))}
          </div>
        );
      })}
    </section>
  );
}
