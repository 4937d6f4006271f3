import { createMemoryLogStore } from "../../src/store/log-memory-store.js";
import { describeLogStoreContract } from "./log-store-contract.js";

describeLogStoreContract("memory", ({ maxLogs }) => createMemoryLogStore({ maxLogs }));
