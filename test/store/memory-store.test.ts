import { createMemoryStore } from "../../src/store/memory-store.js";
import { describeStoreContract } from "./store-contract.js";

describeStoreContract("memory", ({ maxSpans }) => createMemoryStore({ maxSpans }));
// Every trace packed right after its insert: what a store filled past its live spans reads back.
describeStoreContract("memory, packed", ({ maxSpans }) => createMemoryStore({ maxSpans, liveSpans: 0 }));
