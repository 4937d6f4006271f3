import { createMemoryStore } from "../../src/store/memory-store.js";
import { describeStoreContract } from "./store-contract.js";

describeStoreContract("memory", ({ maxSpans }) => createMemoryStore({ maxSpans }));
