/** What an export can hold (metrics are not exported: see export.ts). Apart, so the CLI's flags load nothing else. */
export type ExportSignal = "traces" | "logs";
export const EXPORT_SIGNALS: readonly ExportSignal[] = ["traces", "logs"];
