/**
 * A local emulator of the parts of Supabase's Management API v1 and Storage API the providers use,
 * written from /work/shared/reference/supabase-api.md: the create answer's `UNKNOWN` status then
 * `COMING_UP`, keys by `type` (two named `default`, the secret masked without `reveal=true`), the
 * pooler list empty at first, `X-RateLimit-Reset` in seconds, 400 "Project not ready for deletion.",
 * pause/restore/resize, the free plan's two active projects, and Storage's errors as HTTP 400 with
 * the real status in the body. Faults are injected per request number, as in the Render emulator.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type FaultKind = "429" | "500" | "503" | "drop" | "lost" | "notReady" | "emptyPooler" | "stuck";

export interface EmulatorOptions {
  token?: string;
  /** GETs of a new project answering COMING_UP before it is ACTIVE_HEALTHY. Default 2. */
  comingUpPolls?: number;
  /** GETs of the pooler config answering [] once healthy. Default 1. */
  poolerEmptyPolls?: number;
  /** Never leave COMING_UP (an incident): the project stays stuck until `unstick`. */
  stuck?: boolean;
  /** How a name already used in the org is answered: accepted (default, as in 2024), or refused with 400/409. */
  duplicateName?: "accept" | 400 | 409;
  /** Accept only the older body fields `organization_id` and `region` (unconfirmed whether the API still does). */
  legacyOnly?: boolean;
  /** How the free plan's third active project is refused (unconfirmed). Default 400. */
  freeLimitStatus?: number;
}

export interface Recorded {
  method: string;
  path: string;
  query: string;
  body: string;
  headers: IncomingMessage["headers"];
}

interface Project {
  ref: string;
  name: string;
  organization_slug: string;
  region: string;
  created_at: string;
  status: string;
  password: string;
  size: string;
  comingUp: number;
  poolerEmpty: number;
  buckets: Map<string, any>;
  objects: Map<string, number>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: any,
  ) {
    super(JSON.stringify(body));
  }
}

export class SupabaseEmulator {
  readonly token: string;
  readonly requests: Recorded[] = [];
  schedule: (FaultKind | undefined)[] = [];
  /** Counted per request matching the predicate (in addition to `schedule`). */
  readonly faults: { kind: FaultKind; match: (method: string, path: string) => boolean }[] = [];
  orgs = new Map<string, { id: string; slug: string; name: string; plan: string }>();
  projects = new Map<string, Project>();
  /** Names of every project ever created, in order (a second create of one name is the bug to catch). */
  created: string[] = [];
  options: EmulatorOptions;
  url = "";
  private server?: Server;
  private counter = 0;

