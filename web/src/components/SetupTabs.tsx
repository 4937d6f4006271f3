import { useState } from "preact/hooks";
import { CopyButton } from "./CopyButton";
import { Prose } from "./Prose";
import "./setup-tabs.css";

export interface TabbedSetup {
  id: string;
  title: string;
  intro: string;
  steps: { label: string; code: string }[];
  /** Why the less obvious parts are there; text in backticks shows as code. */
  notes?: string[];
}

export interface SetupTabsProps {
  setups: readonly TabbedSetup[];
  /** The open tab, when the caller picks it (else the first, then the reader's clicks). */
  selected?: string;
  onSelect?(id: string): void;
}

/** Set-ups for several languages, one tab each: an intro, numbered steps with copyable code, and notes. */
export function SetupTabs({ setups, selected, onSelect }: SetupTabsProps) {
  const [own, setOwn] = useState(setups[0]?.id ?? "");
  const tab = selected ?? own;
  const setTab = (id: string) => {
    setOwn(id);
    onSelect?.(id);
  };
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
          {current.notes && current.notes.length > 0 && (
            <ul class="tabbed-setup-notes faint">
              {current.notes.map((note) => (
                <li key={note}>
                  <Prose text={note} />
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </>
  );
}
