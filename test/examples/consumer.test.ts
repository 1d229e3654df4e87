import { execFileSync, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { copyFileSync, cpSync, existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providerSource } from "../../providers/render/provider-source";

// The package as another program gets it: `npm pack` (which builds dist/), the example copied
// out of the repo, the tarball installed there, the example type-checked against the installed
// .d.ts and run under mocks by its own runner (examples/consumer/mock-run.js).

const ROOT = resolve(__dirname, "../..");
const EXAMPLE = join(ROOT, "examples", "consumer");
// The consumer checks with TypeScript 6 (the JavaScript compiler most projects still have), while
// `npm pack` builds with TypeScript 7: declarations from the new compiler must hold for the old one.
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");
// The loader Pulumi's dynamic-provider host uses, from the SDK's own dependencies.
const requireFromString: (code: string) => any = createRequire(require.resolve("@pulumi/pulumi/package.json"))("require-from-string");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string; version: string };

interface Recorded {
  urn: string;
  type: string;
  name: string;
  parent: string;
  inputs: Record<string, unknown>;
  secretInputs: string[];
}
interface RunResult {
  resources: Recorded[];
  outputs: Record<string, { secret: boolean; value: unknown; length: number }>;
}

let work: string;
let app: string;
let tarball: string;
let printed: string;
let run: RunResult;

