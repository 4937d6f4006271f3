import { SetupTabs } from "../../components/SetupTabs";
import { codeMonitoringSnippets } from "./monitoring-setup";

/** What to do to see anything here: shown while no breakpoint exists. */
export function SetupHelp() {
  return (
    <div class="snap-setup" data-testid="snapshots-setup">
      <h2>No breakpoints yet</h2>
      <p class="muted">
        A TraceKit SDK with code monitoring on, pointed at this server, registers a breakpoint here by itself the first
        time your code calls <code>capture_snapshot(label, variables)</code>. Enable it on this page, and the next
        request's variables, stack and request context appear below, beside its trace. No account, no cloud.
      </p>
      <SetupTabs setups={codeMonitoringSnippets(location.origin)} />
      <p class="faint">
        Breakpoints start disabled; each one captures at most once a second, up to its limit. The SDK redacts values
        that look like secrets before it sends them, and this page masks any it missed.
      </p>
    </div>
  );
}
