import { useEffect, useState } from "preact/hooks";
import { api } from "../../api/client";
import { suggestedSetup } from "./setup-choice";

/**
 * The set-up for the SDKs heard from (see suggestedSetup), asked once when the page opens (a tab that
 * changed under the reader later would be a surprise); null until then, with nothing heard, or when
 * `enabled` is false.
 */
export function useSuggestedSetup(enabled: boolean): string | null {
  const [suggested, setSuggested] = useState<string | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let current = true;
    Promise.all([
      api.attributeValues("telemetry.sdk.language"),
      api.attributeValues("telemetry.sdk.name"),
      api.attributeValues("otel.scope.name"),
    ])
      .then(([languages, names, scopes]) => {
        if (current) setSuggested(suggestedSetup(languages.values, names.values, scopes.values));
      })
      .catch(() => {}); // the page's default tab stays
    return () => {
      current = false;
    };
  }, [enabled]);
  return suggested;
}
