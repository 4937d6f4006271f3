import { useMemo, useState } from "preact/hooks";
import { isBytesKey, placesInside } from "../../../../src/domain/bytes-places";
import type { Attributes, AttrValue, BytesPlace, ValueStep } from "../../../../src/protocol";
import { BytesNote, NestedBytesNotes } from "../../components/BytesNote";
import { LongText } from "../../components/LongText";
import { showBidiControls } from "../../lib/bidi-controls";
import { EAGER_JSON_CHARS, indentParsedJson, looksLikeJson, parsesAsJson } from "../../lib/json-indent";
import { clipText } from "../../lib/long-text";
import { AttributeKey } from "./AttributeKey";
import {
  type AttributeEntry,
  attributeValueText,
  filterEntries,
  filterGroups,
  groupAttributes,
} from "./attribute-groups";
import { Highlighted } from "./Highlighted";
import { ValueActions } from "./ValueActions";

/** Values longer than this are cut until "show all" is clicked. */
const LONG_VALUE = 500;

function valueKind(value: AttrValue): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** `bytes`: the value was sent as OTLP bytes; `inside`: where values inside it (a list or map) were. */
export function AttrValueView({
  value,
  query,
  bytes = false,
  inside = [],
}: {
  value: AttrValue;
  query: string;
  bytes?: boolean;
  inside?: readonly (readonly ValueStep[])[];
}) {
  const json = !bytes && typeof value === "string" && looksLikeJson(value) ? value : null;
  // The text shown indented: the state goes with the value, not the row (another span's value under
  // the same key opens as sent).
  const [formattedText, setFormattedText] = useState<string | null>(null);
  const formatted = json !== null && formattedText === json;
  // A short value is checked once (not at each render) to offer the toggle; a longer one is parsed
  // only when asked. Either is indented only when asked.
  const parses = useMemo(() => json !== null && json.length <= EAGER_JSON_CHARS && parsesAsJson(json), [json]);
  // Indented, or why it is shown as sent: it is not JSON, or it is but nested too deeply to indent.
  const toggled = useMemo(() => {
    if (!formatted || json === null) return null;
    // Parsed once: when shown for a short value, else now.
    if (!(parses || parsesAsJson(json))) return { text: null, note: "not valid JSON" };
    const text = indentParsedJson(json);
    return text !== null ? { text, note: null } : { text: null, note: "too deeply nested to indent" };
  }, [json, formatted, parses]);
  const offered = json !== null && (json.length > EAGER_JSON_CHARS || parses);
  const shownText = toggled?.text ?? attributeValueText(value);
  return (
    <span class={`tv-attr-value ${valueKind(value)}`}>
      {bytes && typeof value === "string" && <BytesNote base64={value} />}
      <NestedBytesNotes value={value} paths={inside} />
      <LongText
        key={formatted ? "json" : "sent"}
        text={shownText}
        limit={LONG_VALUE}
        render={(shown) => <Highlighted text={shown} query={query} />}
      />
      {offered && (
        <button
          type="button"
          class="tv-link-button tv-json-toggle"
          aria-pressed={formatted ? "true" : "false"}
          title={formatted ? "Show the value as sent" : "Show this JSON indented"}
          onClick={() => setFormattedText(formatted ? null : json)}
        >
          JSON
        </button>
      )}
      {toggled?.note && <span class="faint tv-json-note">{toggled.note}</span>}
    </span>
  );
}

/**
 * Where a row's key is exposed for tests: span attributes as `data-attr-key` (a stable hook), the
 * others under their own names so a test looking for a span attribute finds exactly one row.
 */
export type KeyHook =
  | "data-attr-key"
  | "data-resource-key"
  | "data-scope-key"
  | "data-event-attr-key"
  | "data-link-attr-key";

/** Key/value rows, each with a copy button (and, with `search`, a link finding what else has the value). */
export function AttributeRows({
  entries,
  query,
  hook = "data-attr-key",
  bytesKeys,
  search,
}: {
  entries: readonly AttributeEntry[];
  query: string;
  hook?: KeyHook;
  /**
   * Where the values sent as OTLP bytes are (a span's, event's, link's or scope's `bytes`, a span's
   * `resourceBytes`, a log record's `bytes.attributes` or `bytes.resource`), shown as base64.
   */
  bytesKeys?: readonly BytesPlace[];
  /** What a value's search link lists: traces (a span's attributes) or log records; none without. */
  search?: "spans" | "logs" | undefined;
}) {
  return (
    <div class="tv-attrs">
      {entries.map(({ key, value }) => {
        // A key can be as long as a value; the page, its title and its hooks carry only its start.
        const shown = clipText(key);
        const bytes = isBytesKey(bytesKeys, key);
        return (
          <div key={key} class="tv-attr" {...{ [hook]: shown }}>
            <span class="tv-attr-key" title={showBidiControls(shown)}>
              <AttributeKey text={shown} query={query} />
            </span>
            <AttrValueView value={value} query={query} bytes={bytes} inside={placesInside(bytesKeys, key)} />
            <ValueActions name={key} shown={shown} value={value} bytes={bytes} search={search} />
          </div>
        );
      })}
    </div>
  );
}

/** Sorted rows of a plain attribute map (resource, scope, event and link attributes). */
export function PlainAttributes({
  attributes,
  hook,
  filter = "",
  query = "",
  bytesKeys,
  search,
}: {
  attributes: Attributes;
  hook: KeyHook;
  filter?: string;
  query?: string;
  bytesKeys?: readonly BytesPlace[];
  search?: "spans" | "logs";
}) {
  const entries = Object.keys(attributes)
    .sort()
    .map((key) => ({ key, value: attributes[key]! }));
  const shown = filterEntries(entries, filter);
  if (entries.length === 0) return <p class="tv-empty">No attributes.</p>;
  if (shown.length === 0) return <p class="tv-empty">No attribute matches “{filter}”.</p>;
  return <AttributeRows entries={shown} query={filter || query} hook={hook} bytesKeys={bytesKeys} search={search} />;
}

/** Span attributes grouped by meaning (HTTP, Database, Messaging, GenAI, Exception, Other). */
export function AttributeTable({
  attributes,
  filter,
  query,
  bytesKeys,
}: {
  attributes: Attributes;
  filter: string;
  query: string;
  /** Where the values sent as OTLP bytes are (the span's `bytes`), shown as base64. */
  bytesKeys?: readonly BytesPlace[];
}) {
  const groups = groupAttributes(attributes);
  const shown = filterGroups(groups, filter);
  if (groups.length === 0) return <p class="tv-empty">No attributes.</p>;
  if (shown.length === 0) return <p class="tv-empty">No attribute matches “{filter}”.</p>;
  return (
    <div class="tv-attr-groups">
      {shown.map((group) => (
        <div key={group.id} class={`tv-attr-group ${group.id}`}>
          {(shown.length > 1 || group.id !== "other") && (
            <h4 class="tv-group-title">
              {group.title} <span class="faint">{group.entries.length}</span>
            </h4>
          )}
          <AttributeRows entries={group.entries} query={filter || query} bytesKeys={bytesKeys} search="spans" />
        </div>
      ))}
    </div>
  );
}
