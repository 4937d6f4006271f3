import { useEffect, useRef, useState } from "preact/hooks";
import type { NewBreakpoint } from "../../api/client";
import { withBidiMarks } from "../../components/UserText";
import { EXPIRY_CHOICES, expiryFromChoice, parseMaxCaptures } from "./breakpoint-model";

/**
 * A breakpoint made ahead of the code that hits it: its service and the label the code passes to
 * `captureSnapshot` / `capture_snapshot`. The SDK's first capture call with that label takes it, with
 * the settings given here (enabled, it captures at that very call).
 */
export function NewBreakpointForm(props: {
  /** Services whose SDKs registered breakpoints or checked in: offered, and the only one filled in. */
  services: string[];
  onCreate(input: NewBreakpoint): Promise<string | null>;
  onClose(): void;
}) {
  const [service, setService] = useState(props.services.length === 1 ? (props.services[0] as string) : "");
  const [label, setLabel] = useState("");
  const [max, setMax] = useState("");
  const [expiry, setExpiry] = useState("never");
  const [enabled, setEnabled] = useState(true);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** A field changed: a refusal was of the fields as they were (a label taken), so it no longer stands. */
  const edited =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      setFailure(null);
      set(value);
    };
  const parsedMax = parseMaxCaptures(max);
  const ready = service.trim() !== "" && label.trim() !== "" && parsedMax !== null && !busy;
  // A misspelt service would wait for ever: say which services this server has heard from.
  const unknownService = service.trim() !== "" && props.services.length > 0 && !props.services.includes(service.trim());

  // Focus in the form as it opens: its Escape (close) works only from inside, and typing starts at once.
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    form.current?.querySelector("input")?.focus();
  }, []);

  return (
    <form
      ref={form}
      class="bp-new"
      aria-label="New breakpoint"
      onSubmit={async (event) => {
        event.preventDefault();
        if (!ready) return;
        const minutes = EXPIRY_CHOICES.find((choice) => choice.label === expiry)?.minutes ?? null;
        setBusy(true);
        const why = await props.onCreate({
          service: service.trim(),
          label: label.trim(),
          maxCaptures: parsedMax ?? 0,
          expireAt: expiryFromChoice(minutes, Date.now()),
          enabled,
        });
        setBusy(false);
        if (why === null) props.onClose();
        else setFailure(why);
      }}
      onKeyDown={(event) => {
        if (event.key === "Escape") {
          event.stopPropagation();
          props.onClose();
        }
      }}
    >
      <div class="bp-new-fields">
        <label>
          Service
          <input
            class="input"
            list="bp-new-services"
            required
            size={16}
            value={service}
            onInput={(event) => edited(setService)((event.currentTarget as HTMLInputElement).value)}
          />
          <datalist id="bp-new-services">
            {props.services.map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
        </label>
        <label>
          Label
          <input
            class="input mono"
            required
            size={18}
            placeholder="checkout"
            value={label}
            // biome-ignore lint/a11y/noAutofocus: the form opens on a click to type in it
            autoFocus
            onInput={(event) => edited(setLabel)((event.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <label>
          Max captures
          <input
            class={parsedMax === null ? "input input-invalid" : "input"}
            inputMode="numeric"
            placeholder="∞"
            size={5}
            value={max}
            aria-invalid={parsedMax === null}
            onInput={(event) => edited(setMax)((event.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <label>
          Expires
          <select
            class="input"
            value={expiry}
            onChange={(event) => edited(setExpiry)((event.currentTarget as HTMLSelectElement).value)}
          >
            {EXPIRY_CHOICES.map((choice) => (
              <option key={choice.label} value={choice.label}>
                {choice.label}
              </option>
            ))}
          </select>
        </label>
        <label class="bp-new-check">
          <input
            type="checkbox"
            checked={enabled}
            onChange={(event) => edited(setEnabled)((event.currentTarget as HTMLInputElement).checked)}
          />
          Enabled
        </label>
        <button type="submit" class="button primary" disabled={!ready}>
          Create
        </button>
        <button type="button" class="button" onClick={props.onClose}>
          Cancel
        </button>
      </div>
      {unknownService && (
        <p class="bp-new-unknown" data-testid="unknown-service">
          No SDK of “{service.trim()}” has registered a breakpoint or asked for its breakpoints here since
          tracekit-local started (heard from: {withBidiMarks(props.services.join(", "))}). Check the name, which is the
          serviceName / service_name the app passes to tracekit.init.
        </p>
      )}
      <p class={failure === null ? "faint" : "error-text"} role={failure === null ? undefined : "alert"}>
        {failure ??
          (parsedMax === null
            ? "Max captures: a whole number, or empty for no limit."
            : 'The label is the one your code passes: captureSnapshot("checkout", {…}) in Node, capture_snapshot("checkout", {…}) in Python. The SDK\'s first call with it places the breakpoint there.')}
      </p>
    </form>
  );
}
