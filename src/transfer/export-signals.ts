/** What an export can hold (metrics are not exported: see export.ts). Apart, so the CLI's flags load nothing else. */
export type ExportSignal = "traces" | "logs";
export const EXPORT_SIGNALS: readonly ExportSignal[] = ["traces", "logs"];

/** The signals a comma-separated list names, each once; or the first name that is none of them. */
export function exportSignalsOf(list: string): { signals: ExportSignal[] } | { unknown: string } {
  const names = list.split(",").map((part) => part.trim());
  const unknown = names.find((name) => !(EXPORT_SIGNALS as readonly string[]).includes(name));
  if (unknown !== undefined) return { unknown };
  return { signals: [...new Set(names as ExportSignal[])] };
}
