import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPostgresProvider } from "../../../providers/render/postgres";
import { checkEnvironment, checkProject, createEnvironmentProvider, createProjectProvider, diffEnvironment, diffProject } from "../../../providers/render/project";
import { createServiceProvider, diffService } from "../../../providers/render/service";
import { type RenderEmulator, startEmulator } from "./emulator";
import { webServiceInputs } from "./fixtures";

let emu: RenderEmulator;
const OWNER = "tea-abc123";
const fast = { baseDelayMs: 1, maxDelayMs: 4, timeoutMs: 2000, getsPerMinute: 0, writesPerMinute: 0 };
const client = () => ({ ...fast, baseUrl: emu.url, apiKey: emu.apiKey });
const projects = () => createProjectProvider({ client: client() });
const environments = () => createEnvironmentProvider({ client: client() });
const services = () => createServiceProvider({ client: client(), pollIntervalMs: 1 });
const writes = () => emu.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`);

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

describe("Project against the emulator", () => {
  it("creates the project with a protected production environment, refreshes with two GETs, and changes in place", async () => {
    const p = projects();
    const inputs = { ownerId: OWNER, name: "ott", environments: [{ name: "prod", protected: true }] };
    const created = await p.create(inputs);
    expect(created.id).toMatch(/^prj-/);
    const prodId = created.outs.environmentIds.prod;
    expect(emu.projects.environments.get(prodId)).toMatchObject({ name: "prod", protectedStatus: "protected", projectId: created.id });

    emu.requests.length = 0;
    const read = await p.read!(created.id, created.outs);
    expect(emu.requests.map((r) => r.method)).toEqual(["GET", "GET"]);
    expect(read.props).toEqual(created.outs);
    expect(diffProject(read.props!, inputs).changes).toBe(false);

    // Another stack's environment in the same project is not this resource's business.
    const other = await environments().create({ projectId: created.id, name: "staging" });
    expect((await p.read!(created.id, created.outs)).props.environmentIds).toEqual({ prod: prodId });

    const next = { ...inputs, name: "ott-web", environments: [{ name: "prod", protected: false }, { name: "qa" }] };
    expect(diffProject(created.outs, next)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    emu.requests.length = 0;
    const updated = await p.update!(created.id, created.outs, next);
    expect(writes()).toEqual([`PATCH /projects/${created.id}`, `PATCH /environments/${prodId}`, "POST /environments"]);
    expect(updated.outs.environmentIds).toEqual({ prod: prodId, qa: expect.stringMatching(/^evm-/) });
    expect(emu.projects.environments.get(prodId)?.protectedStatus).toBe("unprotected");
    expect(emu.projects.environments.get(other.id)).toBeDefined();
  });

  it("adopts the project when the create answer is lost", async () => {
    const p = projects();
    emu.inject({ kind: "lost", match: (m, path) => m === "POST" && path === "/projects" });
    const created = await p.create({ ownerId: OWNER, name: "ott", environments: [{ name: "prod", protected: true }] });
    expect([...emu.projects.projects.keys()]).toEqual([created.id]);
    expect(Object.keys(created.outs.environmentIds)).toEqual(["prod"]);
    expect(emu.projects.environments.size).toBe(1);
  });

  it("refuses to delete a project or an environment that still holds a service, and deletes them once empty", async () => {
    const p = projects();
    const project = await p.create({ ownerId: OWNER, name: "ott", environments: [{ name: "prod", protected: true }] });
    const envId = project.outs.environmentIds.prod;
    const svc = await services().create(webServiceInputs({ ownerId: OWNER, name: "ott-prod-api", environmentId: envId }));
    expect(emu.projects.environments.get(envId)?.serviceIds).toEqual([svc.id]);

    await expect(p.delete!(project.id, project.outs)).rejects.toThrow(/environment 'prod' \(evm-\w+\) still holds 1 service\(s\) or database\(s\); refusing to delete the project/);
    await expect(p.update!(project.id, project.outs, { ...project.outs, environments: [{ name: "other" }] })).rejects.toThrow(/refusing to delete environment 'prod'/);
    expect(emu.projects.projects.size).toBe(1);

    await services().delete!(svc.id, svc.outs);
    await p.delete!(project.id, project.outs);
    expect(emu.projects.projects.size).toBe(0);
    await expect(p.delete!(project.id, project.outs)).resolves.toBeUndefined();
    expect(await p.read!(project.id, project.outs)).toEqual({});
  });

  it("checks inputs by name and replaces only on an owner change", () => {
    expect(checkProject({ ownerId: OWNER, name: "ott", environments: [{ name: "prod" }] })).toEqual([]);
    expect(checkProject({ ownerId: "acme", name: "", environments: [{ name: "a" }, { name: "a" }] }).map((f) => f.property)).toEqual([
      "ownerId",
      "name",
      "environments",
    ]);
    expect(checkProject({ ownerId: OWNER, name: "ott", environments: [] })[0]?.reason).toMatch(/at least one environment/);
    expect(diffProject({ ownerId: OWNER, name: "ott", environments: [] }, { ownerId: "tea-other1", name: "ott", environments: [] }).replaces).toEqual(["ownerId"]);
    expect(checkEnvironment({ projectId: "x", name: "dev" }).map((f) => f.property)).toEqual(["projectId"]);
    expect(diffEnvironment({ projectId: "prj-a1", name: "dev" }, { projectId: "prj-b2", name: "dev" })).toMatchObject({ replaces: ["projectId"] });
  });
});

describe("Environment against the emulator", () => {
  it("creates one in an existing project, refreshes with one GET, renames and protects in place, deletes when empty", async () => {
    const project = await projects().create({ ownerId: OWNER, name: "ott", environments: [{ name: "prod", protected: true }] });
    const e = environments();
    const created = await e.create({ projectId: project.id, name: "staging" });
    expect(created.outs).toEqual({ projectId: project.id, name: "staging", protected: false });
    emu.requests.length = 0;
    expect(await e.read!(created.id, created.outs)).toEqual({ id: created.id, props: created.outs });
    expect(emu.requests).toHaveLength(1);

    emu.requests.length = 0;
    await e.update!(created.id, created.outs, { projectId: project.id, name: "stage", protected: true });
    expect(writes()).toEqual([`PATCH /environments/${created.id}`]);
    expect(emu.projects.environments.get(created.id)).toMatchObject({ name: "stage", protectedStatus: "protected" });

    await e.delete!(created.id, created.outs);
    expect(emu.projects.environments.has(created.id)).toBe(false);
    expect(await e.read!(created.id, created.outs)).toEqual({});
  });

  it("adopts an environment whose create answer was lost", async () => {
    const project = await projects().create({ ownerId: OWNER, name: "ott", environments: [{ name: "prod" }] });
    emu.inject({ kind: "lost", match: (m, path) => m === "POST" && path === "/environments" });
    const created = await environments().create({ projectId: project.id, name: "dev" });
    expect([...emu.projects.environments.values()].filter((x) => x.name === "dev").map((x) => x.id)).toEqual([created.id]);
  });
});

describe("Services and databases in environments", () => {
  it("are created in one, read back without drift, and moved between environments without a deploy", async () => {
    const project = await projects().create({ ownerId: OWNER, name: "ott", environments: [{ name: "prod" }, { name: "staging" }] });
    const { prod, staging } = project.outs.environmentIds;
    const s = services();
    const inputs = webServiceInputs({ ownerId: OWNER, name: "ott-api", environmentId: staging });
    const created = await s.create(inputs);
    const read = await s.read!(created.id, created.outs);
    expect(read.props.environmentId).toBe(staging);
    expect(diffService(read.props, inputs).changes).toBe(false);

    emu.requests.length = 0;
    await s.update!(created.id, read.props, { ...inputs, environmentId: prod });
    expect(writes()).toEqual([`DELETE /environments/${staging}/resources`, `POST /environments/${prod}/resources`]);
    expect(emu.projects.environments.get(prod)?.serviceIds).toEqual([created.id]);
    expect(emu.projects.environments.get(staging)?.serviceIds).toEqual([]);
    expect(emu.listServices()[0].environmentId).toBe(prod);

    const pg = createPostgresProvider({ client: client(), pollIntervalMs: 1 });
    const db = await pg.create({ ownerId: OWNER, name: "ott-db", plan: "free", version: "17", region: "oregon", environmentId: prod });
    expect(db.outs.environmentId).toBe(prod);
    expect(emu.projects.environments.get(prod)?.databasesIds).toEqual([db.id]);
    await pg.update!(db.id, db.outs, { ...db.outs, environmentId: undefined });
    expect(emu.projects.environments.get(prod)?.databasesIds).toEqual([]);
    expect((await pg.read!(db.id, db.outs)).props?.environmentId).toBeUndefined();
  });
});
