import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../ops/cli";
import { formatDuration, parseDuration } from "../../ops/clock";
import { backendServices, secretOutput } from "../../ops/outputs";
import type { StackOutputs } from "../../components/stack-outputs";
import { ROOT, synthStack } from "../harness";
import { OpsRun } from "./harness";

describe("the webstack command line", () => {
  it("prints usage, and names the known commands, stacks and flags when one is wrong", async () => {
    const t = new OpsRun();
    expect(await t.run()).toBe(2);
    expect(t.stdout).toMatch(/^usage: webstack <command>/);
    expect(await t.run("--help")).toBe(0);
    expect(await t.run("deploy", "prod")).toBe(2);
    expect(t.stderr).toBe("unknown command 'deploy'; commands: status, verify, rollback, promote, backup, restore, cron run, notify, dashboard");
    expect(await t.run("status", "prdo")).toBe(2);
    expect(t.stderr).toBe("unknown stack 'prdo'; known stacks: prod, staging, dev, pr-<n>");
    expect(await t.run("status")).toBe(2);
    expect(t.stderr).toBe("name a stack: prod, staging, dev, pr-<n>");
    expect(await t.run("status", "prod", "--force")).toBe(2);
    expect(t.stderr).toMatch(/^unknown flag --force/);
    expect(await t.run("status", "prod", "--to", "dep-1")).toBe(2);
    expect(t.stderr).toBe("status does not take --to; it takes --json, --timeout");
    expect(await t.run("verify", "prod", "--timeout", "soon")).toBe(2);
    expect(t.stderr).toBe("--timeout: 'soon' is not a duration; write e.g. 90s, 15m or 1h");
    expect(await t.run("cron", "stop", "prod")).toBe(2);
    expect(t.stderr).toMatch(/^unknown command 'cron stop'/);
  });

  it("reads outputs from pulumi stack output --show-secrets, or refuses a file that is not a stack's outputs", async () => {
    const t = new OpsRun();
    const calls: string[][] = [];
    t.env = {};
    const ops = t.ops();
    ops.pulumi = async (args) => {
      calls.push(args);
      return JSON.stringify({ environment: "preview", frontendUrl: "http://127.0.0.1:9/" });
    };
    expect(await run(["status", "acme/webstack/pr-12", "--json"], ops)).toBe(1);
    expect(calls).toEqual([["stack", "output", "--json", "--show-secrets", "--stack", "acme/webstack/pr-12"]]);
    expect(JSON.parse(t.out.join("\n"))).toMatchObject({ stack: "pr-12", ok: false, rows: [{ kind: "frontend", up: false, health: { answer: "bad port" } }] }); // fetch refuses port 9 outright

    writeFileSync(join(t.dir, "bad.json"), "{ nope");
    writeFileSync(join(t.dir, "empty.json"), "{}");
    writeFileSync(join(t.dir, "other.json"), JSON.stringify({ url: "https://example.com" }));
    expect(await t.run("status", "prod", "--outputs", "missing.json")).toBe(2);
    expect(t.stderr).toBe("--outputs missing.json: no such file");
    expect(await t.run("status", "prod", "--outputs", "bad.json")).toBe(2);
    expect(t.stderr).toMatch(/^bad\.json: not JSON/);
    expect(await t.run("status", "prod", "--outputs", "empty.json")).toBe(2);
    expect(t.stderr).toBe("empty.json: no outputs; has the stack been deployed?");
    expect(await t.run("status", "prod", "--outputs", "other.json")).toBe(2);
    expect(t.stderr).toBe("other.json: not a webstack stack's outputs (no 'environment'); has the stack been deployed?");
  });

  it("runs from a checkout through bin/webstack.cjs, finding the project's stacks from a subfolder", async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [join(ROOT, "bin", "webstack.cjs"), "status", "prdo"], { cwd: join(ROOT, "docs") }, (_err, _stdout, stderr) => resolve({ code: child.exitCode, stderr }));
    });
    expect(result).toEqual({ code: 2, stderr: "unknown stack 'prdo'; known stacks: prod, staging, dev, pr-<n>\n" });
  });

  it("through the real process and clock: --timeout ends status on an unreachable Render API, naming it", async () => {
    const t = new OpsRun();
    // A port nothing listens on.
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r));
    const file = join(t.dir, t.outputs({ environment: "development", backendServiceId: "srv-x", backendUrl: `http://127.0.0.1:${port}` }));
    const probe = join(t.dir, "modules.json");
    const env = { ...process.env, RENDER_API_KEY: "rnd_x", RENDER_API_URL: `http://127.0.0.1:${port}/v1`, WEBSTACK_PROBE_OUT: probe };
    const argv = ["--require", join(ROOT, "test", "engine", "loaded-modules.cjs"), join(ROOT, "bin", "webstack.cjs"), "status", "dev", "--outputs", file, "--timeout", "800ms"];
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, argv, { cwd: ROOT, env, timeout: 60_000 }, (_err, stdout, stderr) =>
        resolve({ code: child.exitCode, stdout, stderr }),
      );
    });
    expect(result).toMatchObject({
      code: 1,
      stderr: `status dev: no answer from the Render API (http://127.0.0.1:${port}/v1) within --timeout 800ms (last error: ECONNREFUSED); check https://status.render.com, or run again with a longer --timeout\n`,
    });
    expect(result.stdout).toMatch(/^dev \(development\): 1 unknown\n[^]*UNKNOWN\s+srv-x\s/);
    // The command reads outputs and calls REST APIs: it starts without the Pulumi SDK or a provider SDK.
    const loaded = (JSON.parse(readFileSync(probe, "utf8")) as string[]).filter((m) => /node_modules\/(@pulumi|@pulumiverse)\/[^/]+\/index\.js$/.test(m));
    expect(loaded).toEqual([]);
  });

  it("parses and prints durations", () => {
    expect([parseDuration("15m"), parseDuration("90s"), parseDuration("1h30m"), parseDuration("250")]).toEqual([900_000, 90_000, 5_400_000, 250]);
    expect(() => parseDuration("15 minutes")).toThrow(/not a duration/);
    expect([formatDuration(4_400), formatDuration(125_000), formatDuration(3_780_000), formatDuration(90_000_000)]).toEqual(["4s", "2m05s", "1h03m", "1d01h"]);
  });
});

