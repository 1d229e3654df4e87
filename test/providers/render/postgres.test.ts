import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPostgresProvider, diffPostgres, type PostgresInputs } from "../../../providers/render/postgres";
import { type RenderEmulator, startEmulator } from "./emulator";

let emu: RenderEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

const fast = { baseDelayMs: 1, maxDelayMs: 4, timeoutMs: 2000, getsPerMinute: 0, writesPerMinute: 0 };
const provider = () => createPostgresProvider({ client: { ...fast, baseUrl: emu.url, apiKey: emu.apiKey }, pollIntervalMs: 1 });
const inputs: PostgresInputs = { ownerId: "tea-abc123", name: "ott-dev-db", plan: "basic_256mb", version: "17", region: "frankfurt", databaseName: "ott", databaseUser: "ott" };

describe("Postgres lifecycle against the emulator", () => {
  it("creates, waits for available, exposes connection info, and ignores the databaseName suffix", async () => {
    const p = provider();
    expect((await p.check!({}, inputs)).failures).toEqual([]);
    const { id, outs } = await p.create(inputs);
    expect(id).toMatch(/^dpg-.*-a$/);
    expect(outs.databaseName).toMatch(/^ott_[a-z0-9]+$/);
    expect(outs.host).toBe(`${id}.frankfurt-postgres.render.com`);
    expect(outs.port).toBe(5432);
    expect(outs.externalConnectionString).toContain(outs.password);
    expect(diffPostgres(outs, inputs).changes).toBe(false);

    const read = await p.read!(id, outs);
    expect(diffPostgres(read.props, inputs).changes).toBe(false);
    expect(emu.requests.filter((r) => r.method === "GET" && r.path.startsWith(`/postgres/${id}`)).length).toBeGreaterThan(0);

    expect(diffPostgres(read.props, { ...inputs, databaseName: "other" })).toMatchObject({ replaces: ["databaseName"], deleteBeforeReplace: true });
    expect(diffPostgres(read.props, { ...inputs, version: "18" }).replaces).toEqual(["version"]);
    expect(diffPostgres(read.props, { ...inputs, plan: "basic_1gb" })).toMatchObject({ changes: true, replaces: [] });

    emu.requests.length = 0;
    await p.update!(id, read.props, { ...inputs, plan: "basic_1gb", diskSizeGB: 10 });
    expect(emu.requests.map((r) => `${r.method} ${r.body}`)).toEqual([`PATCH {"plan":"basic_1gb","diskSizeGB":10}`]);

    await p.delete!(id, read.props);
    await expect(p.delete!(id, read.props)).resolves.toBeUndefined();
    expect(await p.read!(id, read.props)).toEqual({});
  });

  it("adopts a database whose create answer was lost", async () => {
    emu.inject({ kind: "lost", match: (m, path) => m === "POST" && path === "/postgres" });
    const { id } = await provider().create(inputs);
    expect([...emu.postgres.keys()]).toEqual([id]);
  });

  it("rejects bad input by name and reports Render's refusal of legacy plans", async () => {
    const { failures } = await provider().check!({}, { ...inputs, version: "latest", ownerId: "x", databaseName: "Bad-Name" });
    expect(failures!.map((f) => f.property).sort()).toEqual(["databaseName", "ownerId", "version"]);
    await expect(provider().create({ ...inputs, plan: "starter" })).rejects.toThrow(/POST \/postgres failed \(400\): legacy plan 'starter'/);
  });
});

describe("RenderPostgres under mocks", () => {
  it("registers as a render Postgres whose connection info is secret and host is plain", async () => {
    const { RenderPostgres } = await import("../../../providers/render/postgres-resource.js");
    const { settle, synthComponent, one } = await import("../../harness.js");
    let pg!: InstanceType<typeof RenderPostgres>;
    const m = await synthComponent(() => {
      pg = new RenderPostgres("db", { ...inputs, databaseName: "ott" });
    });
    expect(one(m, "pulumi-nodejs:dynamic/render:Postgres", "db").inputs).toMatchObject({ plan: "basic_256mb", version: "17" });
    for (const o of [pg.password, pg.externalConnectionString, pg.internalConnectionString]) expect((await settle(o)).secret).toBe(true);
    expect(await settle(pg.host)).toEqual({ value: expect.stringMatching(/\.frankfurt-postgres\.render\.com$/), secret: false });
    expect((await settle(pg.databaseName)).value).toMatch(/^ott_/);
    expect((await settle(pg.port)).value).toBe(5432);
  });
});
