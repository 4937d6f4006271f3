import { useState } from "preact/hooks";
import { MASK, type SecretFinding } from "../../../../src/domain/secret-scan";

/**
 * A value that still looks like a secret: masked (a fixed number of bullets, so not even its length
 * shows) until the reader clicks Reveal. The value itself is only ever text.
 */
export function SecretValue({ finding, children }: { finding: SecretFinding; children: () => preact.ComponentChild }) {
  const [revealed, setRevealed] = useState(false);
  return (
    <span class={`secret${revealed ? " revealed" : ""}`} data-secret={finding.kind}>
      {revealed ? children() : <span class="secret-mask">{MASK}</span>}
      <span class="badge secret-badge" title="The SDK did not redact this value; tracekit-local masks it for you">
        looks like {finding.label}
      </span>
      <button
        type="button"
        class="snap-link-button"
        aria-pressed={revealed}
        onClick={(event) => {
          event.stopPropagation();
          setRevealed(!revealed);
        }}
      >
        {revealed ? "Hide" : "Reveal"}
      </button>
    </span>
  );
}

/** The SDK's own redaction marker, shown as what it is rather than as a string value. */
export function RedactedValue({ kind }: { kind: string }) {
  return (
    <span class="badge redacted" title="Redacted by the SDK before it was sent">
      redacted{kind ? `: ${kind.replace(/_/g, " ")}` : ""}
    </span>
  );
}
