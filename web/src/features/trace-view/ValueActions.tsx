import type { AttrValue } from "../../../../src/protocol";
import { CopyButton } from "../../components/CopyButton";
import { showBidiControls } from "../../lib/bidi-controls";
import { attributeValueText } from "./attribute-groups";
import { attributeSearchTerm, searchHref } from "./attribute-search";

export function SearchIcon() {
  return (
    <svg
      width="12"
      height="12"
      viewBox="0 0 16 16"
      aria-hidden="true"
      fill="none"
      stroke="currentColor"
      stroke-width="1.5"
    >
      <circle cx="6.5" cy="6.5" r="4.5" />
      <path d="M10 10l4.5 4.5" />
    </svg>
  );
}

/**
 * A value's controls: the magnifier that finds what else has it (with `search`, when it can be
 * searched for) and its copy button. `shown` is the key as the page names it (cut when long).
 */
export function ValueActions({
  name,
  shown = name,
  value,
  bytes = false,
  search,
}: {
  name: string;
  shown?: string;
  value: AttrValue;
  bytes?: boolean;
  /** What a value's search link lists: traces (a span's attributes) or log records; none without. */
  search?: "spans" | "logs" | undefined;
}) {
  const term = search === undefined ? null : attributeSearchTerm(name, value, search, bytes);
  const what = search === "logs" ? "log records" : "traces";
  return (
    <span class="tv-attr-actions">
      {term !== null && search !== undefined && (
        <a
          class="copy-button tv-attr-search"
          href={searchHref(term, search)}
          title={showBidiControls(`Find ${what} with ${term}`)}
          aria-label={showBidiControls(`Find ${what} with this ${shown}`)}
        >
          <SearchIcon />
        </a>
      )}
      <CopyButton text={attributeValueText(value)} label={`Copy ${shown}`} />
    </span>
  );
}
