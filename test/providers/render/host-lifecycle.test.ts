/**
 * Every Render resource type through the SDK's real dynamic-provider host, over gRPC, as
 * `pulumi preview`, `up`, `refresh` and `destroy` drive it (test/engine). One host for the file.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { providerSource } from "../../../providers/render/provider-source";
import type { ServiceInputs } from "../../../providers/render/service";
import { CheckFailed, Engine } from "../../engine/engine";
import { HostError, ProviderHost, ResourceInitFailed, UNKNOWN } from "../../engine/provider-host";
import { startRenderHost } from "../../engine/render-host";
import { type RenderEmulator, startEmulator } from "./emulator";
import { webServiceInputs } from "./fixtures";

const OWNER = "tea-abc123";
let emu: RenderEmulator;
let host: ProviderHost;
let engine: Engine;

const writes = () => emu.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path.replace(/(srv|dsk|dpg|cdm|prj|evm|dep)-[\w-]+/g, "{$1}")}`);
const base: ServiceInputs = webServiceInputs({
  ownerId: OWNER,
  name: "ott-dev-api",
  preDeployCommand: "npm run migrate",
  envVars: { DATABASE_URL: "postgres://u:p@h/db", NODE_ENV: "production" },
});

beforeAll(async () => {
  emu = await startEmulator();
  host = await startRenderHost(emu);
});
afterAll(async () => {
  await host?.stop();
  await emu?.stop();
});
beforeEach(() => {
  emu.reset({});
  engine = new Engine(host);
});

describe("the harness", () => {
  it("turns a result with undefined in it into a clear failure, as the host cannot serialize it", async () => {
    const broken = "exports.handler = () => ({ check: async (_o, n) => ({ inputs: n }), create: async () => ({ id: 'x-1', outs: { url: undefined } }) });";
    const err = await new Engine(host, { service: broken }).up("service", "broken", base).catch((e) => e);
    expect(err).toBeInstanceOf(HostError);
    expect(err.message).toMatch(/^create: the provider returned a value with undefined in it.*Unexpected struct type/);
  });
});

describe("Service through the provider host", () => {
  it("native runtime: create, refresh without drift, update in Render's order, scale, disk, delete", async () => {
    const created = await engine.up("service", "api", base);
    expect(created.op).toBe("create");
    const id = created.state!.id;
    expect(id).toMatch(/^srv-/);
    expect(created.state!.outputs).toMatchObject({ url: "https://ott-dev-api.onrender.com", deployId: expect.stringMatching(/^dep-/) });
    expect(created.state!.outputs.__provider).toBe(providerSource("service"));
    expect(emu.envVarsOf(id)).toEqual(base.envVars);

    // Refresh reads Render's shapes back (preDeployCommand moved, defaults filled); the next up changes nothing.
    emu.requests.length = 0;
    await engine.refresh(created.state!.urn);
    expect(emu.requests.map((r) => r.method)).toEqual(["GET", "GET"]);
    expect((await engine.up("service", "api", base)).op).toBe("same");
    expect(writes()).toEqual([]);

    const next: ServiceInputs = { ...base, plan: "standard", numInstances: 3, envVars: { NODE_ENV: "production", FEATURE: "on" } };
    emu.requests.length = 0;
    expect((await engine.up("service", "api", next)).op).toBe("update");
    expect(writes()).toEqual(["POST /services/{srv}/scale", "PATCH /services/{srv}", "PUT /services/{srv}/env-vars", "POST /services/{srv}/deploys"]);
    expect(emu.listServices()[0].serviceDetails).toMatchObject({ plan: "standard", numInstances: 3 });
    emu.requests.length = 0;
    await engine.up("service", "api", { ...next, numInstances: 1, disk: { name: "data", mountPath: "/var/data", sizeGB: 5 } });
    expect(writes()).toEqual(["POST /services/{srv}/scale", "POST /disks", "POST /services/{srv}/deploys"]);
    await engine.up("service", "api", { ...next, numInstances: 1, disk: { name: "data", mountPath: "/var/data", sizeGB: 8 } });
    expect(emu.listServices()[0].serviceDetails.disk).toMatchObject({ sizeGB: 8, mountPath: "/var/data" });

    // Autoscaling replaces the manual count; Render's kept numInstances is not drift.
    const scaled: ServiceInputs = { ...next, numInstances: undefined, disk: undefined, autoscaling: { min: 2, max: 4, cpuPercent: 70 } };
    await engine.up("service", "api", scaled);
    await engine.refresh(created.state!.urn);
    emu.requests.length = 0;
    expect((await engine.up("service", "api", scaled)).op).toBe("same");
    // Back to a fixed count, with autoscaling already removed outside Pulumi: its DELETE answers 404, which is fine.
    delete emu.listServices()[0].serviceDetails.autoscaling;
    await engine.up("service", "api", { ...scaled, autoscaling: undefined, numInstances: 1 });
    expect(emu.listServices()[0].serviceDetails.numInstances).toBe(1);

    await engine.delete(created.state!.urn);
    expect(emu.services.size).toBe(0);
  });

  it("refuses a smaller disk at check, naming the key, before any Render call", async () => {
    const withDisk = { ...base, disk: { name: "data", mountPath: "/var/data", sizeGB: 10 } };
    await engine.up("service", "api", withDisk);
    emu.requests.length = 0;
    const err = await engine.up("service", "api", { ...withDisk, disk: { ...withDisk.disk, sizeGB: 5 } }).catch((e) => e);
    expect(err).toBeInstanceOf(CheckFailed);
    expect(err.failures).toEqual([{ property: "disk", reason: expect.stringMatching(/^disk.sizeGB cannot shrink from 10 to 5: Render disks only grow/) }]);
    expect(emu.requests).toEqual([]);
    // A disk grown outside Pulumi (seen by refresh) is refused at diff, before any write.
    emu.listServices()[0].serviceDetails.disk.sizeGB = 20;
    await engine.refresh(engine.get("service", "api").urn);
    emu.requests.length = 0;
    await expect(engine.up("service", "api", withDisk)).rejects.toThrow(/^Render service 'ott-dev-api': disk.sizeGB cannot shrink from 20 to 10/);
    expect(writes()).toEqual([]);
  });

  it("image runtime: the create sends the image, refresh reads it back as no change, a new tag is one PATCH and one deploy", async () => {
    const image: ServiceInputs = {
      ...base,
      runtime: "image",
      repo: undefined,
      branch: undefined,
      buildCommand: undefined,
      startCommand: undefined,
      image: { imagePath: "ghcr.io/acme/ott-api:1.4.2", registryCredentialId: "rgc-abc123" },
    };
    const { state } = await engine.up("service", "image-api", image);
    const post = JSON.parse(emu.requests.find((r) => r.method === "POST" && r.path === "/services")!.body);
    expect(post.image).toEqual({ ownerId: OWNER, imagePath: "ghcr.io/acme/ott-api:1.4.2", registryCredentialId: "rgc-abc123" });
    expect(post.serviceDetails.envSpecificDetails).toEqual({});
    expect(post.repo).toBeUndefined();
    await engine.refresh(state!.urn);
    emu.requests.length = 0;
    expect((await engine.up("service", "image-api", image)).op).toBe("same");
    const next = { ...image, image: { ...image.image!, imagePath: "ghcr.io/acme/ott-api:1.5.0" } };
    expect((await engine.up("service", "image-api", next)).op).toBe("update");
    expect(writes()).toEqual(["PATCH /services/{srv}", "POST /services/{srv}/deploys"]);
    expect(emu.listServices()[0].imagePath).toBe("ghcr.io/acme/ott-api:1.5.0");
  });

  it("image runtime without an image is refused at check, naming the key, before any Render call", async () => {
    const noImage: ServiceInputs = { ...base, runtime: "image", buildCommand: undefined, startCommand: undefined };
    const err = await engine.up("service", "image-api", noImage).catch((e) => e);
    expect(err).toBeInstanceOf(CheckFailed);
    expect(err.failures).toEqual([
      { property: "image", reason: expect.stringMatching(/^image is required for the 'image' runtime/) },
      { property: "repo", reason: expect.stringMatching(/^repo is not used by the 'image' runtime/) },
      { property: "branch", reason: expect.stringMatching(/^branch is not used by the 'image' runtime/) },
    ]);
    expect(emu.requests).toEqual([]);
  });

  it("docker runtime: Render's defaults read back as no change, so refresh never redeploys", async () => {
    const docker: ServiceInputs = { ...base, runtime: "docker", buildCommand: undefined, startCommand: undefined, dockerCommand: "node server.js" };
    const { state } = await engine.up("service", "docker-api", docker);
    expect(emu.listServices()[0].serviceDetails.envSpecificDetails).toMatchObject({ dockerCommand: "node server.js", dockerContext: ".", dockerfilePath: "./Dockerfile" });
    for (let i = 0; i < 2; i++) {
      await engine.refresh(state!.urn);
      expect((await engine.up("service", "docker-api", docker)).op).toBe("same");
    }
    // Without a dockerCommand, Render's "" is the same as unset.
    await engine.up("service", "docker-api", { ...docker, dockerCommand: undefined });
    expect(emu.listServices()[0].serviceDetails.envSpecificDetails.dockerCommand).toBe("");
    await engine.refresh(state!.urn);
    emu.requests.length = 0;
    expect((await engine.up("service", "docker-api", { ...docker, dockerCommand: undefined })).op).toBe("same");
    expect(emu.deploysOf(state!.id)).toHaveLength(2);
    // A start command is the docker command's job: refused with the key named.
    const err = await engine.up("service", "docker-api", { ...docker, startCommand: "npm start" }).catch((e) => e);
    expect(err.failures).toEqual([{ property: "startCommand", reason: expect.stringMatching(/not used by the docker runtime; set dockerCommand/) }]);
  });

  for (const answer of [201, 202] as const) {
    it(`follows the deploy it started when Render answers ${answer}${answer === 202 ? " (queued, no body)" : ""}`, async () => {
      emu.options.deployAnswer = answer;
      const { state } = await engine.up("service", "api", { ...base, waitForLive: true });
      const up = await engine.up("service", "api", { ...base, waitForLive: true, plan: "pro" });
      const newest = emu.deploysOf(state!.id)[0];
      expect(up.state!.outputs).toMatchObject({ deployId: newest.id, deployStatus: "live" });
      expect(newest.status).toBe("live");
      expect(emu.requests.some((r) => r.method === "GET" && r.url.includes("/deploys?limit=1"))).toBe(answer === 202);
    });
  }

  it("saves changes to a suspended service without starting a deploy it cannot run", async () => {
    const { state } = await engine.up("service", "api", base);
    emu.services.get(state!.id)!.service.suspended = "suspended";
    const up = await engine.up("service", "api", { ...base, plan: "pro" });
    expect(emu.listServices()[0].serviceDetails.plan).toBe("pro");
    expect(up.state!.outputs.deployId).toBe(state!.outputs.deployId);
    expect(emu.deploysOf(state!.id)).toHaveLength(1);
    expect(writes()).not.toContain("POST /services/{srv}/deploys");
  });
});

describe("a failure after Render created the object is recorded, and the next up converges", () => {
  it("a first deploy that fails: the service is in state with its status; the next up deploys again, no second service", async () => {
    emu.options.deployOutcome = "build_failed";
    const err = await engine.up("service", "api", { ...base, waitForLive: true }).catch((e) => e);
    expect(err).toBeInstanceOf(ResourceInitFailed);
    expect(err.message).toMatch(/^Render service 'ott-dev-api' srv-\S+ exists, but its deploy dep-\S+ ended in 'build_failed': the build failed/);
    expect(err.message).not.toContain("\n");
    const recorded = engine.get("service", "api");
    expect(recorded).toMatchObject({ id: err.id, initErrors: [expect.stringContaining("build_failed")] });
    expect(recorded.outputs).toMatchObject({ deployStatus: "build_failed", url: "https://ott-dev-api.onrender.com" });

    emu.options.deployOutcome = "live";
    emu.requests.length = 0;
    const next = await engine.up("service", "api", { ...base, waitForLive: true });
    expect(next.op).toBe("update");
    expect(writes()).toEqual(["POST /services/{srv}/deploys"]);
    expect(next.state!.outputs.deployStatus).toBe("live");
    expect(emu.listServices().map((s) => s.id)).toEqual([err.id]);
    // Settled: the up after that is a no-op.
    expect((await engine.up("service", "api", { ...base, waitForLive: true })).op).toBe("same");
  });

  it("a wait that runs out: recorded as still in progress; the next up follows the same deploy instead of starting one", async () => {
    const err = await engine.up("service", "api", { ...base, waitForLive: true, deployTimeoutSeconds: 0 }).catch((e) => e);
    expect(err).toBeInstanceOf(ResourceInitFailed);
    expect(err.message).toMatch(/is still 'build_in_progress' after 0 s$/);
    const first = emu.deploysOf(err.id)[0].id;
    emu.requests.length = 0;
    const next = await engine.up("service", "api", { ...base, waitForLive: true });
    expect(writes()).toEqual([]);
    expect(next.state!.outputs).toMatchObject({ deployId: first, deployStatus: "live" });
    expect(emu.deploysOf(err.id)).toHaveLength(1);
  });

  it("Postgres whose read-back fails after create: recorded, then completed by the next up without a second database", async () => {
    const pgInputs = { ownerId: OWNER, name: "ott-staging-db", plan: "basic_256mb", version: "17", region: "oregon", databaseName: "ott" };
    emu.inject(...Array(3).fill({ kind: "500", match: (m: string, p: string) => m === "GET" && p.endsWith("/connection-info") }));
    const err = await engine.up("postgres", "db", pgInputs).catch((e) => e);
    expect(err).toBeInstanceOf(ResourceInitFailed);
    expect(err.message).toMatch(/^Render Postgres 'ott-staging-db' dpg-\S+ exists, but Render API GET \/postgres\/dpg-\S+\/connection-info failed \(500\)/);
    const next = await engine.up("postgres", "db", pgInputs);
    expect(next.op).toBe("update");
    expect(next.state!.outputs).toMatchObject({ databaseName: expect.stringMatching(/^ott_/), internalConnectionString: expect.stringContaining(err.id) });
    expect(emu.postgres.size).toBe(1);
    expect((await engine.up("postgres", "db", pgInputs)).op).toBe("same");
  });

  it("a project whose environment cannot be made: recorded, then converged by the next up", async () => {
    const inputs = { ownerId: OWNER, name: "ott", environments: [{ name: "production", protected: true }, { name: "staging" }] };
    emu.inject(...Array(3).fill({ kind: "503", match: (m: string, p: string) => m === "GET" && p === "/environments" }));
    const err = await engine.up("project", "ott", inputs).catch((e) => e);
    expect(err).toBeInstanceOf(ResourceInitFailed);
    const next = await engine.up("project", "ott", inputs);
    expect(Object.keys(next.state!.outputs.environmentIds).sort()).toEqual(["production", "staging"]);
    expect(emu.projects.projects.size).toBe(1);
    expect(emu.projects.environments.size).toBe(2);
  });
});

describe("no duplicates, whatever Render answers for a name already taken", () => {
  for (const status of [400, 409] as const) {
    it(`a service an earlier run created is adopted when the name answers ${status}`, async () => {
      emu.options.duplicateNameStatus = status;
      // An earlier run's service, created but never recorded (its answer was lost).
      const earlier = await new Engine(host).up("service", "api", { ...base, plan: "starter" });
      emu.requests.length = 0;
      const adopted = await engine.up("service", "api", { ...base, plan: "pro" });
      expect(adopted.state!.id).toBe(earlier.state!.id);
      expect(emu.services.size).toBe(1);
      expect(emu.listServices()[0].serviceDetails.plan).toBe("pro");
      expect(writes().filter((w) => w === "POST /services")).toHaveLength(1);
    });
  }

  it("a lost create answer: the service is found and adopted, and when it matches nothing more is written", async () => {
    emu.inject({ kind: "lost", match: (m, p) => m === "POST" && p === "/services" });
    const adopted = await engine.up("service", "api", { ...base, branch: "main" });
    expect(adopted.op).toBe("create");
    expect(emu.services.size).toBe(1);
    // One create; no PATCH (branch "main" is Render's read of the same thing), no second deploy.
    expect(writes()).toEqual(["POST /services"]);
    expect(emu.listServices()[0].branch).toBe("main");
    emu.requests.length = 0;
    expect((await engine.up("service", "api", { ...base, branch: "main" })).op).toBe("same");
    expect(writes()).toEqual([]);
  });

  it("a lost create answer for a service that differs: only what differs is written, with one deploy", async () => {
    const earlier = await new Engine(host).up("service", "api", base);
    emu.requests.length = 0;
    emu.options.duplicateNameStatus = 409;
    const adopted = await engine.up("service", "api", { ...base, plan: "pro" });
    expect(adopted.state!.id).toBe(earlier.state!.id);
    expect(writes()).toEqual(["POST /services", "PATCH /services/{srv}", "POST /services/{srv}/deploys"]);
    const patch = emu.requests.find((r) => r.method === "PATCH")!;
    expect(JSON.parse(patch.body)).toEqual({ serviceDetails: { plan: "pro" } });
  });

  it("a create past the hourly quota is refused at once, naming the quota and when to run again", async () => {
    // The quota cut to 1 so the second create is the one past it (Render's is 20 an hour).
    emu.reset({ enforceRateLimits: true, rateLimits: { createService: { limit: 1, windowSeconds: 3600 } } });
    await engine.up("service", "api", base);
    const t0 = Date.now();
    const err = await engine.up("service", "api-2", { ...base, name: "ott-dev-api-2" }).catch((e) => e);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(err).toBeInstanceOf(HostError);
    expect(err.message).toMatch(/POST \/services failed \(429\).*next retry in 3600 s would exceed the 900 s wait budget/);
    expect(err.message).toMatch(/Render allows 20 service creates an hour per workspace \(POST \/v1\/services\).*again in about 60 min \(3600 s/);
    expect(emu.services.size).toBe(1);
  });

  it("a real 400 reaches the user as one line naming the resource and Render's message, and creates nothing", async () => {
    emu.options.duplicateNameStatus = 400;
    const err = await engine.up("service", "api", { ...base, region: "atlantis" }).catch((e) => e);
    expect(err).toBeInstanceOf(HostError);
    expect(err.message).toBe("Render service 'ott-dev-api': Render API POST /services failed (400): invalid region 'atlantis'");
    expect(emu.services.size).toBe(0);
  });

  it("Postgres: an earlier run's database of the same name is found before any POST; a lost answer is found, not re-posted", async () => {
    const pgInputs = { ownerId: OWNER, name: "ott-prod-db", plan: "basic_256mb", version: "17", region: "oregon" };
    const earlier = await new Engine(host).up("postgres", "db", pgInputs);
    emu.requests.length = 0;
    expect((await engine.up("postgres", "db", pgInputs)).state!.id).toBe(earlier.state!.id);
    expect(writes()).toEqual([]);
    emu.reset({});
    emu.inject({ kind: "lost", match: (m, p) => m === "POST" && p === "/postgres" });
    await new Engine(host).up("postgres", "db", pgInputs);
    expect(emu.postgres.size).toBe(1);
    expect(writes()).toEqual(["POST /postgres"]);
  });
});

describe("Postgres, custom domains, projects and environments through the host", () => {
  it("Postgres: create, refresh without drift, grow the disk, refuse shrinking, change plan, delete", async () => {
    const pgInputs = { ownerId: OWNER, name: "ott-prod-db", plan: "basic_256mb", version: "17", region: "oregon", databaseName: "ott", diskSizeGB: 10 };
    const { state } = await engine.up("postgres", "db", pgInputs);
    expect(state!.outputs).toMatchObject({ databaseName: expect.stringMatching(/^ott_[a-z0-9]+$/), port: 5432, internalHost: state!.id });
    await engine.refresh(state!.urn);
    expect((await engine.up("postgres", "db", pgInputs)).op).toBe("same");
    emu.requests.length = 0;
    await engine.up("postgres", "db", { ...pgInputs, plan: "pro_4gb", diskSizeGB: 20 });
    expect(writes()).toEqual(["PATCH /postgres/{dpg}"]);
    const err = await engine.up("postgres", "db", { ...pgInputs, plan: "pro_4gb", diskSizeGB: 15 }).catch((e) => e);
    expect(err.failures).toEqual([{ property: "diskSizeGB", reason: "diskSizeGB cannot shrink from 20 to 15: Render Postgres storage only grows" }]);
    await engine.delete(state!.urn);
    expect(emu.postgres.size).toBe(0);
  });

  it("custom domains: an apex, then its www sibling adopted with redirectForName; refresh is one GET", async () => {
    const svc = await engine.up("service", "api", base);
    const apex = await engine.up("customDomain", "apex", { serviceId: svc.state!.id, name: "example.com" });
    expect(apex.state!.outputs).toMatchObject({ domainType: "apex", redirectForName: "" });
    const www = await engine.up("customDomain", "www", { serviceId: svc.state!.id, name: "www.example.com" });
    expect(www.state!.outputs).toMatchObject({ name: "www.example.com", redirectForName: "example.com" });
    expect(emu.domainsOf(svc.state!.id)).toHaveLength(2);
    emu.requests.length = 0;
    await engine.refresh(apex.state!.urn);
    expect(emu.requests.map((r) => r.method)).toEqual(["GET"]);
    await engine.delete(www.state!.urn);
    await engine.delete(apex.state!.urn);
    expect(emu.domainsOf(svc.state!.id)).toEqual([]);
  });

  it("project and environment: create, refresh, protect, and refuse to delete one that still holds a service", async () => {
    const project = await engine.up("project", "ott", { ownerId: OWNER, name: "ott", environments: [{ name: "production", protected: true }] });
    const envs = project.state!.outputs.environmentIds;
    const staging = await engine.up("environment", "staging", { projectId: project.state!.id, name: "staging" });
    await engine.refresh(staging.state!.urn);
    expect((await engine.up("environment", "staging", { projectId: project.state!.id, name: "staging" })).op).toBe("same");
    await engine.up("environment", "staging", { projectId: project.state!.id, name: "staging", protected: true });
    expect(emu.projects.environments.get(staging.state!.id).protectedStatus).toBe("protected");
    await engine.up("service", "api", { ...base, environmentId: staging.state!.id });
    await expect(engine.delete(staging.state!.urn)).rejects.toThrow(/^Render environment 'staging' \(evm-\S+\) still holds 1 service\(s\) or database\(s\); refusing to delete it/);
    await engine.delete(engine.get("service", "api").urn);
    await engine.delete(staging.state!.urn);
    await engine.refresh(project.state!.urn);
    expect(engine.get("project", "ott").outputs.environmentIds).toEqual(envs);
    await engine.delete(project.state!.urn);
    expect(emu.projects.projects.size).toBe(0);
  });
});

describe("preview: Check and Diff with inputs not known yet", () => {
  it("a new resource of each type checks cleanly with unknown inputs and previews as a create, with no Render call", async () => {
    await engine.up("service", "api", { ...base, ownerId: UNKNOWN, envVars: { DATABASE_URL: UNKNOWN } }, { preview: true }).then((r) => expect(r.op).toBe("create"));
    await engine.up("postgres", "db", { ownerId: UNKNOWN, name: "db", plan: "free", version: "17", region: "oregon" }, { preview: true }).then((r) => expect(r.op).toBe("create"));
    await engine.up("customDomain", "d", { serviceId: UNKNOWN, name: "api.example.com" }, { preview: true }).then((r) => expect(r.op).toBe("create"));
    await engine.up("project", "p", { ownerId: OWNER, name: UNKNOWN, environments: [{ name: "production" }] }, { preview: true }).then((r) => expect(r.op).toBe("create"));
    await engine.up("environment", "e", { projectId: UNKNOWN, name: "staging" }, { preview: true }).then((r) => expect(r.op).toBe("create"));
    expect(emu.requests).toEqual([]);
  });

  it("an existing service whose env var is not known yet previews as an update; its region as a replacement", async () => {
    await engine.up("service", "api", base);
    emu.requests.length = 0;
    expect((await engine.up("service", "api", { ...base, envVars: { ...base.envVars, DATABASE_URL: UNKNOWN } }, { preview: true })).op).toBe("update");
    expect((await engine.up("service", "api", { ...base, region: UNKNOWN }, { preview: true })).op).toBe("replace");
    expect(emu.requests).toEqual([]);
  });
});

describe("new provider code reaches existing resources through an update with no Render call", () => {
  it("for every Render resource type; refresh and delete then run the new code", async () => {
    const old: Engine = new Engine(host, Object.fromEntries((["service", "postgres", "customDomain", "project", "environment"] as const).map((k) => [k, `${providerSource(k)}\n// an older release`])));
    const svc = await old.up("service", "api", base);
    await old.up("customDomain", "d", { serviceId: svc.state!.id, name: "api.example.com" });
    await old.up("postgres", "db", { ownerId: OWNER, name: "db", plan: "free", version: "17", region: "oregon" });
    const project = await old.up("project", "p", { ownerId: OWNER, name: "ott", environments: [{ name: "production" }] });
    await old.up("environment", "e", { projectId: project.state!.id, name: "staging" });

    // The program now carries the current code: each resource previews and applies as an update.
    const current = new Engine(host);
    for (const [urn, s] of old.state) current.state.set(urn, s);
    emu.requests.length = 0;
    const again = [
      await current.up("service", "api", base),
      await current.up("customDomain", "d", { serviceId: svc.state!.id, name: "api.example.com" }),
      await current.up("postgres", "db", { ownerId: OWNER, name: "db", plan: "free", version: "17", region: "oregon" }),
      await current.up("project", "p", { ownerId: OWNER, name: "ott", environments: [{ name: "production" }] }),
      await current.up("environment", "e", { projectId: project.state!.id, name: "staging" }),
    ];
    expect(again.map((r) => r.op)).toEqual(["update", "update", "update", "update", "update"]);
    expect(emu.requests).toEqual([]);
    for (const s of current.state.values()) expect(s.outputs.__provider).not.toContain("an older release");
    // Outputs survive the update unchanged apart from the code.
    expect(current.get("service", "api").outputs.url).toBe(svc.state!.outputs.url);
    expect(current.get("project", "p").outputs.environmentIds).toEqual(project.state!.outputs.environmentIds);
    // Settled: the next up is a no-op.
    expect((await current.up("service", "api", base)).op).toBe("same");
  });
});

describe("the API key", () => {
  it("comes from the stack's render:apiKey, ahead of a stale RENDER_API_KEY in the environment", async () => {
    const stale = "rnd_staleKeyInEnvironment";
    const other = await ProviderHost.start({
      env: { RENDER_API_URL: emu.url, RENDER_API_KEY: stale, RENDER_API_BACKOFF_MS: "1" },
      config: { "render:apiKey": emu.apiKey },
      secretKeys: ["render:apiKey"],
    });
    try {
      await new Engine(other).up("service", "api", base);
      expect(emu.requests.every((r) => r.authorization === `Bearer ${emu.apiKey}`)).toBe(true);
      // A stack without render:apiKey uses the environment's key: here a stale one, refused by Render.
      await other.configure({});
      const fresh = new Engine(other, { service: `${providerSource("service")}\n// configured again` });
      await expect(fresh.up("service", "api2", { ...base, name: "ott-dev-api2" })).rejects.toThrow(
        "Render service 'ott-dev-api2': Render API POST /services failed (401): unauthorized",
      );
    } finally {
      await other.stop();
    }
    expect(other.output).not.toContain(emu.apiKey);
  });

  it("never appears in the host's output, an error, or state", async () => {
    const errors: string[] = [];
    await engine.up("service", "api", base);
    await engine.up("service", "bad", { ...base, name: "ott-bad", runtime: "cobol" }).catch((e: Error) => errors.push(e.message));
    await engine.up("postgres", "db", { ownerId: OWNER, name: "db", plan: "starter", version: "17", region: "oregon" }).catch((e: Error) => errors.push(e.message));
    expect(errors).toHaveLength(2);
    expect(errors[1]).toMatch(/^Render Postgres 'db': Render API POST \/postgres failed \(400\): legacy plan 'starter'/);
    const everything = [...errors, host.output, JSON.stringify([...engine.state.values()]), ...emu.requests.flatMap((r) => [r.url, r.body])].join("\n");
    expect(everything).not.toContain(emu.apiKey);
    expect(emu.requests.every((r) => r.authorization === `Bearer ${emu.apiKey}`)).toBe(true);
  });
});