  constructor(options: EmulatorOptions = {}) {
    this.options = options;
    this.token = options.token ?? "sbp_emulator0123456789abcdef";
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** SUPABASE_PROJECT_URL for the providers: each project's API (Storage) served here. */
  get projectUrlTemplate(): string {
    return `${this.url}/project/{ref}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  reset(options: EmulatorOptions = this.options): void {
    this.options = options;
    this.orgs.clear();
    this.projects.clear();
    this.created = [];
    this.requests.length = 0;
    this.schedule = [];
    this.faults.length = 0;
    this.addOrg("acme", "pro");
    this.addOrg("hobby", "free");
  }

  addOrg(slug: string, plan: string): void {
    this.orgs.set(slug, { id: slug, slug, name: slug, plan });
  }

  unstick(): void {
    this.options = { ...this.options, stuck: false };
  }

  byName(name: string): Project[] {
    return [...this.projects.values()].filter((p) => p.name === name);
  }

  private ref(): string {
    this.counter++;
    let n = this.counter;
    let s = "";
    for (let i = 0; i < 6; i++, n = Math.floor(n / 26)) s = String.fromCharCode(97 + (n % 26)) + s;
    return `emul${s}aaaaaaaaaa`.slice(0, 20);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://x");
    const method = req.method ?? "GET";
    const path = url.pathname;
    this.requests.push({ method, path, query: url.search, body, headers: req.headers });
    const planned = this.schedule[this.requests.length - 1];
    const idx = this.faults.findIndex((f) => f.match(method, path));
    const fault = planned ?? (idx >= 0 ? this.faults.splice(idx, 1)[0]!.kind : undefined);

    if (fault === "drop") return void req.socket.destroy();
    if (fault === "429") return this.send(res, 429, { message: "ThrottlerException: Too Many Requests" }, { "X-RateLimit-Limit": "120", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "0" });
    if (fault === "500") return this.send(res, 500, { message: "Failed to retrieve project" });
    if (fault === "503") return this.send(res, 503, { message: "service unavailable" });

    let status: number;
    let out: any;
    try {
      [status, out] = path.startsWith("/project/") ? this.storage(method, path, req, body) : this.management(method, path, url.searchParams, req, body, fault);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      [status, out] = [err.status, err.body];
    }
    if (fault === "lost") return void req.socket.destroy();
    this.send(res, status, out, { "X-RateLimit-Limit": "120", "X-RateLimit-Remaining": "119", "X-RateLimit-Reset": "60" });
  }

  private send(res: ServerResponse, status: number, body: any, headers: Record<string, string> = {}): void {
    const text = body === undefined ? "" : JSON.stringify(body);
    res.writeHead(status, { ...(text ? { "Content-Type": "application/json; charset=utf-8" } : {}), ...headers });
    res.end(text);
  }

  private project(ref: string): Project {
    const p = this.projects.get(ref);
    if (!p) throw new HttpError(404, { message: "Project not found" });
    return p;
  }

  private view(p: Project, withDb = false): any {
    return {
      id: p.ref,
      ref: p.ref,
      organization_id: p.organization_slug,
      organization_slug: p.organization_slug,
      name: p.name,
      region: p.region,
      created_at: p.created_at,
      status: p.status,
      ...(withDb ? { database: { host: `db.${p.ref}.supabase.co`, version: "17.6.1.111", postgres_engine: "17", release_channel: "ga" } } : {}),
    };
  }

  /** One GET moves a project along its lifecycle. */
  private advance(p: Project, fault: FaultKind | undefined): void {
    if (p.status === "UNKNOWN") p.status = "COMING_UP";
    else if (p.status === "COMING_UP" && !this.options.stuck && fault !== "stuck") {
      if (p.comingUp-- <= 0) p.status = "ACTIVE_HEALTHY";
    } else if (p.status === "PAUSING") p.status = "INACTIVE";
    else if (p.status === "RESTORING" || p.status === "RESIZING") p.status = "ACTIVE_HEALTHY";
  }

  private keys(p: Project, reveal: boolean): any[] {
    return [
      { name: "anon", id: "anon", type: "legacy", api_key: `eyJhbGciOiJIUzI1NiJ9.anon.${p.ref}` },
      { name: "service_role", id: "service_role", type: "legacy", api_key: `eyJhbGciOiJIUzI1NiJ9.service_role.${p.ref}` },
      { name: "default", id: "pub-uuid", type: "publishable", prefix: "sb_publishable_", api_key: `sb_publishable_${p.ref}` },
      {
        name: "default",
        id: "sec-uuid",
        type: "secret",
        prefix: "sb_secret_",
        api_key: reveal ? `sb_secret_${p.ref}` : "sb_secret_····················",
        secret_jwt_template: { role: "service_role" },
      },
    ];
  }

  private management(method: string, path: string, q: URLSearchParams, req: IncomingMessage, text: string, fault: FaultKind | undefined): [number, any] {
    if (req.headers.authorization !== `Bearer ${this.token}`) throw new HttpError(401, { message: "Unauthorized" });
    const body = text ? JSON.parse(text) : undefined;
    const seg = path.split("/").filter(Boolean);
    if (seg[0] !== "v1") throw new HttpError(404, { message: "Not found" });
    if (method === "GET" && path === "/v1/organizations") return [200, [...this.orgs.values()].map(({ id, slug, name }) => ({ id, slug, name }))];
    if (method === "GET" && seg[1] === "organizations" && seg.length === 3) {
      const o = this.orgs.get(seg[2]!);
      if (!o) throw new HttpError(404, { message: "Organization not found" });
      return [200, { id: o.slug, name: o.name, plan: o.plan }];
    }
    if (method === "GET" && path === "/v1/projects") return [200, [...this.projects.values()].map((p) => this.view(p, true))];
    if (method === "POST" && path === "/v1/projects") return this.createProject(body);
    if (seg[1] !== "projects" || !seg[2]) throw new HttpError(404, { message: "Not found" });
    const p = this.project(seg[2]);
    const rest = seg.slice(3).join("/");
    if (rest === "") {
      if (method === "GET") {
        this.advance(p, fault);
        return [200, this.view(p, true)];
      }
      if (method === "PATCH") {
        if (typeof body?.name !== "string" || !body.name || body.name.length > 256) throw new HttpError(400, { message: "name must be 1-256 characters" });
        p.name = body.name;
        return [200, { id: 1, ref: p.ref, name: p.name }];
      }
      if (method === "DELETE") {
        if (fault === "notReady" || !["ACTIVE_HEALTHY", "INACTIVE", "INIT_FAILED"].includes(p.status)) throw new HttpError(400, { message: "Project not ready for deletion." });
        this.projects.delete(p.ref);
        return [200, { id: 711274, name: p.name, ref: p.ref, slug: p.organization_slug }];
      }
    }
    if (rest === "api-keys" && method === "GET") return [200, p.status === "ACTIVE_HEALTHY" || p.status === "INACTIVE" ? this.keys(p, q.get("reveal") === "true") : []];
    if (rest === "config/database/pooler" && method === "GET") {
      if (p.status !== "ACTIVE_HEALTHY" || fault === "emptyPooler" || p.poolerEmpty-- > 0) return [200, []];
      const host = `aws-1-${p.region}.pooler.supabase.com`;
      return [
        200,
        [{
          identifier: p.ref, database_type: "PRIMARY", is_using_scram_auth: true, db_user: `postgres.${p.ref}`, db_host: host, db_port: 6543, db_name: "postgres",
          connection_string: `postgresql://postgres.${p.ref}:[YOUR-PASSWORD]@${host}:6543/postgres`, default_pool_size: 15, max_client_conn: 200, pool_mode: "transaction",
        }],
      ];
    }
    if (rest === "billing/addons") {
      if (method === "GET") return [200, { selected_addons: [{ type: "compute_instance", variant: { id: `ci_${p.size}`, name: p.size } }], available_addons: [] }];
      if (method === "PATCH") {
        if (body?.addon_type !== "compute_instance" || !/^ci_[a-z0-9_]+$/.test(body?.addon_variant ?? "")) throw new HttpError(400, { message: "invalid addon" });
        if (p.status !== "ACTIVE_HEALTHY") throw new HttpError(400, { message: "Project is not active" });
        p.size = body.addon_variant.slice(3);
        p.status = "RESIZING";
        return [200, {}];
      }
    }
    if (rest === "database/password" && method === "PATCH") {
      if (typeof body?.password !== "string" || body.password.length < 4) throw new HttpError(400, { message: "password too short" });
      p.password = body.password;
      return [200, { message: "Password updated" }];
    }
    if (rest === "pause" && method === "POST") {
      if (this.orgs.get(p.organization_slug)?.plan !== "free") throw new HttpError(400, { message: "Paid projects cannot be paused" });
      if (p.status === "ACTIVE_HEALTHY") p.status = "PAUSING";
      return [200, undefined];
    }
    if (rest === "restore" && method === "POST") {
      if (p.status === "INACTIVE") p.status = "RESTORING";
      return [200, undefined];
    }
    if (rest === "health" && method === "GET") {
      const services = (q.get("services") ?? "db").split(",");
      return [200, services.map((name) => ({ name, healthy: p.status === "ACTIVE_HEALTHY", status: p.status === "ACTIVE_HEALTHY" ? "ACTIVE_HEALTHY" : p.status === "COMING_UP" ? "COMING_UP" : "UNHEALTHY" }))];
    }
    throw new HttpError(404, { message: "Not found" });
  }

  private createProject(body: any): [number, any] {
    const allowed = ["name", "db_pass", "organization_slug", "organization_id", "region", "region_selection", "desired_instance_size", "plan", "kps_enabled", "template_url"];
    const extra = Object.keys(body ?? {}).filter((k) => !allowed.includes(k) || (this.options.legacyOnly && (k === "organization_slug" || k === "region_selection")));
    if (extra.length) throw new HttpError(400, { message: `body must NOT have additional properties: ${extra.join(", ")}` });
    const org = body.organization_slug ?? body.organization_id;
    if (typeof body.name !== "string" || !body.name || typeof body.db_pass !== "string" || !body.db_pass || typeof org !== "string") {
      throw new HttpError(400, { message: "name, db_pass and organization_slug are required" });
    }
    if (body.region && body.region_selection) throw new HttpError(400, { message: "only one of region or region_selection can be specified" });
    const region = body.region ?? body.region_selection?.code;
    if (typeof region !== "string") throw new HttpError(400, { message: "region is required" });
    const o = this.orgs.get(org);
    if (!o) throw new HttpError(404, { message: "Organization not found" });
    const same = [...this.projects.values()].filter((p) => p.organization_slug === org);
    if (this.options.duplicateName && this.options.duplicateName !== "accept" && same.some((p) => p.name === body.name)) {
      throw new HttpError(this.options.duplicateName, { message: "A project with this name already exists" });
    }
    if (o.plan === "free" && same.filter((p) => p.status !== "INACTIVE").length >= 2) {
      throw new HttpError(this.options.freeLimitStatus ?? 400, { message: "The following organization members have reached their maximum limits for the number of active free projects" });
    }
    if (o.plan !== "free" && body.desired_instance_size === "nano") throw new HttpError(400, { message: "Paid organizations cannot launch Nano" });
    const p: Project = {
      ref: this.ref(),
      name: body.name,
      organization_slug: org,
      region,
      created_at: new Date(Date.now() + this.created.length).toISOString(),
      status: "UNKNOWN",
      password: body.db_pass,
      size: body.desired_instance_size ?? (o.plan === "free" ? "nano" : "micro"),
      comingUp: this.options.comingUpPolls ?? 2,
      poolerEmpty: this.options.poolerEmptyPolls ?? 1,
      buckets: new Map(),
      objects: new Map(),
    };
    this.projects.set(p.ref, p);
    this.created.push(p.name);
    return [201, this.view(p)];
  }

  /** Storage: `/project/{ref}/storage/v1/bucket[/{id}]`; every error is HTTP 400 with the status in the body. */
  private storage(method: string, path: string, req: IncomingMessage, text: string): [number, any] {
    const m = /^\/project\/([a-z]{20})\/storage\/v1\/bucket(?:\/([^/]+))?(\/empty)?$/.exec(path);
    const err = (statusCode: string, code: string, error: string, message: string) => new HttpError(400, { statusCode, code, error, message });
    if (!m) throw err("404", "NotFound", "Not Found", "route not found");
    const p = this.projects.get(m[1]!);
    if (!p) throw err("404", "TenantNotFound", "Not Found", "tenant not found");
    const key = req.headers.apikey;
    if (key !== `sb_secret_${p.ref}` && key !== `eyJhbGciOiJIUzI1NiJ9.service_role.${p.ref}`) throw err("403", "AccessDenied", "Unauthorized", "new row violates row-level security policy");
    const id = m[2] ? decodeURIComponent(m[2]) : undefined;
    const body = text ? JSON.parse(text) : {};
    const limit = (v: unknown) => {
      if (v === undefined || v === null) return null;
      if (typeof v === "number" && Number.isInteger(v) && v >= 0) return v;
      const s = /^(\d+)(B|KB|MB|GB)$/i.exec(String(v));
      if (!s) throw err("400", "InvalidRequest", "Bad Request", "invalid file_size_limit");
      return Number(s[1]) * ({ B: 1, KB: 1e3, MB: 1e6, GB: 1e9 } as Record<string, number>)[s[2]!.toUpperCase()]!;
    };
    const mimes = (v: unknown) => {
      if (v === undefined || v === null) return null;
      if (!Array.isArray(v) || v.some((t) => typeof t !== "string" || !/^[\w.+-]+\/[\w.+*-]+$/.test(t))) throw err("415", "InvalidMimeType", "invalid_mime_type", "invalid mime type");
      return v;
    };
    const get = (name: string) => {
      const b = p.buckets.get(name);
      if (!b) throw err("404", "NoSuchBucket", "Bucket not found", "Bucket not found");
      return b;
    };
    if (!id && method === "GET") return [200, [...p.buckets.values()]];
    if (!id && method === "POST") {
      const name = body.id ?? body.name;
      if (typeof body.name !== "string" || !/^[A-Za-z0-9_!.*'() &$=@;:+,?-]{1,100}$/.test(body.name)) throw err("400", "InvalidBucketName", "Invalid Input", "Bucket name invalid");
      if (p.buckets.has(name)) throw err("409", "BucketAlreadyExists", "Duplicate", "The resource already exists");
      const now = new Date().toISOString();
      p.buckets.set(name, { id: name, name: body.name, owner: "", public: body.public ?? false, type: "STANDARD", file_size_limit: limit(body.file_size_limit), allowed_mime_types: mimes(body.allowed_mime_types), created_at: now, updated_at: now });
      return [200, { name: body.name }];
    }
    if (id && method === "GET" && !m[3]) return [200, get(id)];
    if (id && method === "PUT") {
      const b = get(id);
      if (body.public !== undefined) b.public = body.public;
      if ("file_size_limit" in body) b.file_size_limit = limit(body.file_size_limit);
      if ("allowed_mime_types" in body) b.allowed_mime_types = mimes(body.allowed_mime_types);
      return [200, { message: "Successfully updated" }];
    }
    if (id && method === "DELETE") {
      get(id);
      if ((p.objects.get(id) ?? 0) > 0) throw err("409", "ResourceNotEmpty", "Conflict", "The resource you tried to delete is not empty");
      p.buckets.delete(id);
      return [200, { message: "Successfully deleted" }];
    }
    throw err("404", "NotFound", "Not Found", "route not found");
  }
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<SupabaseEmulator> {
  const emu = await new SupabaseEmulator(options).start();
  emu.reset(options);
  return emu;
}
