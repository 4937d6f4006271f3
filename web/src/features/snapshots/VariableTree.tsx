import { useMemo, useState } from "preact/hooks";
import { UserText } from "../../components/UserText";
import { showBidiControls } from "../../lib/bidi-controls";
import { formatCount } from "../../lib/format";
import { RedactedValue, SecretValue } from "./SecretValue";
import {
  containerPreview,
  DEFAULT_TREE_OPTIONS,
  flattenTree,
  type MoreRow,
  moreCount,
  previewText,
  quotedText,
  showMore,
  toggleNode,
  typeBadge,
  type ValueRow,
} from "./variable-tree";

const INDENT_PX = 16;

function LongString({ text }: { text: string }) {
  const [open, setOpen] = useState(false);
  const preview = previewText(text);
  return (
    <span class={open ? "vt-string open" : "vt-string"}>
      "<UserText text={quotedText(open ? text : preview.text)} />
      {preview.truncated && !open ? "…" : ""}"
      {preview.truncated && (
        <button type="button" class="snap-link-button" onClick={() => setOpen(!open)}>
          {open ? "show less" : `show all ${formatCount(text.length)} characters`}
        </button>
      )}
    </span>
  );
}

function Scalar({ row }: { row: ValueRow }) {
  if (row.type === "string") return <LongString text={row.value as string} />;
  if (row.type === "null") return <span class="vt-null">null</span>;
  return <span class={`vt-${row.type}`}>{String(row.value)}</span>;
}

function ValueCell({ row }: { row: ValueRow }) {
  if (row.type === "object" || row.type === "array") {
    return (
      <span class="vt-preview faint">
        {row.expanded ? "" : <UserText text={containerPreview(row.value, row.type)} />}
      </span>
    );
  }
  if (row.redacted !== null) return <RedactedValue kind={row.redacted} />;
  if (row.secret) return <SecretValue finding={row.secret}>{() => <Scalar row={row} />}</SecretValue>;
  return <Scalar row={row} />;
}

export interface VariableTreeProps {
  value: unknown;
  /** Accessible name of the tree ("Variables", "Request context"). */
  label: string;
}

/** Any JSON value as an expandable, typed tree; big containers page their children. */
export function VariableTree({ value, label }: VariableTreeProps) {
  const [toggled, setToggled] = useState<ReadonlySet<string>>(new Set());
  const [shown, setShown] = useState<ReadonlyMap<string, number>>(new Map());
  const rows = useMemo(() => flattenTree(value, { toggled, shown }), [value, toggled, shown]);

  if (rows.length === 0) return <p class="faint snap-empty">(empty)</p>;
  return (
    <div class="vt" role="tree" aria-label={label} data-testid="variable-tree">
      {rows.map((row) =>
        row.kind === "more" ? (
          <MoreButton
            key={`${row.id}#more`}
            row={row}
            onMore={() => setShown(showMore(shown, row, DEFAULT_TREE_OPTIONS.pageSize))}
          />
        ) : (
          <div
            key={row.id}
            class="vt-row"
            role="treeitem"
            tabIndex={-1}
            aria-level={row.depth + 1}
            aria-expanded={row.childCount > 0 ? row.expanded : undefined}
            aria-selected={false}
            data-path={row.id}
            style={{ paddingLeft: row.depth * INDENT_PX }}
          >
            {row.childCount > 0 ? (
              <button
                type="button"
                class="vt-toggle"
                aria-label={`${row.expanded ? "Collapse" : "Expand"} ${showBidiControls(row.key ?? "value")}`}
                onClick={() => setToggled(toggleNode(toggled, row.id))}
              >
                {row.expanded ? "▾" : "▸"}
              </button>
            ) : (
              <span class="vt-toggle-spacer" />
            )}
            {row.key !== null && (
              <span class={row.isIndex ? "vt-key vt-index" : "vt-key"}>
                <UserText text={row.key} />
              </span>
            )}
            {/* A value the SDK redacted is its marker text: what it was (an object, a number) is not known. */}
            {row.redacted === null && (
              <span class={`vt-type vt-type-${row.type}`}>{typeBadge(row.type, row.childCount)}</span>
            )}
            <ValueCell row={row} />
          </div>
        ),
      )}
    </div>
  );
}

function MoreButton({ row, onMore }: { row: MoreRow; onMore(): void }) {
  const next = moreCount(row, DEFAULT_TREE_OPTIONS.pageSize);
  return (
    <div class="vt-row vt-more" style={{ paddingLeft: row.depth * INDENT_PX + 18 }}>
      <button type="button" class="snap-link-button" onClick={onMore}>
        Show {formatCount(next)} more
      </button>
      <span class="faint">
        {" "}
        ({formatCount(row.shown)} of {formatCount(row.total)} shown)
      </span>
    </div>
  );
}
