import { useState } from "preact/hooks";
import { CopyButton } from "../../components/CopyButton";
import { codeMonitoringSnippets } from "./monitoring-setup";

/** What to do to see anything here: shown while no breakpoint exists. */
export function SetupHelp() {
  const snippets = codeMonitoringSnippets(location.origin);
  const [tab, setTab] = useState(snippets[0]?.id ?? "");
  const current = snippets.find((s) => s.id === tab) ?? snippets[0];
  return (
    <div class="snap-setup" data-testid="snapshots-setup">
      <h2>No breakpoints yet</h2>
      <p class="muted">
        A TraceKit SDK with code monitoring on, pointed at this server, registers a breakpoint here by itself the first
        time your code calls <code>capture_snapshot(label, variables)</code>. Enable it on this page, and the next
        request's variables, stack and request context appear below, beside its trace. No account, no cloud.
      </p>
      <div class="snap-tabs" role="tablist" aria-label="Language">
        {snippets.map((s) => (
          <button
            key={s.id}
            type="button"
            role="tab"
            aria-selected={s.id === current?.id}
            class={s.id === current?.id ? "snap-tab active" : "snap-tab"}
            onClick={() => setTab(s.id)}
          >
            {s.title}
          </button>
        ))}
      </div>
      {current && (
        <div role="tabpanel" aria-label={current.title}>
          <p class="muted">{current.intro}</p>
          <ol class="snap-steps">
            {current.steps.map((step) => (
              <li key={step.label}>
                <div class="snap-step-label">{step.label}</div>
                <div class="snap-code">
                  <pre>{step.code}</pre>
                  <CopyButton text={step.code} label={`Copy: ${step.label}`} />
                </div>
              </li>
            ))}
          </ol>
        </div>
      )}
      <p class="faint">
        Breakpoints start disabled; each one captures at most once a second, up to its limit. The SDK redacts values
        that look like secrets before it sends them, and this page masks any it missed.
      </p>
    </div>
  );
}
