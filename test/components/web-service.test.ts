import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { WebService, type WebServiceArgs } from "../../components/web-service";
import { byType, one, settle, synthComponent } from "../harness";

const SERVICE = "pulumi-nodejs:dynamic/render:Service";
const DOMAIN = "pulumi-nodejs:dynamic/render:CustomDomain";

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

  it("protects and retains only the main service and its domains when asked", async () => {
    const m = await synthComponent(() => void new WebService("api", args({ protect: true, domains: ["api.example.com"] })));
    expect(one(m, SERVICE, "ott-dev-api")).toMatchObject({ protect: true, retainOnDelete: true });
    expect(one(m, DOMAIN)).toMatchObject({ protect: true, retainOnDelete: true });
    expect(one(m, SERVICE, "ott-dev-api-alice")).toMatchObject({ protect: false, retainOnDelete: false });
    const open = await synthComponent(() => void new WebService("api", args({ branches: [] })));
    expect(one(open, SERVICE, "ott-dev-api")).toMatchObject({ protect: false, retainOnDelete: false });
  });

  it("sends scaling to the main service and makes one domain resource per custom domain, on the main service only", async () => {
    let svc!: WebService;
    const m = await synthComponent(() => {
      svc = new WebService("api", args({ autoscaling: { min: 2, max: 4, cpuPercent: 70 }, domains: ["api.example.com", "example.org"] }), {
        transform: { domain: (a) => ({ args: { ...a, name: pulumi.output(a.name).apply((n) => n.replace("example.org", "example.net")) } }) },
      });
    });
    expect(one(m, SERVICE, "ott-dev-api").inputs).toMatchObject({ autoscaling: { min: 2, max: 4, cpuPercent: 70 } });
    const domains = byType(m, DOMAIN);
    expect(domains.map((d) => [d.name, d.inputs.name, d.inputs.serviceId])).toEqual([
      ["ott-dev-api-api.example.com", "api.example.com", "ott-dev-api-id"],
      ["ott-dev-api-example.org", "example.net", "ott-dev-api-id"],
    ]);
    const comp = one(m, "webstack:index:WebService", "api");
    for (const d of domains) {
      expect(d.parent).toBe(comp.urn);
      expect(d.protect).toBe(false);
      expect(d.dependsOn).toContain(one(m, SERVICE, "ott-dev-api").urn);
    }
    // New domains wait for their DNS records.
    expect((await settle(svc.pendingDomains)).value).toEqual(["api.example.com", "example.net"]);
  });

  it("creates an apex before its www. sibling, never both at once", async () => {
    const m = await synthComponent(() => void new WebService("api", args({ domains: ["www.example.com", "api.example.com", "example.com"] })));
    const apex = one(m, DOMAIN, "ott-dev-api-example.com");
    const www = one(m, DOMAIN, "ott-dev-api-www.example.com");
    expect(www.dependsOn).toContain(apex.urn);
    expect(apex.dependsOn).not.toContain(www.urn);
    // Registered apex first; an unrelated name waits for nothing.
    expect(m.resources.indexOf(apex)).toBeLessThan(m.resources.indexOf(www));
    expect(one(m, DOMAIN, "ott-dev-api-api.example.com").dependsOn).toEqual([one(m, SERVICE, "ott-dev-api").urn]);
  });

  it("gives a docker service its start command as the docker command, and no build command", async () => {
    const m = await synthComponent(() => void new WebService("api", args({ runtime: "docker", buildCommand: undefined, startCommand: "node server.js" })));
    const inputs = one(m, SERVICE, "ott-dev-api").inputs;
    expect(inputs).toMatchObject({ runtime: "docker", dockerCommand: "node server.js" });
    expect(inputs).not.toHaveProperty("buildCommand");
    expect(inputs).not.toHaveProperty("startCommand");
    await expect(synthComponent(() => void new WebService("api", args({ runtime: "docker" })))).rejects.toThrow(
      /WebService 'ott-dev-api': buildCommand is not used by the docker runtime/,
    );
    await expect(synthComponent(() => void new WebService("api", args({ startCommand: undefined })))).rejects.toThrow(
      /startCommand is required for the 'node' runtime/,
    );
  });

  it("rejects bad args by name before registering anything", async () => {
    const cases: [Partial<WebServiceArgs>, RegExp][] = [
      [{ name: "Ott API" }, /WebService 'Ott API': name must be/],
      [{ repo: "git@github.com:acme/ott.git" }, /repo must be an https Git URL/],
      [{ instances: 2, autoscaling: { min: 1, max: 2, cpuPercent: 50 } }, /instances and autoscaling are exclusive/],
      [{ branches: [{ name: "alice", branch: "a" }, { name: "alice", branch: "b" }] }, /branches\[1\]\.name 'alice' is listed twice/],
      [{ domains: ["api.example.com", "API.example.com"] }, /domains\[1\] 'API.example.com' is not a lower-case host name/],
      [{ domains: ["api.example.com", "api.example.com"] }, /domains\[1\] 'api.example.com' is listed twice/],
    ];
    for (const [over, message] of cases) {
      await expect(synthComponent(() => void new WebService("api", args(over)))).rejects.toThrow(message);
    }
  });
});

describe("WebService with runtime image", () => {
  it("passes the image (and the start command as the docker command), with no repo or branch", async () => {
    const image = { imagePath: "ghcr.io/acme/ott-api:1.4.2", registryCredentialId: "rgc-abc123" };
    const m = await synthComponent(
      () =>
        void new WebService(
          "api",
          args({ runtime: "image", image, repo: undefined, branch: undefined, rootDir: undefined, buildCommand: undefined, branches: [] }),
        ),
    );
    const inputs = one(m, SERVICE, "ott-dev-api").inputs;
    expect(inputs).toMatchObject({ runtime: "image", image, dockerCommand: "node dist/server.js" });
    for (const k of ["repo", "branch", "buildCommand", "startCommand"]) expect(inputs).not.toHaveProperty(k);
  });

  it("refuses an image runtime without an image, or with branch services, naming the key", async () => {
    const bare = { runtime: "image", repo: undefined, branch: undefined, rootDir: undefined, buildCommand: undefined };
    await expect(synthComponent(() => void new WebService("api", args({ ...bare, branches: [] })))).rejects.toThrow(
      /WebService 'ott-dev-api': image is required for the 'image' runtime/,
    );
    await expect(synthComponent(() => void new WebService("api", args({ ...bare, image: { imagePath: "nginx:1" } })))).rejects.toThrow(
      /WebService 'ott-dev-api': branches need a repo to build/,
    );
  });
});
