import { providerSource } from "../providers/render/provider-source";
import type { ServiceInputs } from "../providers/render/service";
import { Engine } from "../test/engine/engine";
import { startRenderHost } from "../test/engine/render-host";
import { startEmulator } from "../test/providers/render/emulator";
import { webServiceInputs } from "../test/providers/render/fixtures";

const OWNER = "tea-bench0001";
const service: ServiceInputs = webServiceInputs({
  ownerId: OWNER,
  name: "ott-bench-api",
  preDeployCommand: "npm run db:migrate",
  envVars: { NODE_ENV: "production", LOG_LEVEL: "info" },
});

/**
 * API calls per operation, counted at the emulator, with the providers running where `pulumi up`
 * runs them: the SDK's dynamic-provider host, driven over gRPC like the engine (test/engine).
 */
export async function benchRender(): Promise<void> {
  console.log("\n## Render provider (through the real provider host; API calls counted at the emulator)");
  const emu = await startEmulator();
  const host = await startRenderHost(emu);
  try {
    const engine = new Engine(host);
    const count = async (label: string, op: () => Promise<unknown>, target?: string) => {
      emu.requests.length = 0;
      const start = performance.now();
      await op();
      const ms = performance.now() - start;
      const gets = emu.requests.filter((r) => r.method === "GET").length;
      const writes = emu.requests.length - gets;
      console.log(
        `${label.padEnd(44)} ${String(emu.requests.length).padStart(3)} calls (${gets} GET, ${writes} write) ${ms.toFixed(0).padStart(4)} ms${target ? `  target: ${target}` : ""}`,
      );
    };
    const urn = (kind: Parameters<Engine["get"]>[0], name: string) => engine.get(kind, name).urn;

    await count("create web service", () => engine.up("service", "api", service), "1 write");
    const serviceId = engine.get("service", "api").id;
    await count("create custom domain (apex)", () => engine.up("customDomain", "apex", { serviceId, name: "example.com" }));
    await count("no-op up (check, diff)", () => engine.up("service", "api", service), "0 writes");
    await count("update: plan + env var + preDeploy", () =>
      engine.up("service", "api", { ...service, plan: "standard", preDeployCommand: "npm run m2", envVars: { NODE_ENV: "production" } }),
    );
    await count("refresh service", () => engine.refresh(urn("service", "api")), "<= 2 GET");
    await count("refresh custom domain", () => engine.refresh(urn("customDomain", "apex")), "<= 2 GET");
    await count("create project (1 environment)", () => engine.up("project", "p", { ownerId: OWNER, name: "ott", environments: [{ name: "prod", protected: true }] }));
    await count("refresh project", () => engine.refresh(urn("project", "p")), "<= 2 GET");
    const projectId = engine.get("project", "p").id;
    await count("create environment", () => engine.up("environment", "staging", { projectId, name: "staging" }));
    await count("refresh environment", () => engine.refresh(urn("environment", "staging")), "<= 2 GET");
    const environmentId = engine.get("environment", "staging").id;
    await count("move service to another environment", () =>
      engine.up("service", "api", { ...service, plan: "standard", preDeployCommand: "npm run m2", envVars: { NODE_ENV: "production" }, environmentId }),
    );
    const db = { ownerId: OWNER, name: "ott-bench-db", plan: "free", version: "17", region: "oregon" };
    await count("create postgres (incl. wait for available)", () => engine.up("postgres", "db", db));
    await count("refresh postgres", () => engine.refresh(urn("postgres", "db")), "<= 2 GET");
    // A provider release: every resource takes the new code through an update with no Render call.
    const next = new Engine(host, { service: `${providerSource("service")}\n// next release` });
    for (const [k, s] of engine.state) next.state.set(k, s);
    await count("new provider code (update, service)", () =>
      next.up("service", "api", { ...service, plan: "standard", preDeployCommand: "npm run m2", envVars: { NODE_ENV: "production" }, environmentId }),
      "0 calls",
    );
  } finally {
    await host.stop();
    await emu.stop();
  }

  // What the Render resources put in __provider, and so into state and into every call the engine makes.
  for (const kind of ["service", "customDomain", "postgres", "project", "environment"] as const) {
    const start = performance.now();
    const text = providerSource(kind);
    console.log(`serialized ${kind} provider: ${Buffer.byteLength(text)} bytes, bundled in ${(performance.now() - start).toFixed(0)} ms  target: <= 65536`);
  }
}
