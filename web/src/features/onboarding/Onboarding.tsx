import { useState } from "preact/hooks";
import { CopyButton } from "../../components/CopyButton";
import { useLiveState } from "../../state/live-context";
import { setupSnippets } from "./setup-snippets";
import "./onboarding.css";

function CodeBlock({ code }: { code: string }) {
  return (
    <div class="code-block">
      <pre>
        <code>{code}</code>
      </pre>
      <CopyButton text={code} label="Copy command" />
    </div>
  );
}

/** The empty state: how to get a first trace here. The list replaces it as soon as one arrives. */
export function Onboarding() {
  const origin = location.origin;
  const snippets = setupSnippets(origin);
  const [tab, setTab] = useState(snippets[0]?.id ?? "");
  const current = snippets.find((s) => s.id === tab) ?? snippets[0];
  const { status } = useLiveState();
  return (
    <div class="onboarding" data-testid="onboarding">
      <div class="onboarding-inner">
        <h1>Send your first trace</h1>
        <p class="muted">
          tracekit-local is listening for OpenTelemetry traces at <code>{origin}</code>. Point your app at it and its
          traces appear here as they happen — nothing leaves this machine.
        </p>
        <div class="tabs" role="tablist" aria-label="Set-up for your language">
          {snippets.map((s) => (
            <button
              key={s.id}
              type="button"
              role="tab"
              class={s.id === tab ? "tab active" : "tab"}
              aria-selected={s.id === tab}
              onClick={() => setTab(s.id)}
            >
              {s.title}
            </button>
          ))}
        </div>
        {current && (
          <div class="tab-panel" role="tabpanel" aria-label={current.title}>
            <p>{current.intro}</p>
            {current.steps.map((step, i) => (
              <div key={step.label} class="setup-step">
                <div class="step-label">
                  <span class="step-number">{i + 1}</span>
                  {step.label}
                </div>
                <CodeBlock code={step.code} />
              </div>
            ))}
          </div>
        )}
        <div class="demo-hint">
          <div>
            <strong>No app at hand?</strong> Fill this page with realistic traffic from a handful of services — HTTP,
            SQL, Redis, a queue, LLM calls and a few errors:
          </div>
          <CodeBlock code={`tracekit-local demo --url ${origin}`} />
        </div>
        <p class={`waiting ${status === "open" ? "" : "error-text"}`} data-testid="waiting">
          <span class="pulse" aria-hidden="true" />
          {status === "open"
            ? "Waiting for the first trace… this page updates by itself."
            : "Not connected to tracekit-local: is it still running? Retrying…"}
        </p>
      </div>
    </div>
  );
}
