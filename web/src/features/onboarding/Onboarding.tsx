import { Fragment } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api } from "../../api/client";
import { CopyButton } from "../../components/CopyButton";
import { Prose } from "../../components/Prose";
import { StoreNote } from "../../components/StoreBadge";
import { replaceSearchParam } from "../../lib/url";
import { useNow } from "../../lib/use-now";
import { useLiveState } from "../../state/live-context";
import { type ExtraOtlpPorts, portNotice, setupSnippets, standardPortsNote } from "./setup-snippets";
import { setupStatus } from "./setup-status";
import { useStoredData } from "./use-stored-data";
import { useSuggestedSetup } from "./use-suggested-setup";
import "./onboarding.css";

export function CodeBlock({ code }: { code: string }) {
  return (
    <div class="code-block">
      <pre>
        <code>{code}</code>
      </pre>
      <CopyButton text={code} label="Copy to clipboard" />
    </div>
  );
}

/** What this instance has received so far, live: waiting for the first trace, or what is stored. */
function SetupStatusLine() {
  const { status: connection } = useLiveState();
  const stored = useStoredData();
  const nowMs = useNow(1000);
  const { tone, text } = setupStatus(connection, stored, nowMs);
  return (
    <p class={`setup-status ${tone}`} data-testid="waiting" data-tone={tone} role="status">
      {tone !== "stored" && <span class="pulse" aria-hidden="true" />}
      {tone === "stored" && (
        <span class="stored-mark" aria-hidden="true">
          ✓
        </span>
      )}
      <span>
        {text}
        {tone === "stored" && (
          <>
            {" "}
            <a href="/">Open the trace list</a>
          </>
        )}
      </span>
    </p>
  );
}

/**
 * How to send telemetry here: the trace list's empty state (the list replaces it as soon as a trace
 * arrives), and `/setup` once data is here (`connectAnother`: another app, another SDK).
 */
export function Onboarding({ connectAnother = false }: { connectAnother?: boolean }) {
  const origin = location.origin;
  const [ports, setPorts] = useState<ExtraOtlpPorts | null>(null);
  /** The upstreams everything received is passed on to (`--forward`); null until health told them. */
  const [forwardsTo, setForwardsTo] = useState<string[] | null>(null);
  useEffect(() => {
    api
      .health()
      .then((health) => {
        setPorts({ grpc: health.otlp.grpc?.port ?? null, http: health.otlp.extraHttp?.port ?? null });
        setForwardsTo(health.forwarding?.targets.map((target) => target.url) ?? []);
      })
      .catch(() => {}); // the general notes stay
  }, []);
  const snippets = setupSnippets(origin, ports?.grpc ?? null);
  const notice = portNotice(origin);
  // The reader's pick (on /setup kept in the URL, `?tab=`, so a reload keeps it), else the set-up for
  // the SDKs already heard from, else the first.
  const [chosen, setChosen] = useState<string | null>(() => {
    const linked = connectAnother ? new URLSearchParams(location.search).get("tab") : null;
    return snippets.some((s) => s.id === linked) ? linked : null;
  });
  const suggested = useSuggestedSetup(connectAnother && chosen === null);
  const setTab = (id: string) => {
    setChosen(id);
    if (connectAnother) replaceSearchParam("tab", id);
  };
  const current = snippets.find((s) => s.id === (chosen ?? suggested)) ?? snippets[0];
  const groups = [...new Set(snippets.map((s) => s.group))];
  /** Arrow keys move between tabs, as in any tab list. */
  const onTabKey = (event: KeyboardEvent) => {
    const step = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 }[event.key];
    if (step === undefined) return;
    event.preventDefault();
    const index = snippets.findIndex((s) => s.id === current?.id);
    const next = snippets[(index + step + snippets.length) % snippets.length];
    if (!next) return;
    setTab(next.id);
    (event.currentTarget as HTMLElement).querySelector<HTMLElement>(`[data-setup="${next.id}"]`)?.focus();
  };
  return (
    <div class="onboarding" data-testid="onboarding">
      <div class="onboarding-inner">
        <h1>{connectAnother ? "Connect an app" : "Send your first trace"}</h1>
        <p class="muted">
          tracekit-local is listening for OpenTelemetry traces at <code>{origin}</code>. Point your app at it and its
          traces appear here as they happen
          {forwardsTo === null ? (
            "."
          ) : forwardsTo.length === 0 ? (
            " — nothing leaves this machine."
          ) : (
            <span data-testid="forwarding-intro">
              ; it was started with <code>--forward</code> and passes everything it receives on to{" "}
              {forwardsTo.map((url, i) => (
                <span key={url}>
                  {i > 0 && (i === forwardsTo.length - 1 ? " and " : ", ")}
                  <code>{url}</code>
                </span>
              ))}
              .
            </span>
          )}
        </p>
        <StoreNote />
        {/* Under the intro, on every window: one sees at once that the page is waiting and updates by itself. */}
        <SetupStatusLine />
        {notice && (
          <div class="port-notice" role="note" data-testid="port-notice">
            <strong>{notice.title}</strong>
            <p>
              <Prose text={notice.text} />
            </p>
            <CodeBlock code={notice.code} />
          </div>
        )}
        <div class="setup">
          <div
            class="setup-tabs"
            role="tablist"
            aria-orientation="vertical"
            aria-label="Set-up for your language"
            onKeyDown={onTabKey}
          >
            {groups.map((group) => (
              <Fragment key={group}>
                <div class="setup-group" role="presentation">
                  {group}
                </div>
                {snippets
                  .filter((s) => s.group === group)
                  .map((s) => (
                    <button
                      key={s.id}
                      type="button"
                      role="tab"
                      class={s.id === current?.id ? "tab active" : "tab"}
                      aria-label={s.title}
                      aria-selected={s.id === current?.id}
                      aria-controls="setup-panel"
                      tabIndex={s.id === current?.id ? 0 : -1}
                      data-setup={s.id}
                      onClick={() => setTab(s.id)}
                    >
                      {s.tab}
                    </button>
                  ))}
              </Fragment>
            ))}
          </div>
          {current && (
            <div
              id="setup-panel"
              class="tab-panel"
              role="tabpanel"
              aria-label={current.title}
              data-testid="setup-panel"
            >
              <h2>{current.title}</h2>
              <p>
                <Prose text={current.intro} />
              </p>
              {current.steps.map((step, i) => (
                <div key={step.label} class="setup-step">
                  <div class="step-label">
                    <span class="step-number">{i + 1}</span>
                    {step.label}
                  </div>
                  <CodeBlock code={step.code} />
                </div>
              ))}
              {current.notes.length > 0 && (
                <ul class="setup-notes">
                  {current.notes.map((note) => (
                    <li key={note}>
                      <Prose text={note} />
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
        </div>
        <p class="muted" data-testid="standard-ports">
          <Prose text={standardPortsNote(ports)} />
        </p>
        <div class="demo-hint">
          <div>
            <strong>No app at hand?</strong> Fill this page with realistic traffic from a handful of services — HTTP,
            SQL, Redis, a queue, LLM calls and a few errors:
          </div>
          <CodeBlock code={`tracekit-local demo --url ${origin}`} />
        </div>
      </div>
    </div>
  );
}
