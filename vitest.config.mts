import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Vitest's default is one worker per core minus one: a single worker on a 2-core machine, so every
    // file ran in turn while most of them wait on child processes (provider hosts, synths, servers).
    maxWorkers: 2,
    // Files in a worker share loaded modules: the Pulumi SDK and the providers load once per worker
    // instead of once per file (about 35 s of imports). Tests that need a fresh program reset modules.
    isolate: false,
  },
});
