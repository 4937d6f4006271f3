import { createMemoryMetricStore } from "../../src/store/metric-memory-store.js";
import { describeMetricStoreContract } from "./metric-store-contract.js";

describeMetricStoreContract("memory", (bounds) => createMemoryMetricStore(bounds));