describe("what the program exports is what the ops commands read", () => {
  it("dev: the main service and each branch service, with their health URLs; its database is shared", async () => {
    const o = (await synthStack("dev")).outputs as unknown as StackOutputs;
    expect(backendServices(o)).toEqual([
      { key: "main", id: "ott-dev-api-id", url: "https://ott-dev-api.onrender.com", healthUrl: "https://ott-dev-api.onrender.com/healthz" },
      { key: "alice", id: "ott-dev-api-alice-id", url: "https://ott-dev-api-alice.onrender.com", healthUrl: "https://ott-dev-api-alice.onrender.com/healthz" },
      { key: "bob", id: "ott-dev-api-bob-id", url: "https://ott-dev-api-bob.onrender.com", healthUrl: "https://ott-dev-api-bob.onrender.com/healthz" },
    ]);
    expect(o).toMatchObject({ appName: "ott", databaseMode: "shared", databaseFrom: "acme/webstack/staging", frontendOwnsProduction: false, cronJobs: ["expire-tickets", "keep-alive"] });
    expect(o.databaseOwnerConnection).toBeUndefined();
  });

  it("prod: owns the Vercel production target and its database, whose owner connection is a secret", async () => {
    const o = (await synthStack("prod")).outputs as unknown as StackOutputs;
    expect(o).toMatchObject({ environment: "production", frontendOwnsProduction: true, frontendProjectId: "web-id", databaseMode: "isolated", renderPostgresId: "db-server-id", cronSecret: "[secret]" });
    expect(() => secretOutput(o, "databaseOwnerConnection")).toThrow("the outputs hide databaseOwnerConnection as [secret]: read them with `pulumi stack output --json --show-secrets`");
  });
});
