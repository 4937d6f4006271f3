import { useState } from "preact/hooks";

type ThemeChoice = "system" | "light" | "dark";
const STORAGE_KEY = "tracekit-local.theme";
const NEXT: Record<ThemeChoice, ThemeChoice> = { system: "light", light: "dark", dark: "system" };
const LABEL: Record<ThemeChoice, string> = { system: "◐ Auto", light: "☀ Light", dark: "☾ Dark" };

function storedTheme(): ThemeChoice {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === "light" || value === "dark" ? value : "system";
  } catch {
    return "system";
  }
}

/** The theme follows the system unless the user picked one; CSS reads `data-theme` on <html>. */
export function applyStoredTheme(choice: ThemeChoice = storedTheme()): void {
  if (choice === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
}

export function ThemeToggle() {
  const [choice, setChoice] = useState<ThemeChoice>(storedTheme);
  return (
    <button
      type="button"
      class="icon-button theme-toggle"
      title={`Theme: ${choice} (click to change)`}
      onClick={() => {
        const next = NEXT[choice];
        setChoice(next);
        try {
          if (next === "system") localStorage.removeItem(STORAGE_KEY);
          else localStorage.setItem(STORAGE_KEY, next);
        } catch {
          // Private windows may refuse storage; the choice still applies to this page.
        }
        applyStoredTheme(next);
      }}
    >
      {LABEL[choice]}
    </button>
  );
}
