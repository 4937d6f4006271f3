import { useState } from "preact/hooks";
import { showBidiControls } from "../lib/bidi-controls";

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Clipboard API needs a secure context; localhost is one, but fall back for other hosts.
    const area = document.createElement("textarea");
    area.value = text;
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

function CopyIcon() {
  return (
    <svg
      width="12"
      height="12"
      viewBox="0 0 16 16"
      aria-hidden="true"
      fill="none"
      stroke="currentColor"
      stroke-width="1.5"
    >
      <rect x="5.5" y="5.5" width="8" height="8" rx="1.5" />
      <path d="M10.5 3.5v-1a1 1 0 0 0-1-1h-6a1 1 0 0 0-1 1v6a1 1 0 0 0 1 1h1" />
    </svg>
  );
}

/** `caption`: a word shown beside the icon, for a button whose icon alone would not say what it copies. */
export function CopyButton({ text, label = "Copy", caption }: { text: string; label?: string; caption?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  return (
    <button
      type="button"
      class="copy-button"
      // The label may name telemetry (an attribute's key) and the text is telemetry: tooltips show their controls.
      title={showBidiControls(`${label}: ${text.length > 80 ? `${text.slice(0, 80)}…` : text}`)}
      aria-label={showBidiControls(label)}
      onClick={(event) => {
        event.stopPropagation();
        void copyText(text).then((ok) => {
          setState(ok ? "copied" : "failed");
          setTimeout(() => setState("idle"), 1200);
        });
      }}
    >
      {state === "copied" ? "✓" : state === "failed" ? "✗" : <CopyIcon />}
      {caption !== undefined && <span class="copy-button-caption">{caption}</span>}
    </button>
  );
}
