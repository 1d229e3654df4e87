import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkCustomDomain, createCustomDomainProvider, diffCustomDomain } from "../../../providers/render/custom-domain";
import { createServiceProvider } from "../../../providers/render/service";
import { type RenderEmulator, startEmulator } from "./emulator";
import { webServiceInputs } from "./fixtures";

let emu: RenderEmulator;
const fast = { baseDelayMs: 1, maxDelayMs: 4, timeoutMs: 2000, getsPerMinute: 0, writesPerMinute: 0 };
const provider = () => createCustomDomainProvider({ client: { ...fast, baseUrl: emu.url, apiKey: emu.apiKey } });
const gets = () => emu.requests.filter((r) => r.method === "GET");

async function service(name = "ott-prod-api", type: "web_service" | "background_worker" = "web_service"): Promise<string> {
  const p = createServiceProvider({ client: { ...fast, baseUrl: emu.url, apiKey: emu.apiKey }, pollIntervalMs: 1 });
  const inputs = webServiceInputs({ ownerId: "tea-abc123", name, type });
  if (type !== "web_service") inputs.healthCheckPath = undefined;
  return (await p.create(inputs)).id;
}

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

describe("CustomDomain against the emulator", () => {
  it("adds a domain, refreshes it with one GET, leaves Render's www redirect alone, and deletes it", async () => {
    const srv = await service();
    const p = provider();
    const created = await p.create({ serviceId: srv, name: "example.com" });
    expect(created.id).toMatch(/^cdm-/);
    expect(created.outs).toEqual({ serviceId: srv, name: "example.com", domainType: "apex", verificationStatus: "unverified", redirectForName: "" });
    // Render added www.example.com as a redirect; it is no resource of ours.
    expect(emu.domainsOf(srv).map((d) => d.name).sort()).toEqual(["example.com", "www.example.com"]);

    emu.requests.length = 0;
    const read = await p.read!(created.id, created.outs);
    expect(read).toEqual({ id: created.id, props: created.outs });
    expect(gets()).toHaveLength(1);
    expect(emu.requests).toHaveLength(1);

    // Verified in the dashboard: refresh reports it, and it is no input change.
    emu.domainsOf(srv).find((d) => d.name === "example.com")!.verificationStatus = "verified";
    const verified = await p.read!(created.id, created.outs);
    expect(verified.props?.verificationStatus).toBe("verified");
    expect(diffCustomDomain(verified.props!, { serviceId: srv, name: "example.com" }).changes).toBe(false);

    await p.delete!(created.id, created.outs);
    expect(emu.domainsOf(srv)).toEqual([]);
    // Gone already, or its service gone: delete succeeds and refresh reports it gone.
    await expect(p.delete!(created.id, created.outs)).resolves.toBeUndefined();
    expect(await p.read!(created.id, created.outs)).toEqual({});
    expect(await p.read!(created.id, { ...created.outs, serviceId: "srv-gone" })).toEqual({});
  });

  it("adopts the domain when the create answer is lost, or when Render already added it as the www redirect", async () => {
    const srv = await service();
    const p = provider();
    emu.inject({ kind: "lost", match: (m, path) => m === "POST" && path.endsWith("/custom-domains") });
    const apex = await p.create({ serviceId: srv, name: "example.com" });
    expect(emu.domainsOf(srv).filter((d) => d.name === "example.com").map((d) => d.id)).toEqual([apex.id]);

    // Declaring the www name too: Render answers 409, the provider keeps the existing entry.
    const www = await p.create({ serviceId: srv, name: "www.example.com" });
    expect(www.outs).toMatchObject({ name: "www.example.com", domainType: "subdomain" });
    expect(emu.domainsOf(srv)).toHaveLength(2);
  });

  it("fails clearly when another service holds the name, or the service cannot have domains", async () => {
    const [a, b] = [await service("ott-prod-api"), await service("ott-staging-api")];
    const p = provider();
    await p.create({ serviceId: a, name: "api.example.com" });
    await expect(p.create({ serviceId: b, name: "api.example.com" })).rejects.toThrow(
      /POST \/services\/srv-\w+\/custom-domains failed \(409\): domain 'api.example.com' is already in use/,
    );
    const worker = await service("ott-prod-worker", "background_worker");
    await expect(p.create({ serviceId: worker, name: "jobs.example.com" })).rejects.toThrow(/\(400\): custom domains need a web service/);
  });

  it("checks its inputs and replaces, old one first, on any change", () => {
    expect(checkCustomDomain({ serviceId: "srv-abc123", name: "api.example.com" })).toEqual([]);
    expect(checkCustomDomain({ serviceId: "abc", name: "API.example.com" }).map((f) => f.property)).toEqual(["serviceId", "name"]);
    // Unknown during preview: not a failure.
    expect(checkCustomDomain({ serviceId: "04da6b54-80e4-46f7-96ec-b56ff0331ba9", name: "api.example.com" })).toEqual([]);
    const olds = { serviceId: "srv-a1", name: "api.example.com" };
    expect(diffCustomDomain(olds, olds)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    expect(diffCustomDomain(olds, { ...olds, serviceId: "srv-b2" })).toEqual({ changes: true, replaces: ["serviceId"], deleteBeforeReplace: true });
  });
});
