import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The files that take longest, in that order. A fresh clone (CI) has no timings cached, and a long
 * file started last would run alone at the end; started first, the two workers finish together.
 */
const SLOW_FIRST = [
  "test/engine/program-host.test.ts",
  "test/ops/backup-restore.pg.test.ts",
  "test/examples/consumer.test.ts",
  "test/providers/render/host-faults.test.ts",
  "test/providers/supabase/host-faults.test.ts",
  "test/components/database.pg.test.ts",
  "test/providers/render/host-key-value.test.ts",
  "test/providers/netlify/host-faults.test.ts",
  "test/scripts/synth-diff.test.ts",
  "test/launcher.test.ts",
  "test/ops/dashboard.test.ts",
  "test/components/database.supabase-pg.test.ts",
  "test/providers/supabase/host-lifecycle.test.ts",
  "test/engine/program-netlify.test.ts",
  "test/engine/program-host-supabase.test.ts",
  "test/synth/cli.test.ts",
];

class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = SLOW_FIRST.findIndex((s) => f.moduleId.endsWith(s));
      return i < 0 ? SLOW_FIRST.length : i;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Vitest's default is one worker per core minus one: a single worker on a 2-core machine, so every
    // file ran in turn while many of them wait on child processes (provider hosts, synths, servers).
    maxWorkers: 2,
    // Files share their worker's loaded modules (the SDK above all): imports fell from 82 s to 14 s of
    // the run, and the suite's CPU by a third. Each synth resets the SDK's run state itself (setMocks)
    // and evaluates index.ts afresh under an id of its own (freshProgram in test/harness.ts).
    isolate: false,
    // Each test file's process starts as the program does under `pulumi up` (Pulumi.yaml's nodeargs):
    // the launcher defers the SDK's unused closure-serializer and tracing modules, about 0.3 s a file.
    execArgv: ["--require", fileURLToPath(new URL("./launcher.cjs", import.meta.url))],
    sequence: { sequencer: SlowFirst },
    globalSetup: ["test/global-setup.ts"],
  },
});
