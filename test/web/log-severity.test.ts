import { describe, expect, it } from "vitest";
import type { LogSeverity } from "../../src/protocol";
import {
  isAtLeast,
  parseSeverityLevel,
  SEVERITY_COLORS,
  severityBadgeText,
  severityOfNumber,
  severityRank,
  severityStyle,
  worseSeverity,
} from "../../web/src/features/logs/severity";

/** WCAG 2 relative luminance of a #rrggbb colour. */
function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** The page backgrounds (styles.css --bg) the badges sit on. */
const PAGE = { light: "#ffffff", dark: "#15171c" };

describe("severity ranges", () => {
  it("reads OTLP's severity_number ranges", () => {
    const cases: [number, LogSeverity][] = [
      [0, "UNSPECIFIED"],
      [1, "TRACE"],
      [4, "TRACE"],
      [5, "DEBUG"],
      [8, "DEBUG"],
      [9, "INFO"],
      [12, "INFO"],
      [13, "WARN"],
      [16, "WARN"],
      [17, "ERROR"],
      [20, "ERROR"],
      [21, "FATAL"],
      [24, "FATAL"],
      [25, "UNSPECIFIED"],
      [-1, "UNSPECIFIED"],
      [9.5, "UNSPECIFIED"],
    ];
    for (const [n, level] of cases) expect(severityOfNumber(n), String(n)).toBe(level);
  });

  it("orders levels for 'at least' and never lets an unspecified record pass a level filter", () => {
    expect(severityRank("UNSPECIFIED")).toBe(0);
    expect(severityRank("TRACE")).toBe(1);
    expect(severityRank("FATAL")).toBe(6);
    expect(isAtLeast("ERROR", "WARN")).toBe(true);
    expect(isAtLeast("WARN", "WARN")).toBe(true);
    expect(isAtLeast("INFO", "WARN")).toBe(false);
    expect(isAtLeast("UNSPECIFIED", "TRACE")).toBe(false);
    expect(isAtLeast("UNSPECIFIED", undefined)).toBe(true);
    expect(worseSeverity("INFO", "ERROR")).toBe("ERROR");
    expect(worseSeverity("FATAL", "WARN")).toBe("FATAL");
    expect(worseSeverity("UNSPECIFIED", "TRACE")).toBe("TRACE");
  });

  it("parses levels as people and loggers write them", () => {
    expect(parseSeverityLevel("warn")).toBe("WARN");
    expect(parseSeverityLevel("WARNING")).toBe("WARN");
    expect(parseSeverityLevel(" Error ")).toBe("ERROR");
    expect(parseSeverityLevel("Information")).toBe("INFO");
    expect(parseSeverityLevel("UNSPECIFIED")).toBeUndefined();
    expect(parseSeverityLevel("loud")).toBeUndefined();
    expect(parseSeverityLevel(null)).toBeUndefined();
  });

  it("badges say the level, its step inside the range, or the sender's own text", () => {
    const badge = (severityNumber: number, severityText = "") =>
      severityBadgeText({ severityNumber, severity: severityOfNumber(severityNumber), severityText });
    expect(badge(9)).toBe("INFO");
    expect(badge(10)).toBe("INFO2");
    expect(badge(20)).toBe("ERROR4");
    // The sender's own text, when it has one, whatever the number says.
    expect(badge(12, "NOTICE")).toBe("NOTICE");
    expect(badge(10, " Information ")).toBe("Information");
    expect(badge(9, "INFO")).toBe("INFO");
    expect(badge(0, "notice")).toBe("notice");
    expect(badge(0)).toBe("–");
    expect(badge(0, "   ")).toBe("–");
    // A level read from the text (number 0) has no step.
    expect(severityBadgeText({ severityNumber: 0, severity: "WARN", severityText: "WARN" })).toBe("WARN");
    // A text longer than a badge holds says it is cut ("test severity te" read as the whole text).
    expect(badge(9, "test severity text")).toBe("test severity t…");
    expect(badge(9, "sixteen chars ok")).toBe("sixteen chars ok");
  });
});

describe("severity colours", () => {
  it("every level's badge text reads on its badge (WCAG AA, 4.5:1) in both themes", () => {
    for (const [level, themes] of Object.entries(SEVERITY_COLORS)) {
      for (const theme of ["light", "dark"] as const) {
        const { fg, bg } = themes[theme];
        expect(contrast(fg, bg), `${level} ${theme}`).toBeGreaterThanOrEqual(4.5);
      }
    }
  });

  it("the row's edge line stands out from the page (3:1, a non-text mark) in both themes", () => {
    for (const level of Object.keys(SEVERITY_COLORS) as LogSeverity[]) {
      const style = severityStyle(level)["--sev-line"] as string;
      const [, light, dark] = /light-dark\((#[0-9a-f]{6}), (#[0-9a-f]{6})\)/.exec(style) ?? [];
      expect(contrast(light as string, PAGE.light), `${level} light`).toBeGreaterThanOrEqual(3);
      expect(contrast(dark as string, PAGE.dark), `${level} dark`).toBeGreaterThanOrEqual(3);
    }
  });

  it("tells the levels apart: no two share a badge colour", () => {
    for (const theme of ["light", "dark"] as const) {
      const fills = Object.values(SEVERITY_COLORS).map((c) => `${c[theme].fg}/${c[theme].bg}`);
      expect(new Set(fills).size).toBe(fills.length);
    }
  });

  it("gives the CSS both themes' values", () => {
    expect(severityStyle("ERROR")).toEqual({
      "--sev-fg": "light-dark(#b42318, #ff9389)",
      "--sev-bg": "light-dark(#fde7e5, #471c19)",
      "--sev-line": "light-dark(#b42318, #ff9389)",
    });
  });
});
