/**
 * Log severities: OTLP's ranges of `severity_number`, the "at least" order the filter uses, and the
 * colours of each level's badge. Pure; the colours live here (not in CSS) so a test can hold every
 * level to a readable contrast in both themes.
 */
import { severityShown } from "../../../../src/domain/log";
import type { LogRecordJson, LogSeverity } from "../../../../src/protocol";

/** The levels a person picks from, lowest first. */
export const SEVERITY_LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"] as const;
export type SeverityLevel = (typeof SEVERITY_LEVELS)[number];

/** OTLP: 1–4 TRACE, 5–8 DEBUG, 9–12 INFO, 13–16 WARN, 17–20 ERROR, 21–24 FATAL; anything else unspecified. */
export function severityOfNumber(severityNumber: number): LogSeverity {
  if (!Number.isInteger(severityNumber) || severityNumber < 1 || severityNumber > 24) return "UNSPECIFIED";
  return SEVERITY_LEVELS[Math.floor((severityNumber - 1) / 4)] as SeverityLevel;
}

/** 0 for UNSPECIFIED, then 1 (TRACE) … 6 (FATAL). */
export function severityRank(severity: LogSeverity): number {
  return SEVERITY_LEVELS.indexOf(severity as SeverityLevel) + 1;
}

/** Whether a record passes a "this level or worse" filter; a record of no known level passes none. */
export function isAtLeast(severity: LogSeverity, min: LogSeverity | undefined): boolean {
  if (min === undefined || min === "UNSPECIFIED") return true;
  return severityRank(severity) >= severityRank(min);
}

/** The worse of two severities. */
export function worseSeverity(a: LogSeverity, b: LogSeverity): LogSeverity {
  return severityRank(b) > severityRank(a) ? b : a;
}

/** A level typed into the URL or a menu ("warn", "WARNING", "Error") → the level, or undefined. */
export function parseSeverityLevel(text: string | null | undefined): SeverityLevel | undefined {
  const upper = (text ?? "").trim().toUpperCase();
  const name = upper === "WARNING" ? "WARN" : upper === "INFORMATION" ? "INFO" : upper;
  return (SEVERITY_LEVELS as readonly string[]).includes(name) ? (name as SeverityLevel) : undefined;
}

export { severityLevelText } from "../../../../src/domain/log";

/**
 * What the badge says: the sender's own severity text when it has one (`NOTICE`, `Information`), as
 * its logger wrote it (up to 16 characters, a longer one cut with "…": the tooltip and a record's
 * details have it whole); else the level with its step (domain/log.ts severityShown, as `tail` and MCP
 * say it). The badge's colour is always the level's.
 */
export function severityBadgeText(record: Pick<LogRecordJson, "severity" | "severityNumber" | "severityText">): string {
  const shown = severityShown(record);
  if (shown === "") return "–";
  return [...shown].length > 16 ? `${[...shown].slice(0, 15).join("")}…` : shown;
}

export interface BadgeColors {
  fg: string;
  bg: string;
}

/** Each level's badge in the light and the dark theme (WCAG AA against its own background). */
export const SEVERITY_COLORS: Record<LogSeverity, { light: BadgeColors; dark: BadgeColors }> = {
  UNSPECIFIED: { light: { fg: "#596170", bg: "#f0f1f4" }, dark: { fg: "#a3aab7", bg: "#262a32" } },
  TRACE: { light: { fg: "#5b6472", bg: "#eceef2" }, dark: { fg: "#a6adba", bg: "#2a2e36" } },
  DEBUG: { light: { fg: "#0a6577", bg: "#def3f7" }, dark: { fg: "#6fd3e6", bg: "#15323a" } },
  INFO: { light: { fg: "#1e4fd6", bg: "#e4ebff" }, dark: { fg: "#93b2ff", bg: "#1f2a4a" } },
  WARN: { light: { fg: "#8a4700", bg: "#fff0d1" }, dark: { fg: "#fcc56b", bg: "#3d2c0c" } },
  ERROR: { light: { fg: "#b42318", bg: "#fde7e5" }, dark: { fg: "#ff9389", bg: "#471c19" } },
  FATAL: { light: { fg: "#ffffff", bg: "#9f1239" }, dark: { fg: "#ffffff", bg: "#b0164a" } },
};

const FATAL_LINE = { light: "#9f1239", dark: "#f25c8c" };

/** CSS custom properties for a level: `--sev-fg`, `--sev-bg` (badge) and `--sev-line` (the row's edge). */
export function severityStyle(severity: LogSeverity): Record<string, string> {
  const { light, dark } = SEVERITY_COLORS[severity];
  // FATAL's badge is filled with white text; its edge needs a colour of its own.
  const line = severity === "FATAL" ? [FATAL_LINE.light, FATAL_LINE.dark] : [light.fg, dark.fg];
  return {
    "--sev-fg": `light-dark(${light.fg}, ${dark.fg})`,
    "--sev-bg": `light-dark(${light.bg}, ${dark.bg})`,
    "--sev-line": `light-dark(${line[0]}, ${line[1]})`,
  };
}