function sh(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(" ")} failed in ${cwd}:\n${e.stdout ?? ""}\n${e.stderr ?? e.message}`);
  }
}

beforeAll(() => {
  const started = Date.now();
  const steps: string[] = [];
  let last = started;
  const step = (name: string) => {
    const now = Date.now();
    steps.push(`${name} ${((now - last) / 1000).toFixed(1)}`);
    last = now;
  };
  work = mkdtempSync(join(tmpdir(), "webstack-consumer-"));
  const packed = sh("npm", ["pack", "--silent", "--pack-destination", work], ROOT).trim().split("\n").pop()!;
  step("pack");
  tarball = join(work, packed);
  app = join(work, "app");
  cpSync(EXAMPLE, app, { recursive: true, filter: (src) => !/[/\\](node_modules|bin)$/.test(src) });
  // The app starts from hard links of the repo's own packages (the same lockfile versions), so npm
  // resolves the whole tree as usual but copies only the tarball and prunes what the app does not use:
  // 4 s instead of 12 s, and no file of the repo's node_modules is written.
  // The folder itself, should node_modules be a link to another checkout's (cp -a would copy the link,
  // and npm would install into, or replace, that other tree). npm rewrites its hidden lockfile in
  // place: the app gets a copy of it, not a second name for the repo's.
  const modules = realpathSync(join(ROOT, "node_modules"));
  sh("cp", ["-al", modules, join(app, "node_modules")], work);
  const hiddenLock = join(app, "node_modules", ".package-lock.json");
  if (existsSync(hiddenLock)) {
    rmSync(hiddenLock);
    copyFileSync(join(modules, ".package-lock.json"), hiddenLock);
  }
  sh("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], app);
  step("install");
  sh(process.execPath, [TSC, "-p", join(app, "tsconfig.json")], app);
  step("tsc");
  printed = sh(process.execPath, ["mock-run.js"], app);
  step("mock run");
  run = JSON.parse(printed) as RunResult;
  // Not an assertion (machines differ): the figure for the report and the README.
  console.log(`consumer example: pack + install + tsc + mock run in ${((Date.now() - started) / 1000).toFixed(1)} s (${steps.join(", ")})`);
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const ofType = (type: string) => run.resources.filter((r) => r.type === type);
const only = (type: string) => {
  const found = ofType(type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
};
/** `webstack:index:Database` from `urn:pulumi:dev::reports::webstack:index:Database::reports`. */
const parentType = (r: Recorded) => r.parent.split("::")[2]?.split("$").pop();

describe("examples/consumer, from the packed tarball", () => {
  it("depends on the tarball npm pack writes for this version", () => {
    const example = JSON.parse(readFileSync(join(EXAMPLE, "package.json"), "utf8"));
    expect(example.dependencies.webstack).toBe(`file:../../${pkg.name}-${pkg.version}.tgz`);
    expect(tarball.endsWith(`${pkg.name}-${pkg.version}.tgz`)).toBe(true);
  });

  it("installs a copy of the package (not a link to the repo) that ships only dist/ and the Worker and Render provider sources", () => {
    const installed = join(app, "node_modules", "webstack");
    expect(lstatSync(installed).isSymbolicLink()).toBe(false);
    expect(JSON.parse(readFileSync(join(installed, "package.json"), "utf8")).version).toBe(pkg.version);
    expect(readdirSync(installed).sort()).toEqual(["README.md", "bin", "dist", "package.json", "providers", "worker"]);
    expect(readdirSync(join(installed, "providers", "render")).sort()).toEqual(readdirSync(join(ROOT, "providers", "render")).sort());
    expect(existsSync(join(installed, "dist", "components", "index.d.ts"))).toBe(true);
    expect(existsSync(join(installed, "worker", "index.ts"))).toBe(true);
    // One SDK: @pulumi/pulumi is a peer dependency, so the package brings no copy of its own.
    expect(existsSync(join(installed, "node_modules", "@pulumi", "pulumi"))).toBe(false);
    expect(existsSync(join(app, "node_modules", "@pulumi", "pulumi"))).toBe(true);
  });

  it("installs the webstack command, which runs from the compiled dist/ops in the consumer's project", () => {
    const webstack = (...args: string[]) => spawnSync(process.execPath, [join(app, "node_modules", ".bin", "webstack"), ...args], { cwd: app, encoding: "utf8" });
    expect(webstack("--help")).toMatchObject({ status: 0, stdout: expect.stringMatching(/^usage: webstack <command>/) });
    // Its own project has no stack files, so any stack name goes on to the outputs.
    expect(webstack("status", "dev", "--outputs", "missing.json")).toMatchObject({ status: 2, stderr: "--outputs missing.json: no such file\n" });
  });

  it("registers its three components at the top and every child under a webstack component", () => {
    const database = only("webstack:index:Database");
    const web = only("webstack:index:WebService");
    const cron = only("webstack:index:CronTrigger");
    expect([database.name, web.name, cron.name]).toEqual(["reports", "reports-api", "reports-cron"]);
    expect([database.parent, web.parent, cron.parent].every((p) => !p.includes("webstack:index:"))).toBe(true);

    const children = run.resources.filter((r) => !r.type.startsWith("webstack:index:") && r.type !== "pulumi:pulumi:StackReference");
    expect(children.length).toBeGreaterThan(10);
    for (const child of children) expect(parentType(child), `${child.type} ${child.name}`).toMatch(/^webstack:index:(Database|WebService|CronTrigger)$/);
    expect(ofType("postgresql:index/role:Role").map((r) => r.inputs.name).sort()).toEqual(["reports_dev", "reports_dev_analytics"]);
    expect(parentType(only("cloudflare:index/workersScript:WorkersScript"))).toBe("webstack:index:CronTrigger");
  });

  it("reads the other stack through readStackOutputs and calls its backend", () => {
    expect(only("pulumi:pulumi:StackReference").name).toBe("acme/webstack/prod");
    const cron = only("webstack:index:CronTrigger");
    expect(cron.inputs.targetUrl).toBe("https://api.example.com");
    expect(cron.inputs.schedules).toEqual(["0 3 * * *", "0 8 * * MON"]);
    expect(run.outputs.appEnvironment).toMatchObject({ secret: false, value: "production" });
  });

  it("applies the consumer's transform and bundles the Worker from the shipped sources", () => {
    const script = only("cloudflare:index/workersScript:WorkersScript");
    expect(script.inputs.logpush).toBe(true);
    expect(script.inputs.mainModule).toBe("index.js");
    expect(String(script.inputs.content)).toContain("// worker/index.ts");
  });

  it("creates the Render service with a provider bundle that loads the way Pulumi's host loads it", () => {
    const service = only("pulumi-nodejs:dynamic/render:Service");
    expect(parentType(service)).toBe("webstack:index:WebService");
    expect(service.inputs).toMatchObject({ name: "reports-dev-api", ownerId: "tea-reports0001", type: "web_service", healthCheckPath: "/healthz" });
    expect(service.secretInputs).toContain("envVars");
    const text = String(service.inputs.__provider);
    // The same bytes this repo's program registers: the package bundles the shipped TypeScript.
    expect(text).toBe(providerSource("service"));
    const provider = requireFromString(text).handler();
    for (const op of ["configure", "check", "diff", "create", "read", "update", "delete"]) expect(typeof provider[op], op).toBe("function");
    expect(run.outputs.rendererUrl).toMatchObject({ secret: false, value: "https://reports-dev-api.onrender.com" });
  });

  it("keeps secrets secret: inputs, outputs, and no fake secret in plain text anywhere", () => {
    const pgProviders = ofType("pulumi:providers:postgresql");
    expect(pgProviders).toHaveLength(2); // the admin's and the owner's
    for (const p of pgProviders) expect(p.secretInputs).toContain("password");
    for (const role of ofType("postgresql:index/role:Role")) expect(role.secretInputs).toContain("password");
    expect(only("cloudflare:index/workersScript:WorkersScript").secretInputs).toContain("bindings");
    for (const name of ["databaseUrl", "analyticsUrl", "cronSecret"]) {
      expect(run.outputs[name], name).toMatchObject({ secret: true, value: "[secret]" });
      expect(run.outputs[name]!.length, name).toBeGreaterThan(10);
    }
    expect(run.outputs.cronScript).toMatchObject({ secret: false, value: "reports-dev-reports-cron" });
    // The runner prints secret values as "[secret]"; the fakes must not show up anywhere else.
    expect(printed).not.toContain("fake-admin-password");
    expect(printed).not.toContain("fake-random-");
  });
});
