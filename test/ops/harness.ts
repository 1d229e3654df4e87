import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StackOutputs } from "../../components/stack-outputs";
import { run } from "../../ops/cli";
import type { Ops } from "../../ops/context";
import { ROOT } from "../harness";
import { FakeClock } from "./fake-clock";
import { testDir } from "../scratch";

/** Runs `webstack …` in-process with a fake clock, and keeps what it printed. */
export class OpsRun {
  readonly out: string[] = [];
  readonly err: string[] = [];
  readonly dir = testDir("webstack-ops-");
  clock = new FakeClock();
  env: Record<string, string | undefined> = {};
  ask?: Ops["ask"];

  ops(): Ops {
    return {
      env: this.env,
      clock: this.clock,
      out: (l) => this.out.push(l),
      err: (l) => this.err.push(l),
      root: ROOT,
      cwd: this.dir,
      ask: this.ask,
      pulumi: async () => {
        throw new Error("tests pass --outputs");
      },
    };
  }

  /** Writes outputs as `pulumi stack output --json --show-secrets` would, and returns the file name. */
  outputs(o: Partial<StackOutputs> & Pick<StackOutputs, "environment">, name = "outputs.json"): string {
    writeFileSync(join(this.dir, name), JSON.stringify(o));
    return name;
  }

  async run(...argv: string[]): Promise<number> {
    this.out.length = 0;
    this.err.length = 0;
    return run(argv, this.ops());
  }

  get stdout(): string {
    return this.out.join("\n");
  }

  get stderr(): string {
    return this.err.join("\n");
  }
}

/** A service in the Render emulator, as WebService creates it; returns its id. */
export async function createService(renderUrl: string, apiKey: string, name: string): Promise<string> {
  const res = await fetch(`${renderUrl}/services`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({
      type: "web_service",
      name,
      ownerId: "tea-emulator",
      repo: "https://github.com/acme/ott",
      branch: name.endsWith("api") ? "main" : name.split("-").pop(),
      serviceDetails: { runtime: "node", healthCheckPath: "/healthz", envSpecificDetails: { buildCommand: "npm ci", startCommand: "node ." } },
    }),
  });
  if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { service: { id: string } }).service.id;
}
