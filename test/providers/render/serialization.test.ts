import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providerSource } from "../../../providers/render/provider-source";
import type { ServiceInputs } from "../../../providers/render/service";
import { type RenderEmulator, startEmulator } from "./emulator";
import { webServiceInputs } from "./fixtures";

// One fresh node process, started like the Pulumi program, makes the __provider text; others load
// it the way Pulumi's dynamic-provider host does and drive the provider against the emulator.
const run = promisify(execFile);
const ROOT = resolve(__dirname, "../../..");
const KEY_IN_SERIALIZER_ENV = "rnd_mustNotBeSerialized42";

let emu: RenderEmulator;
const dir = mkdtempSync(join(tmpdir(), "render-provider-"));
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());

async function serialize(which: string): Promise<string> {
  const { stdout } = await run(process.execPath, ["--require", "./launcher.cjs", "test/providers/render/serialize-provider.ts", which], {
    cwd: ROOT,
    env: { ...process.env, RENDER_API_KEY: KEY_IN_SERIALIZER_ENV, RENDER_API_URL: "https://example.invalid/v1" },
  });
  return stdout;
}

type Auth = { env?: string; config?: Record<string, string> };

function writeProvider(name: string, text: string): string {
  const file = join(dir, `${name}-${Date.now()}.js`);
  writeFileSync(file, text);
  return file;
}

function copyOfProject(): string {
  const copy = mkdtempSync(join(tmpdir(), "webstack-copy-"));
  cpSync(join(ROOT, "providers"), join(copy, "providers"), { recursive: true });
  cpSync(join(ROOT, "bundling"), join(copy, "bundling"), { recursive: true });
  cpSync(join(ROOT, "test", "providers", "render", "serialize-provider.ts"), join(copy, "test", "providers", "render", "serialize-provider.ts"));
  cpSync(join(ROOT, "launcher.cjs"), join(copy, "launcher.cjs"));
  symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"));
  return copy;
}

async function serializeIn(cwd: string, which: string): Promise<string> {
  const { stdout } = await run(process.execPath, ["--require", "./launcher.cjs", "test/providers/render/serialize-provider.ts", which], { cwd });
  return stdout;
}

async function drive(file: string, op: string, ...args: unknown[]): Promise<any> {
  return driveWith({ env: emu.apiKey }, file, op, ...args);
}

async function driveWith(auth: Auth, file: string, op: string, ...args: unknown[]): Promise<any> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, RENDER_API_URL: emu.url, RENDER_API_BACKOFF_MS: "1", RENDER_POLL_INTERVAL_MS: "5" };
  if (auth.env) env.RENDER_API_KEY = auth.env;
  const { stdout } = await run(process.execPath, [join(__dirname, "rehydrate-provider.js"), file, JSON.stringify({ op, args, config: auth.config })], {
    cwd: ROOT,
    env,
  });
  return JSON.parse(stdout);
}

