/**
 * The Supabase project and bucket through the SDK's real dynamic-provider host, over gRPC, as
 * `pulumi preview`, `up`, `refresh` and `destroy` drive them, against the emulator. One host.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connectionUrls } from "../../../providers/supabase/project";
import { providerSource } from "../../../providers/supabase/provider-source";
import { CheckFailed, type Engine } from "../../engine/engine";
import { HostError, type ProviderHost, ResourceInitFailed, UNKNOWN } from "../../engine/provider-host";
import { type SupabaseEmulator, startEmulator } from "./emulator";
import { startSupabaseHost, supabaseEngine } from "./host";

let emu: SupabaseEmulator;
let host: ProviderHost;
let engine: Engine<"project" | "bucket">;
const P = { organizationSlug: "acme", name: "ott-staging", region: "eu-central-1", instanceSize: "micro" };
const writes = () => emu.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path.replace(/[a-z]{20}/, "{ref}")}`);

beforeAll(async () => {
  emu = await startEmulator();
  // Polls 10 ms apart: the project stuck in COMING_UP is polled for the whole 2 s wait, about 200
  // GETs instead of a couple of thousand at 1 ms; the other waits take a poll or two.
  host = await startSupabaseHost(emu, { SUPABASE_POLL_INTERVAL_MS: "10" });
});
afterAll(async () => {
  await host?.stop();
  await emu?.stop();
});
beforeEach(() => {
  emu.reset({});
  engine = supabaseEngine(host);
});

describe("Supabase project through the provider host", () => {
  it("creates after looking for the name, waits out UNKNOWN/COMING_UP and the empty pooler list, and reads keys by type", async () => {
    const up = await engine.up("project", "db", P);
    expect(up.op).toBe("create");
    const ref = up.state!.id;
    expect(ref).toMatch(/^[a-z]{20}$/);
    const o = up.state!.outputs;
    expect(o.__provider).toBe(providerSource("project"));
    // The lookup came first, then exactly one create.
    expect(emu.requests[0]).toMatchObject({ method: "GET", path: "/v1/projects" });
    expect(emu.created).toEqual(["ott-staging"]);
    const post = JSON.parse(emu.requests.find((r) => r.method === "POST")!.body);
    expect(post).toMatchObject({ name: "ott-staging", organization_slug: "acme", region_selection: { type: "specific", code: "eu-central-1" }, desired_instance_size: "micro" });
    expect(post.db_pass).toBe(o.dbPassword);
    expect(o.dbPassword).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(emu.projects.get(ref)!.password).toBe(o.dbPassword);
    // Keys by type, with reveal=true: publishable for the browser, the secret key for the server.
    expect(o.anonKey).toBe(`sb_publishable_${ref}`);
    expect(o.serviceRoleKey).toBe(`sb_secret_${ref}`);
    expect(emu.requests.filter((r) => r.path.endsWith("/api-keys")).every((r) => r.query === "?reveal=true")).toBe(true);
    // The pooler host as the API reported it (aws-1, not built from the region); the pooler needs `postgres.<ref>`.
    expect(o.poolerHost).toBe("aws-1-eu-central-1.pooler.supabase.com");
    expect(o.sessionUrl).toBe(`postgresql://postgres.${ref}:${o.dbPassword}@aws-1-eu-central-1.pooler.supabase.com:5432/postgres?sslmode=require`);
    expect(o.transactionUrl).toContain(":6543/postgres");
    expect(o.directUrl).toBe(`postgresql://postgres:${o.dbPassword}@db.${ref}.supabase.co:5432/postgres?sslmode=require`);
    expect(o).toMatchObject({ status: "ACTIVE_HEALTHY", apiUrl: emu.projectUrlTemplate.replace("{ref}", ref), postgresVersion: "17" });

    // Refresh, then up: nothing to do.
    await engine.refresh(up.state!.urn);
    expect((await engine.up("project", "db", P, { preview: true })).op).toBe("same");

    // Rename and resize in place, waiting out RESIZING.
    emu.requests.length = 0;
    const bigger = { ...P, name: "ott-staging-2", instanceSize: "small" };
    expect((await engine.up("project", "db", bigger)).op).toBe("update");
    expect(writes()).toEqual(["PATCH /v1/projects/{ref}", "PATCH /v1/projects/{ref}/billing/addons"]);
    expect(emu.projects.get(ref)).toMatchObject({ name: "ott-staging-2", size: "small", status: "ACTIVE_HEALTHY" });

    // Another region replaces (delete first, a project's region cannot change).
    expect((await engine.up("project", "db", { ...bigger, region: "us-east-1" }, { preview: true })).op).toBe("replace");

    // Delete.
    await engine.delete(up.state!.urn);
    expect(emu.projects.size).toBe(0);
  });

  it("adopts a project of the same name instead of creating a second one, and sets a password it knows", async () => {
    await engine.up("project", "db", P);
    const ref = [...emu.projects.keys()][0]!;
    const fresh = supabaseEngine(host);
    const again = await fresh.up("project", "db", P);
    expect(again.state!.id).toBe(ref);
    expect(emu.created).toEqual(["ott-staging"]);
    expect(emu.projects.get(ref)!.password).toBe(again.state!.outputs.dbPassword);
  });

  it("percent-encodes the password in URLs", async () => {

    const u = connectionUrls("abcdefghijklmnopqrst", { db_host: "aws-0-x.pooler.supabase.com", db_user: "postgres.abcdefghijklmnopqrst", db_name: "postgres" }, "p@ss:/w?rd#%", "db.abcdefghijklmnopqrst.supabase.co");
    expect(new URL(u.sessionUrl).password).toBe(encodeURIComponent("p@ss:/w?rd#%"));
    expect(decodeURIComponent(new URL(u.sessionUrl).password)).toBe("p@ss:/w?rd#%");
  });

  it("a project stuck in COMING_UP fails with its ref recorded, and the next up continues it", async () => {
    emu.reset({ stuck: true });
    const err = await engine.up("project", "db", P).catch((e) => e);
    expect(err).toBeInstanceOf(ResourceInitFailed);
    const ref = [...emu.projects.keys()][0]!;
    expect(err.id).toBe(ref);
    expect(err.message).toMatch(new RegExp(`^Supabase project 'ott-staging' ${ref} exists, but it is still COMING_UP \\(waiting for ACTIVE_HEALTHY\\) after 2 s$`));
    expect(engine.get("project", "db").outputs.dbPassword).toBe(emu.projects.get(ref)!.password);
    emu.unstick();
    const next = await engine.up("project", "db", P);
    expect(next.op).toBe("update");
    expect(next.state!.id).toBe(ref);
    expect(next.state!.outputs.sessionUrl).toContain(`postgres.${ref}:${emu.projects.get(ref)!.password}@`);
    expect(emu.created).toEqual(["ott-staging"]);
  });

  it("retries a delete answered 400 'not ready', and a 404 is done", async () => {
    const up = await engine.up("project", "db", P);
    emu.faults.push({ kind: "notReady", match: (m) => m === "DELETE" }, { kind: "notReady", match: (m) => m === "DELETE" });
    await engine.delete(up.state!.urn);
    expect(emu.requests.filter((r) => r.method === "DELETE")).toHaveLength(3);
    expect(emu.projects.size).toBe(0);
    // Deleted outside Pulumi: refresh forgets it, a delete of a gone project succeeds.
    const again = await engine.up("project", "db", P);
    emu.projects.clear();
    await expect(host.delete(again.state!.urn, again.state!.id, again.state!.outputs)).resolves.toBeUndefined();
    expect(await engine.refresh(again.state!.urn)).toBeUndefined();
  });

  it("refuses to delete a protected project, and pauses and restores a free one", async () => {
    emu.reset({});
    const free = { ...P, organizationSlug: "hobby", instanceSize: undefined, deletionProtection: true };
    const up = await engine.up("project", "db", free);
    const err = await engine.delete(up.state!.urn).catch((e) => e);
    expect(err).toBeInstanceOf(HostError);
    expect(err.message).toBe("Supabase project 'ott-staging': deletion protection is on: the project and its data stay (set deletionProtection: false first to delete it)");
    expect(emu.projects.size).toBe(1);
    await engine.up("project", "db", { ...free, paused: true });
    expect([...emu.projects.values()][0]!.status).toBe("INACTIVE");
    const back = await engine.up("project", "db", { ...free, paused: false });
    expect([...emu.projects.values()][0]!.status).toBe("ACTIVE_HEALTHY");
    expect(back.state!.outputs.anonKey).toMatch(/^sb_publishable_/);
  });

  it("falls back to the older body fields when the API refuses organization_slug and region_selection", async () => {
    emu.reset({ legacyOnly: true });
    await engine.up("project", "db", P);
    const posts = emu.requests.filter((r) => r.method === "POST").map((r) => Object.keys(JSON.parse(r.body)).sort().join(","));
    expect(posts.at(-1)).toBe("db_pass,desired_instance_size,name,organization_id,region");
    expect(emu.created).toEqual(["ott-staging"]);
  });

  it("a third active free project is refused with Supabase's message, naming the project", async () => {
    const free = (name: string) => ({ organizationSlug: "hobby", name, region: "eu-central-1" });
    await engine.up("project", "a", free("a"));
    await engine.up("project", "b", free("b"));
    const err = await engine.up("project", "c", free("c")).catch((e) => e);
    expect(err.message).toBe("Supabase project 'c': Supabase Management API POST /v1/projects failed (400): The following organization members have reached their maximum limits for the number of active free projects");
  });

  it("checks input offline and lets unknowns pass at preview", async () => {
    const err = await engine.up("project", "db", { ...P, region: "mars-1", instanceSize: "huge", organizationSlug: "a b" }).catch((e) => e);
    expect(err).toBeInstanceOf(CheckFailed);
    expect(err.failures.map((f: { property: string }) => f.property)).toEqual(["organizationSlug", "region", "instanceSize"]);
    expect((await engine.up("project", "db", { ...P, organizationSlug: UNKNOWN }, { preview: true })).op).toBe("create");
    expect(emu.requests).toEqual([]);
  });
});

describe("Supabase Storage bucket through the provider host", () => {
  it("creates private by default, compares the size in bytes, updates MIME types, refuses a non-empty delete", async () => {
    const project = await engine.up("project", "db", P);
    const ref = project.state!.id;
    const B = { projectRef: ref, name: "uploads", fileSizeLimit: "50MB", allowedMimeTypes: ["image/png", "image/jpeg"] };
    const up = await engine.up("bucket", "files", B);
    const bucket = emu.projects.get(ref)!.buckets.get("uploads");
    expect(bucket).toMatchObject({ public: false, file_size_limit: 50_000_000, allowed_mime_types: ["image/png", "image/jpeg"] });
    expect(up.state!.outputs).toMatchObject({ public: false, fileSizeLimitBytes: 50_000_000 });
    // The storage key came from the Management API, never from the inputs or state.
    expect(JSON.stringify(up.state!.outputs)).not.toContain("sb_secret");
    await engine.refresh(up.state!.urn);
    expect((await engine.up("bucket", "files", B, { preview: true })).op).toBe("same");
    expect((await engine.up("bucket", "files", { ...B, fileSizeLimit: 50_000_000 }, { preview: true })).op).toBe("same");
    await engine.up("bucket", "files", { ...B, allowedMimeTypes: ["image/*"] });
    expect(bucket.allowed_mime_types).toEqual(["image/*"]);
    // A lost create answer: the bucket exists, the 409 in the body is read and the bucket adopted.
    emu.projects.get(ref)!.buckets.clear();
    emu.faults.push({ kind: "lost", match: (m, p) => m === "POST" && p.endsWith("/bucket") });
    await supabaseEngine(host).up("bucket", "files", B);
    expect([...emu.projects.get(ref)!.buckets.keys()]).toEqual(["uploads"]);
    emu.projects.get(ref)!.objects.set("uploads", 3);
    const err = await engine.delete(up.state!.urn).catch((e) => e);
    expect(err.message).toMatch(/^Supabase bucket 'uploads': Supabase Storage API DELETE \/bucket\/uploads failed \(409\): ResourceNotEmpty: .*webstack never empties a bucket/);
    emu.projects.get(ref)!.objects.clear();
    await engine.delete(up.state!.urn);
    expect(emu.projects.get(ref)!.buckets.size).toBe(0);
  });
});
