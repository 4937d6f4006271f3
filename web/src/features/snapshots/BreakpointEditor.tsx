import { useState } from "preact/hooks";
import type { BreakpointJson } from "../../../../src/protocol";
import type { BreakpointPatch } from "../../api/client";
import { showBidiControls } from "../../lib/bidi-controls";
import { EXPIRY_CHOICES, expiryFromChoice, formatExpiry, parseMaxCaptures } from "./breakpoint-model";

const KEEP = "keep";

/** The inline form for a breakpoint's capture limit and expiry. */
export function BreakpointEditor(props: {
  breakpoint: BreakpointJson;
  nowMs: number;
  onSave(patch: BreakpointPatch): void;
  onCancel(): void;
}) {
  const { breakpoint, nowMs } = props;
  const [max, setMax] = useState(breakpoint.maxCaptures > 0 ? String(breakpoint.maxCaptures) : "");
  const [expiry, setExpiry] = useState(KEEP);
  const parsedMax = parseMaxCaptures(max);
  const fieldId = `bp-edit-${breakpoint.id}`;

  return (
    <form
      class="bp-editor"
      data-editor-for={breakpoint.id}
      aria-label={`Edit breakpoint ${showBidiControls(breakpoint.label)}`}
      onSubmit={(event) => {
        event.preventDefault();
        if (parsedMax === null) return;
        const patch: BreakpointPatch = {};
        if (parsedMax !== breakpoint.maxCaptures) patch.maxCaptures = parsedMax;
        if (expiry !== KEEP) {
          const choice = EXPIRY_CHOICES.find((c) => c.label === expiry);
          if (choice) patch.expireAt = expiryFromChoice(choice.minutes, Date.now());
        }
        props.onSave(patch);
      }}
      onKeyDown={(event) => {
        if (event.key === "Escape") {
          event.stopPropagation();
          props.onCancel();
        }
      }}
    >
      <label for={`${fieldId}-max`}>Max captures</label>
      <input
        id={`${fieldId}-max`}
        class={parsedMax === null ? "input input-invalid" : "input"}
        inputMode="numeric"
        placeholder="∞"
        size={6}
        value={max}
        aria-invalid={parsedMax === null}
        aria-describedby={`${fieldId}-hint`}
        onInput={(event) => setMax((event.currentTarget as HTMLInputElement).value)}
      />
      <label for={`${fieldId}-expiry`}>Expires</label>
      <select
        id={`${fieldId}-expiry`}
        class="input"
        value={expiry}
        onChange={(event) => setExpiry((event.currentTarget as HTMLSelectElement).value)}
      >
        <option value={KEEP}>as now ({formatExpiry(breakpoint.expireAt, nowMs)})</option>
        {EXPIRY_CHOICES.map((choice) => (
          <option key={choice.label} value={choice.label}>
            {choice.label}
          </option>
        ))}
      </select>
      <button type="submit" class="button primary" disabled={parsedMax === null}>
        Save
      </button>
      <button type="button" class="button" onClick={props.onCancel}>
        Cancel
      </button>
      <span id={`${fieldId}-hint`} class={parsedMax === null ? "error-text" : "faint"}>
        {parsedMax === null ? "a whole number, or empty for no limit" : "empty = no limit"}
      </span>
    </form>
  );
}
