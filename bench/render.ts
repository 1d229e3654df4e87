import { createCustomDomainProvider } from "../providers/render/custom-domain";
import { createPostgresProvider } from "../providers/render/postgres";
import { createEnvironmentProvider, createProjectProvider } from "../providers/render/project";
import { providerSource } from "../providers/render/provider-source";
import { createServiceProvider, type ServiceInputs } from "../providers/render/service";
import { startEmulator } from "../test/providers/render/emulator";
import { webServiceInputs } from "../test/providers/render/fixtures";

const service: ServiceInputs = webServiceInputs({
  ownerId: "tea-bench0001",
  name: "ott-bench-api",
  preDeployCommand: "npm run db:migrate",
  envVars: { NODE_ENV: "production", LOG_LEVEL: "info" },
});

/** API calls per provider operation against the emulator, and the serialized providers' size. */
export async function benchRender(): Promise<void> {
  console.log("\n## Render provider (API calls against the emulator)");
  const emu = await startEmulator();
  try {
    const client = { baseUrl: emu.url, apiKey: emu.apiKey, baseDelayMs: 1 };
    const p = createServiceProvider({ client, pollIntervalMs: 1 });
    const count = async (label: string, op: () => Promise<unknown>, target?: string) => {
      emu.requests.length = 0;
      await op();
      const gets = emu.requests.filter((r) => r.method === "GET").length;
      const writes = emu.requests.length - gets;
      console.log(`${label.padEnd(44)} ${String(emu.requests.length).padStart(3)} calls (${gets} GET, ${writes} write)${target ? `  target: ${target}` : ""}`);
    };

    let created!: { id: string; outs?: any };
    await count("create web service", async () => (created = await p.create(service)));
    const dp = createCustomDomainProvider({ client });
    let domain!: { id: string; outs?: any };
    await count("create custom domain (apex)", async () => (domain = await dp.create({ serviceId: created.id, name: "example.com" })));
    await count("no-op update (diff, then update if changed)", async () => {
      const d = await p.diff!(created.id, created.outs, service);
      if (d.changes) await p.update!(created.id, created.outs, service);
    }, "0 writes");
    await count("update called with identical inputs", () => p.update!(created.id, created.outs, service), "0 writes");
    await count("update: plan + env var + preDeploy", () =>
      p.update!(created.id, created.outs, { ...service, plan: "standard", preDeployCommand: "npm run m2", envVars: { NODE_ENV: "production" } }),
    );
    await count("refresh service", () => p.read!(created.id, created.outs), "<= 2 GET");
    await count("refresh custom domain", () => dp.read!(domain.id, domain.outs), "<= 2 GET");
    const projects = createProjectProvider({ client });
    let project!: { id: string; outs?: any };
    await count("create project (1 environment)", async () => (project = await projects.create({ ownerId: "tea-bench0001", name: "ott", environments: [{ name: "prod", protected: true }] })));
    await count("refresh project", () => projects.read!(project.id, project.outs), "<= 2 GET");
    const environments = createEnvironmentProvider({ client });
    let env!: { id: string; outs?: any };
    await count("create environment", async () => (env = await environments.create({ projectId: project.id, name: "staging" })));
    await count("refresh environment", () => environments.read!(env.id, env.outs), "<= 2 GET");
    await count("move service to another environment", () => p.update!(created.id, created.outs, { ...service, environmentId: env.id }));
    const pg = createPostgresProvider({ client, pollIntervalMs: 1 });
    let db!: { id: string; outs?: any };
    await count("create postgres (incl. wait for available)", async () => (db = await pg.create({ ownerId: "tea-bench0001", name: "db", plan: "free", version: "17", region: "oregon" })));
    await count("refresh postgres", () => pg.read!(db.id, db.outs), "<= 2 GET");
  } finally {
    await emu.stop();
  }

  // What RenderService and RenderPostgres put in __provider, and so into state.
  for (const kind of ["service", "customDomain", "postgres", "project", "environment"] as const) {
    const start = performance.now();
    const text = providerSource(kind);
    console.log(`serialized ${kind} provider: ${Buffer.byteLength(text)} bytes, bundled in ${(performance.now() - start).toFixed(0)} ms  target: <= 65536`);
  }
}
