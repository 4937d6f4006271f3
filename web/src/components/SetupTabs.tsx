import { useState } from "preact/hooks";
import { CopyButton } from "./CopyButton";
import { Prose } from "./Prose";
import "./setup-tabs.css";

export interface TabbedSetup {
  id: string;
  title: string;
  intro: string;
  steps: { label: string; code: string }[];
}

/** Set-ups for several languages, one tab each: an intro and numbered steps with copyable code. */
export function SetupTabs({ setups }: { setups: readonly TabbedSetup[] }) {
  const [tab, setTab] = useState(setups[0]?.id ?? "");
  const current = setups.find((s) => s.id === tab) ?? setups[0];
  return (
    <>
      <div class="tabbed-setup-tabs" role="tablist" aria-label="Language">
        {setups.map((s) => (
          <button
            key={s.id}
            type="button"
            role="tab"
            aria-selected={s.id === current?.id}
            class={s.id === current?.id ? "tabbed-setup-tab active" : "tabbed-setup-tab"}
            onClick={() => setTab(s.id)}
          >
            {s.title}
          </button>
        ))}
      </div>
      {current && (
        <div role="tabpanel" aria-label={current.title}>
          <p class="muted">
            <Prose text={current.intro} />
          </p>
          <ol class="tabbed-setup-steps">
            {current.steps.map((step) => (
              <li key={step.label}>
                <div class="tabbed-setup-step-label">{step.label}</div>
                <div class="tabbed-setup-code">
                  <pre>{step.code}</pre>
                  <CopyButton text={step.code} label={`Copy: ${step.label}`} />
                </div>
              </li>
            ))}
          </ol>
        </div>
      )}
    </>
  );
}
