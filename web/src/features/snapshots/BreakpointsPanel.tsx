import { useState } from "preact/hooks";
import type { BreakpointJson } from "../../../../src/protocol";
import type { BreakpointPatch } from "../../api/client";
import { UserText, withBidiMarks } from "../../components/UserText";
import { VirtualList } from "../../components/VirtualList";
import { showBidiControls } from "../../lib/bidi-controls";
import { serviceColor } from "../../lib/service-color";
import { useMediaQuery } from "../../lib/use-media-query";
import { BreakpointEditor } from "./BreakpointEditor";
import { BreakpointRow } from "./BreakpointRow";
import {
  breakpointCountText,
  countBreakpoints,
  groupBreakpoints,
  groupedBreakpoints,
  type PanelRow,
  panelRows,
  type SdkContact,
  type ServiceGroup,
  serviceAwaitsCheckIn,
  serviceWaitingSince,
  waitingText,
} from "./breakpoint-model";

/** Every panel row has this height: headings, breakpoints and the open editor alike. */
const ROW_HEIGHT = 32;
/** Where the nine columns do not fit on one line, each breakpoint takes two (see `.bp-panel.stacked`). */
const STACKED_ROW_HEIGHT = 44;
export const STACKED_QUERY = "(max-width: 1000px)";

export interface BreakpointsPanelProps {
  breakpoints: BreakpointJson[];
  killSwitch: boolean;
  contact: SdkContact;
  nowMs: number;
  filteredId: string | null;
  onUpdate(id: string, patch: BreakpointPatch): void;
  onDelete(id: string): void;
  onFilter(id: string | null): void;
}

function ServiceHeading(props: { group: ServiceGroup; contact: SdkContact; killSwitch: boolean; nowMs: number }) {
  const { group, contact } = props;
  const sdks = contact.connectedSdks[group.service] ?? 0;
  // Only while one of its breakpoints would capture once the SDK hears it.
  const waiting = serviceAwaitsCheckIn(group, props.nowMs, props.killSwitch, contact);
  const text = waiting
    ? waitingText(
        group.service,
        contact,
        props.nowMs,
        serviceWaitingSince(group, props.nowMs, props.killSwitch, contact),
      )
    : "";
  return (
    <h2 class="bp-service-head" data-service={group.service}>
      <span class="service-chip">
        <span class="service-dot" style={{ background: serviceColor(group.service) }} />
        <UserText text={group.service} />
      </span>
      <span class="faint" data-testid="service-breakpoint-count">
        {breakpointCountText(countBreakpoints(groupedBreakpoints(group), props.nowMs))}
        {sdks > 0 && ` · ${sdks} SDK${sdks === 1 ? "" : "s"} listening`}
      </span>
      {waiting && (
        <span class="bp-waiting" data-testid="service-waiting" title={showBidiControls(text)}>
          {withBidiMarks(text)}
        </span>
      )}
    </h2>
  );
}

/** Every breakpoint, by service, then by file; a virtual list, since an SDK may register hundreds. */
export function BreakpointsPanel(props: BreakpointsPanelProps) {
  const [editingId, setEditingId] = useState<string | null>(null);
  const stacked = useMediaQuery(STACKED_QUERY);
  const rowHeight = stacked ? STACKED_ROW_HEIGHT : ROW_HEIGHT;
  const rows = panelRows(groupBreakpoints(props.breakpoints), editingId);

  const renderRow = (row: PanelRow) => {
    switch (row.kind) {
      case "service":
        return (
          <ServiceHeading group={row.group} contact={props.contact} killSwitch={props.killSwitch} nowMs={props.nowMs} />
        );
      case "file":
        return (
          <h3 class="bp-file-head mono" title={showBidiControls(row.filePath)}>
            <UserText text={row.filePath} />
          </h3>
        );
      case "breakpoint":
        return (
          <BreakpointRow
            breakpoint={row.breakpoint}
            killSwitch={props.killSwitch}
            contact={props.contact}
            nowMs={props.nowMs}
            filtered={row.breakpoint.id === props.filteredId}
            editing={row.breakpoint.id === editingId}
            onEdit={() => setEditingId(editingId === row.breakpoint.id ? null : row.breakpoint.id)}
            onUpdate={props.onUpdate}
            onDelete={props.onDelete}
            onFilter={props.onFilter}
          />
        );
      case "editor":
        return (
          <BreakpointEditor
            breakpoint={row.breakpoint}
            nowMs={props.nowMs}
            onCancel={() => setEditingId(null)}
            onSave={(patch) => {
              setEditingId(null);
              if (Object.keys(patch).length > 0) props.onUpdate(row.breakpoint.id, patch);
            }}
          />
        );
    }
  };

  return (
    <section class={`bp-panel${stacked ? " stacked" : ""}`} aria-label="Breakpoints" data-testid="breakpoints">
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
      <div class="bp-scroll" style={{ height: rows.length * rowHeight, "--bp-row": `${rowHeight}px` }}>
        <VirtualList
          class="bp-rows"
          count={rows.length}
          rowHeight={rowHeight}
          rowKey={(index) => (rows[index] as PanelRow).key}
          renderRow={(index) => renderRow(rows[index] as PanelRow)}
        />
      </div>
    </section>
  );
}
