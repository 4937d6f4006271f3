import type { Random } from "./random.js";
import { checkoutPage, checkoutPageRedisTimeout } from "./scenarios/cart-page.js";
import type { Scenario } from "./scenarios/common.js";
import { inventorySync } from "./scenarios/inventory-sync.js";
import { placeOrderPaymentFails, placeOrderScenario } from "./scenarios/place-order.js";
import { productPage } from "./scenarios/product-page.js";
import { slowSearch } from "./scenarios/slow-search.js";
import { supportChat } from "./scenarios/support-chat.js";

export type { Scenario, ScenarioInput } from "./scenarios/common.js";
export { createRecentSpans } from "./scenarios/common.js";

/** Every kind of trace the demo sends, weighted by how often it happens. */
export const SCENARIOS: readonly Scenario[] = [
  productPage,
  checkoutPage,
  checkoutPageRedisTimeout,
  placeOrderScenario,
  placeOrderPaymentFails,
  slowSearch,
  supportChat,
  inventorySync,
];

/**
 * Picks the scenario of each next trace: every scenario once, in a shuffled order, so that even a
 * short run shows them all; then by weight.
 */
export function createScenarioPicker(random: Random, scenarios: readonly Scenario[] = SCENARIOS): () => Scenario {
  const firstRound = random.shuffle(scenarios);
  const weighted = scenarios.map((scenario) => ({ item: scenario, weight: scenario.weight }));
  return () => firstRound.shift() ?? random.weighted(weighted);
}
