import { Fragment } from "preact";
import { UserText } from "../../components/UserText";
import { VirtualList } from "../../components/VirtualList";
import { showBidiControls } from "../../lib/bidi-controls";
import { formatDuration } from "../../lib/format";
import { serviceColor } from "../../lib/service-color";
import type { WaterfallNode } from "../trace-view/waterfall-model";
import { type CompareRow, rowNames, SAME_WITHIN_TEXT, sameThresholdMs, signed } from "./compare-model";

const ROW_HEIGHT = 28;
const MAX_INDENT_DEPTH = 30;
const INDENT_STEP = 14;
const MIN_INDENT_STEP = 4;
/** The share of the name column past which each level is only MIN_INDENT_STEP further in. */
const INDENT_SHARE = 15;

const CHANGE_TEXT: Record<CompareRow["change"], string> = {
  same: "",
  slower: "slower",
  faster: "faster",
  added: "only in B",
  missing: "only in A",
};

/** The aligned span trees as one virtualized table: name, A, B, the change, and both bars on one time scale. */
export function CompareRows({ rows, scaleMs }: { rows: CompareRow[]; scaleMs: number }) {
  return (
    <section class="cmp-table" aria-label="Spans of both traces, aligned">
      <div class="cmp-row cmp-head" aria-hidden="true">
        <span class="cmp-name">Span (service · name)</span>
        <span class="cmp-num">A</span>
        <span class="cmp-num">B</span>
        <span class="cmp-num" title={`B minus A; greyed when ${SAME_WITHIN_TEXT}: about the same`}>
          Change
        </span>
        <span class="cmp-bars">A above, B below, on one time scale</span>
      </div>
      <VirtualList
        class="cmp-list"
        count={rows.length}
        rowHeight={ROW_HEIGHT}
        rowKey={(index) => rows[index]!.key}
        renderRow={(index) => <Row row={rows[index]!} scaleMs={scaleMs} />}
      />
    </section>
  );
}

function Row({ row, scaleMs }: { row: CompareRow; scaleMs: number }) {
  const names = rowNames(row);
  const first = names[0]!;
  const depth = Math.min(row.depth, MAX_INDENT_DEPTH);
  const title = names.map((name, i) => `${name.service} · ${name.label}${names.length > 1 ? ` (${"AB"[i]})` : ""}`);
  return (
    <div class={`cmp-row ${row.change}`} data-change={row.change} data-testid="compare-row">
      <span class="cmp-name" title={showBidiControls(title.join(" vs "))}>
        <span
          class="cmp-indent"
          style={{
            width: depth * INDENT_STEP,
            // Deep rows take smaller steps past a share of the column, the same in every row at one
            // depth, so their names keep room: at 800 px they were all cut to "inventory mid…".
            maxWidth: `calc(${depth * MIN_INDENT_STEP}px + ${INDENT_SHARE}%)`,
          }}
        />
        <span class="service-dot" style={{ background: serviceColor(first.service) }} />
        {names.map((name, i) => (
          <Fragment key={i}>
            {i > 0 && <span class="cmp-versus">vs</span>}
            {(i === 0 || name.service !== first.service) && (
              <span class="cmp-service">
                <UserText text={name.service} />
              </span>
            )}
            <span class="cmp-label">
              <UserText text={name.label} />
            </span>
          </Fragment>
        ))}
        {row.change === "added" || row.change === "missing" ? (
          <span class={`badge cmp-badge ${row.change}`}>{CHANGE_TEXT[row.change]}</span>
        ) : null}
        {row.errorChange === "new" && <span class="badge cmp-badge error">fails in B</span>}
        {row.errorChange === "fixed" && <span class="badge cmp-badge fixed">failed in A</span>}
      </span>
      <span class="cmp-num">{row.a ? formatDuration(row.a.durationMs) : "–"}</span>
      <span class="cmp-num">{row.b ? formatDuration(row.b.durationMs) : "–"}</span>
      <span class={`cmp-num cmp-delta ${row.change}`} title={changeTitle(row)}>
        {row.deltaMs === null ? "" : signed(row.deltaMs)}
      </span>
      <span class="cmp-bars">
        {row.a && <Bar node={row.a} scaleMs={scaleMs} which="a" />}
        {row.b && <Bar node={row.b} scaleMs={scaleMs} which="b" />}
      </span>
    </div>
  );
}

function changeTitle(row: CompareRow): string {
  if (row.change !== "same" || row.a === null || row.deltaMs === null) return CHANGE_TEXT[row.change];
  if (row.deltaMs === 0) return "as long in both";
  return `About the same: changed by no more than ${formatDuration(sameThresholdMs(row.a.durationMs))} (${SAME_WITHIN_TEXT})`;
}

function Bar({ node, scaleMs, which }: { node: WaterfallNode; scaleMs: number; which: "a" | "b" }) {
  const left = (node.offsetMs / scaleMs) * 100;
  const width = Math.max((node.durationMs / scaleMs) * 100, 0.2);
  return (
    <span
      class={`cmp-bar ${which}${node.isError ? " error" : ""}`}
      style={{
        left: `${left}%`,
        width: `${width}%`,
        background: which === "b" && !node.isError ? serviceColor(node.span.service) : undefined,
      }}
    />
  );
}
