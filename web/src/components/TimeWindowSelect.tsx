import { TIME_WINDOWS } from "./time-window";

export { readWindowKey, windowSince } from "./time-window";

/** The "how far back" select; the choices and their reading are `time-window.ts`'s. */
export function TimeWindowSelect({ value, onChange }: { value: string; onChange(key: string): void }) {
  return (
    <select
      class="input time-window-select"
      aria-label="Time window"
      value={value}
      onChange={(event) => onChange((event.currentTarget as HTMLSelectElement).value)}
    >
      {TIME_WINDOWS.map((w) => (
        <option key={w.key} value={w.key}>
          {w.label}
        </option>
      ))}
    </select>
  );
}