describe("the serialized providers", () => {
  it("rehydrate in a fresh node process and run create, read, update and delete of a service", async () => {
    const text = await serialize("service");
    expect(text).toMatch(/module\.exports = __toCommonJS/);
    expect(text).not.toContain(KEY_IN_SERIALIZER_ENV);
    expect(text).not.toContain("example.invalid"); // env is read at call time, not captured
    expect(text).not.toMatch(/__vite_ssr|@pulumi\/pulumi|sourceMappingURL/);
    // Self-contained: the host loads it with requireFromString, whatever its module paths.
    for (const kind of ["service", "customDomain", "postgres", "project", "environment"] as const) expect(providerSource(kind)).not.toMatch(/\brequire\(/);
    expect(text).not.toContain(ROOT);
    // The same bytes the program registers, from a copy of the project elsewhere.
    expect(text).toBe(providerSource("service"));
    expect(await serializeIn(copyOfProject(), "service")).toBe(text);
    const file = join(dir, "service.js");
    writeFileSync(file, text);

    const inputs: ServiceInputs = {
      ownerId: "tea-abc123",
      name: "ott-dev-api",
      type: "web_service",
      repo: "https://github.com/acme/ott",
      runtime: "node",
      buildCommand: "npm ci",
      startCommand: "node server.js",
      preDeployCommand: "npm run migrate",
      envVars: { A: "1" },
    };
    const check = await drive(file, "check", {}, inputs);
    expect(check.failures).toEqual([]);
    const created = await drive(file, "create", inputs);
    expect(created.id).toMatch(/^srv-/);
    expect(emu.listServices()).toHaveLength(1);

    const read = await drive(file, "read", created.id, created.outs);
    expect(read.props.preDeployCommand).toBe("npm run migrate");
    expect(await drive(file, "diff", created.id, read.props, inputs)).toMatchObject({ changes: false });

    await drive(file, "update", created.id, read.props, { ...inputs, plan: "standard", envVars: { A: "2" } });
    expect(emu.listServices()[0].serviceDetails.plan).toBe("standard");
    expect(emu.envVarsOf(created.id)).toEqual({ A: "2" });

    await drive(file, "delete", created.id, read.props);
    expect(emu.services.size).toBe(0);
  });

  it("rehydrate the Postgres provider too", async () => {
    const text = await serialize("postgres");
    expect(text).not.toContain(KEY_IN_SERIALIZER_ENV);
    const file = join(dir, "postgres.js");
    writeFileSync(file, text);
    const created = await drive(file, "create", { ownerId: "tea-abc123", name: "db", plan: "free", version: "17", region: "oregon" });
    expect(created.id).toMatch(/^dpg-/);
    expect(created.outs.internalConnectionString).toContain(created.id);
    await drive(file, "delete", created.id, created.outs);
    expect(emu.postgres.size).toBe(0);
  });

  it("take the key from the stack's render:apiKey through configure, ahead of RENDER_API_KEY", async () => {
    const text = await serialize("postgres");
    const file = join(dir, "postgres-configured.js");
    writeFileSync(file, text);
    const inputs = { ownerId: "tea-abc123", name: "db2", plan: "free", version: "17", region: "oregon" };
    const fromConfig = { config: { "render:apiKey": emu.apiKey } };
    const created = await driveWith(fromConfig, file, "create", inputs);
    expect(created.id).toMatch(/^dpg-/);
    // The stack's key wins over a stale one in the environment.
    const read = await driveWith({ ...fromConfig, env: "rnd_staleKeyInEnvironment" }, file, "read", created.id, created.outs);
    expect(read.id).toBe(created.id);
    await expect(driveWith({}, file, "read", created.id, created.outs)).rejects.toThrow(
      /no API key: run `pulumi config set --secret render:apiKey <key>` or set RENDER_API_KEY/,
    );
    await expect(driveWith({ env: "rnd_staleKeyInEnvironment" }, file, "read", created.id, created.outs)).rejects.toThrow(/\(401\)/);
    expect(emu.requests.filter((r) => r.authorization === "Bearer rnd_staleKeyInEnvironment")).toHaveLength(1);
    await driveWith(fromConfig, file, "delete", created.id, created.outs);
    expect(emu.postgres.size).toBe(0);
  });

  it("rehydrate the custom-domain provider too, and it refreshes with one GET", async () => {
    const srv = await drive(writeProvider("service", await serialize("service")), "create", webServiceInputs({ ownerId: "tea-abc123", name: "ott-prod-api" }));
    const file = writeProvider("customDomain", await serialize("customDomain"));
    const created = await drive(file, "create", { serviceId: srv.id, name: "api.example.com" });
    expect(created.id).toMatch(/^cdm-/);
    emu.requests.length = 0;
    expect(await drive(file, "read", created.id, created.outs)).toEqual({ id: created.id, props: created.outs });
    expect(emu.requests.map((r) => r.method)).toEqual(["GET"]);
    await drive(file, "delete", created.id, created.outs);
    expect(emu.domainsOf(srv.id)).toEqual([]);
  });
});
