import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { WebService, type WebServiceArgs } from "../../components/web-service";
import { byType, one, settle, synthComponent } from "../harness";

const SERVICE = "pulumi-nodejs:dynamic/render:Service";

const args = (over: Partial<WebServiceArgs> = {}): WebServiceArgs => ({
  ownerId: "tea-cs1ott7acme2prod4x0",
  name: "ott-dev-api",
  repo: "https://github.com/acme/ott",
  branch: "develop",
  rootDir: "backend",
  runtime: "node",
  buildCommand: "npm ci && npm run build",
  startCommand: "node dist/server.js",
  preDeployCommand: "npm run db:migrate",
  healthCheckPath: "/healthz",
  plan: "free",
  region: "frankfurt",
  envVars: { LOG_LEVEL: "debug", DATABASE_URL: pulumi.secret("postgres://u:p@h/db"), PUBLIC_URL: "https://api.dev.example.com" },
  branches: [
    { name: "alice", branch: "alice" },
    { name: "bob", branch: "feature/login" },
  ],
  urlEnvVars: ["PUBLIC_URL"],
  ...over,
});

describe("WebService", () => {
  it("creates the main service and one service per branch, named uniquely, sharing all but URL variables", async () => {
    let svc!: WebService;
    const m = await synthComponent(() => {
      svc = new WebService("api", args());
      return { url: svc.url, branchUrls: svc.branchUrls };
    });
    const services = byType(m, SERVICE);
    expect(services.map((s) => s.inputs.name)).toEqual(["ott-dev-api", "ott-dev-api-alice", "ott-dev-api-bob"]);
    const comp = one(m, "webstack:index:WebService", "api");
    for (const s of services) {
      expect(s.parent).toBe(comp.urn);
      // Env var values are stored as a secret, whole.
      expect(s.inputs.envVars).toBe("[secret]");
    }
    const main = one(m, SERVICE, "ott-dev-api");
    expect(main.inputs).toMatchObject({ type: "web_service", branch: "develop", preDeployCommand: "npm run db:migrate", region: "frankfurt" });
    const bob = one(m, SERVICE, "ott-dev-api-bob");
    expect(bob.inputs).toMatchObject({ branch: "feature/login", plan: "free" });
    expect(bob.inputs.preDeployCommand).toBeUndefined();
    expect(bob.inputs.domains).toBeUndefined();

    expect((await settle(svc.serviceId)).value).toBe("ott-dev-api-id");
    expect(await settle(svc.url)).toEqual({ value: "https://ott-dev-api.onrender.com", secret: false });
    expect((await settle(svc.branchUrls)).value).toEqual({
      alice: "https://ott-dev-api-alice.onrender.com",
      bob: "https://ott-dev-api-bob.onrender.com",
    });
    expect(m.outputs.url).toBe("https://ott-dev-api.onrender.com");
    expect(JSON.stringify(m)).not.toContain("postgres://u:p@h/db");
  });

  it("passes the URL-specific variables to the main service only, and keeps values secret", async () => {
    let main!: pulumi.Output<Record<string, string>>;
    let alice!: pulumi.Output<Record<string, string>>;
    await synthComponent(() => {
      new WebService("api", args(), {
        transform: {
          service: (a) => {
            main = pulumi.output(a.envVars as Record<string, string>);
          },
          branchService: (a) => {
            alice ??= pulumi.output(a.envVars as Record<string, string>);
          },
        },
      });
    });
    expect(Object.keys((await settle(main)).value).sort()).toEqual(["DATABASE_URL", "LOG_LEVEL", "PUBLIC_URL"]);
    const a = await settle(alice);
    expect(Object.keys(a.value).sort()).toEqual(["DATABASE_URL", "LOG_LEVEL"]);
    expect(a.secret).toBe(true);
  });

  it("protects and retains only the main service when asked", async () => {
    const m = await synthComponent(() => void new WebService("api", args({ protect: true })));
    expect(one(m, SERVICE, "ott-dev-api")).toMatchObject({ protect: true, retainOnDelete: true });
    expect(one(m, SERVICE, "ott-dev-api-alice")).toMatchObject({ protect: false, retainOnDelete: false });
    const open = await synthComponent(() => void new WebService("api", args({ branches: [] })));
    expect(one(open, SERVICE, "ott-dev-api")).toMatchObject({ protect: false, retainOnDelete: false });
  });

  it("sends scaling, disk and domains to the main service", async () => {
    const m = await synthComponent(
      () =>
        void new WebService("api", args({ autoscaling: { min: 2, max: 4, cpuPercent: 70 }, domains: ["api.example.com"], branches: [] })),
    );
    expect(one(m, SERVICE).inputs).toMatchObject({ autoscaling: { min: 2, max: 4, cpuPercent: 70 }, domains: ["api.example.com"] });
  });

  it("rejects bad args by name before registering anything", async () => {
    const cases: [Partial<WebServiceArgs>, RegExp][] = [
      [{ name: "Ott API" }, /WebService 'Ott API': name must be/],
      [{ repo: "git@github.com:acme/ott.git" }, /repo must be an https Git URL/],
      [{ instances: 2, autoscaling: { min: 1, max: 2, cpuPercent: 50 } }, /instances and autoscaling are exclusive/],
      [{ branches: [{ name: "alice", branch: "a" }, { name: "alice", branch: "b" }] }, /branches\[1\]\.name 'alice' is listed twice/],
    ];
    for (const [over, message] of cases) {
      await expect(synthComponent(() => void new WebService("api", args(over)))).rejects.toThrow(message);
    }
  });
});
