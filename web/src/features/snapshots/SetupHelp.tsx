import { useEffect, useState } from "preact/hooks";
import { api } from "../../api/client";
import { CopyButton } from "../../components/CopyButton";
import { SetupTabs } from "../../components/SetupTabs";
import { withBidiMarks } from "../../components/UserText";
import { type SdkContact, unregisteredNote } from "./breakpoint-model";
import { CAPTURE_NOTE, codeMonitoringSnippets, defaultSetupTab } from "./monitoring-setup";

const TAB_KEY = "tracekit-local.snapshots-setup";

function rememberedTab(): string | null {
  try {
    return localStorage.getItem(TAB_KEY);
  } catch {
    return null;
  }
}

function rememberTab(id: string): void {
  try {
    localStorage.setItem(TAB_KEY, id);
  } catch {
    // Private windows may refuse storage: the page then guesses from the spans each time.
  }
}

/** What to do to see anything here: shown while no breakpoint exists. */
export function SetupHelp({ contact }: { contact: SdkContact }) {
  // The SDK language of the newest spans here: the app most likely to be set up next.
  const [languages, setLanguages] = useState<string[]>([]);
  const [remembered] = useState(rememberedTab);
  const [picked, setPicked] = useState<string | null>(null);

  useEffect(() => {
    let active = true;
    api.attributeValues("telemetry.sdk.language").then(
      (answer) => {
        if (active) setLanguages(answer.values.map((v) => v.value));
      },
      () => {
        // No guess then: the reader's last pick, or Node.
      },
    );
    return () => {
      active = false;
    };
  }, []);

  const tab: string = picked ?? defaultSetupTab(languages, remembered);
  const demoCommand = `tracekit-local demo --url ${location.origin}`;
  const unregistered = unregisteredNote(Object.keys(contact.lastCheckIns), contact);
  const deleted = (contact.deletedFrom?.length ?? 0) > 0;
  return (
    <div class="snap-setup" data-testid="snapshots-setup">
      <h2>{deleted ? "No breakpoints" : "No breakpoints yet"}</h2>
      {unregistered !== null && (
        <p class="snap-unregistered" data-testid="snapshots-unregistered">
          {withBidiMarks(unregistered)}
        </p>
      )}
      <p class="muted">
        A TraceKit SDK with code monitoring on, pointed at this server, registers a breakpoint here by itself the first
        time your code calls <code>capture_snapshot(label, variables)</code> (Python) or{" "}
        <code>captureSnapshot(label, variables)</code> (Node). Enable it on this page, and the next request's variables,
        stack and request context appear below, beside its trace. No account, no cloud.
      </p>
      <div class="snap-demo-hint" data-testid="snapshots-demo-hint">
        <p>
          <strong>No app at hand?</strong> The demo's <code>checkout-api</code> registers a <code>checkout</code>{" "}
          breakpoint here; enable it and a capture from its checkouts appears below every second or so:
        </p>
        <div class="tabbed-setup-code">
          <pre>{demoCommand}</pre>
          <CopyButton text={demoCommand} label="Copy: the demo command" />
        </div>
      </div>
      <SetupTabs
        setups={codeMonitoringSnippets(location.origin)}
        selected={tab}
        onSelect={(id) => {
          setPicked(id);
          rememberTab(id);
        }}
      />
      <p class="faint">{CAPTURE_NOTE}</p>
    </div>
  );
}
