/**
 * A local emulator of the parts of Render's REST API v1 the provider uses, following
 * /shared/reference/render-api.md: response shapes (nested create response, bare arrays of
 * `{<key>, cursor}`), validation errors, unique names per owner, the read quirks
 * (preDeployCommand inside envSpecificDetails, databaseName suffix, auto-added www domain,
 * numInstances kept under autoscaling), projects and environments (emulator-projects.ts),
 * rate-limit headers, and faults injected on demand.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { KeyValueStore, type KeyValueEmulatorOptions } from "./emulator-key-value";
import { routeDay2 } from "./emulator-day2";
import { HttpError, ProjectStore } from "./emulator-projects";

export type FaultKind = "429" | "500" | "503" | "drop" | "slow" | "lost";

export interface Fault {
  kind: FaultKind;
  /** Only requests for which this returns true trigger the fault (default: the next request). */
  match?: (method: string, path: string) => boolean;
  /** For 429: seconds in `Ratelimit-Reset` (a delta, as Render sends it). Default 0. */
  resetSeconds?: number;
  /** For 429: also send `Retry-After` with this many seconds. */
  retryAfterSeconds?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

interface RateClass {
  limit: number;
  windowSeconds: number;
}

export interface EmulatorOptions extends KeyValueEmulatorOptions {
  apiKey?: string;
  /** How long a "slow" fault holds the answer back (ms). */
  slowMs?: number;
  /** Rate limits per class; Render's documented values when `enforceRateLimits`. */
  enforceRateLimits?: boolean;
  rateLimits?: Partial<Record<"createService" | "serviceWrite" | "write" | "get", RateClass>>;
  /** Status a deploy ends in; "live" by default. */
  deployOutcome?: "live" | "build_failed" | "update_failed" | "pre_deploy_failed";
  /** How `POST …/deploys` answers: 201 with the deploy (default), or 202 "queued" with no body (both documented). */
  deployAnswer?: 201 | 202;
  /** Status for a service name already taken in the workspace: 409 (default) or 400; which one Render sends is unconfirmed. */
  duplicateNameStatus?: 400 | 409;
  /** Whether a second Postgres with a name already used is refused; Render does not document names as unique, so by default it is created. */
  uniquePostgresNames?: boolean;
  pageSizeCap?: number;
}

type Json = any;

interface ServiceRecord {
  service: Json;
  envVars: { key: string; value: string }[];
  domains: Json[];
  deploys: Json[];
}

const DEFAULT_LIMITS: Record<string, RateClass> = {
  createService: { limit: 20, windowSeconds: 3600 },
  serviceWrite: { limit: 10, windowSeconds: 60 },
  write: { limit: 30, windowSeconds: 60 },
  get: { limit: 400, windowSeconds: 60 },
};


const SERVICE_TYPES = ["static_site", "web_service", "private_service", "background_worker", "cron_job"];
/** GET returns an image service's image at the top level: `imagePath`, `registryCredential{id,name}`. */
function imageOf(image: Json): Json {
  return { imagePath: image.imagePath, ...(image.registryCredentialId ? { registryCredential: { id: image.registryCredentialId, name: "registry" } } : {}) };
}

const RUNTIMES = ["docker", "elixir", "go", "node", "python", "ruby", "rust", "image"];
const REGIONS = ["frankfurt", "oregon", "ohio", "singapore", "virginia"];

export class RenderEmulator {
  readonly apiKey: string;
  readonly requests: RecordedRequest[] = [];
  readonly faults: Fault[] = [];
  /** Faults by request number since the last reset (undefined: answer normally). */
  schedule: (Fault | FaultKind | undefined)[] = [];
  services = new Map<string, ServiceRecord>();
  postgres = new Map<string, { pg: Json; password: string }>();
  disks = new Map<string, string>(); // disk id → service id
  readonly projects = new ProjectStore(
    (prefix) => this.id(prefix),
    (id) => this.services.get(id)?.service ?? this.postgres.get(id)?.pg ?? this.keyValues.get(id),
    (items, key, q) => this.page(items, key, q),
  );
  readonly keyValues: KeyValueStore = new KeyValueStore(
    (prefix) => this.id(prefix),
    (items, key, q) => this.page(items, key, q),
    (env, id) => this.projects.attach(env, id),
    (id) => this.projects.forget(id),
    (env) => this.projects.environments.has(env),
    () => this.options,
  );
  options: EmulatorOptions;
  private server?: Server;
  private counter = 0;
  private windows = new Map<string, { start: number; count: number }>();
  url = "";

  constructor(options: EmulatorOptions = {}) {
    this.options = options;
    this.apiKey = options.apiKey ?? "rnd_emulatorKey0123456789";
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  /** Forgets every object, fault and recorded request. */
  reset(options: EmulatorOptions = this.options): void {
    this.options = options;
    this.services.clear();
    this.postgres.clear();
    this.disks.clear();
    this.projects.clear();
    this.keyValues.clear();
    this.requests.length = 0;
    this.faults.length = 0;
    this.schedule = [];
    this.windows.clear();
  }

  inject(...faults: (Fault | FaultKind)[]): void {
    for (const f of faults) this.faults.push(typeof f === "string" ? { kind: f } : f);
  }

  /** A web service that is there already (made directly, no API call), as a test's starting point; its id. */
  seedService(ownerId: string, name: string): string {
    return this.createService({ type: "web_service", name, ownerId, serviceDetails: { runtime: "docker" } })[1].service.id;
  }

  /** Services as Render would list them, without the emulator's bookkeeping. */
  listServices(): Json[] {
    return [...this.services.values()].map((r) => r.service);
  }

  envVarsOf(id: string): Record<string, string> {
    return Object.fromEntries((this.services.get(id)?.envVars ?? []).map((e) => [e.key, e.value]));
  }

  domainsOf(id: string): Json[] {
    return this.services.get(id)?.domains ?? [];
  }

  deploysOf(id: string): Json[] {
    return this.services.get(id)?.deploys ?? [];
  }

  private id(prefix: string): string {
    this.counter++;
    return `${prefix}-${this.counter.toString(36).padStart(4, "0")}${"emul8tor0000000000000".slice(0, 16)}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://x");
    const method = req.method ?? "GET";
    const path = url.pathname.replace(/^\/v1/, "");
    this.requests.push({ method, path, url: req.url ?? "", authorization: req.headers.authorization, body });

    // The first queued fault that applies to this request fires once.
    const idx = this.faults.findIndex((f) => !f.match || f.match(method, path));
    const planned = this.schedule[this.requests.length - 1];
    const fault = planned ? (typeof planned === "string" ? { kind: planned } : planned) : idx >= 0 ? this.faults.splice(idx, 1)[0] : undefined;

    if (fault?.kind === "drop") return void req.socket.destroy();
    if (fault?.kind === "429") {
      const headers: Record<string, string> = { "Ratelimit-Limit": "30", "Ratelimit-Remaining": "0", "Ratelimit-Reset": String(fault.resetSeconds ?? 0) };
      if (fault.retryAfterSeconds !== undefined) headers["Retry-After"] = String(fault.retryAfterSeconds);
      return this.send(res, 429, { message: "rate limit exceeded" }, headers);
    }
    if (fault?.kind === "500") return this.send(res, 500, { id: "internal", message: "internal server error" });
    if (fault?.kind === "503") return this.send(res, 503, { message: "service unavailable" });

    if (req.headers.authorization !== `Bearer ${this.apiKey}`) return this.send(res, 401, { message: "unauthorized" });
    if (req.headers.accept && !req.headers.accept.includes("application/json") && req.headers.accept !== "*/*") {
      return this.send(res, 406, { message: "not acceptable" });
    }
    const limited = this.rateLimit(method, path);
    if (limited.exceeded) return this.send(res, 429, { message: "rate limit exceeded" }, limited.headers);

    let status: number;
    let out: Json;
    try {
      [status, out] = this.route(method, path, url.searchParams, body ? JSON.parse(body) : undefined);
    } catch (err) {
      if (err instanceof HttpError) [status, out] = [err.status, { message: err.message }];
      else if (err instanceof SyntaxError) [status, out] = [400, { message: "invalid JSON body" }];
      else throw err;
    }
    // The object changed; only the answer goes missing.
    if (fault?.kind === "lost") return void req.socket.destroy();
    if (fault?.kind === "slow") await new Promise((r) => setTimeout(r, this.options.slowMs ?? 500));
    if (res.destroyed) return;
    this.send(res, status, out, limited.headers);
  }

  private send(res: ServerResponse, status: number, body: Json, headers: Record<string, string> = {}): void {
    const text = body === undefined ? "" : JSON.stringify(body);
    res.writeHead(status, { ...(text ? { "Content-Type": "application/json" } : {}), ...headers });
    res.end(text);
  }

  private rateLimit(method: string, path: string): { exceeded: boolean; headers: Record<string, string> } {
    const cls =
      method === "GET"
        ? "get"
        : method === "POST" && path === "/services"
          ? "createService"
          : /^\/services\/[^/]+(\/deploys)?$/.test(path) && (method === "PATCH" || method === "POST")
            ? "serviceWrite"
            : "write";
    const limits = { ...DEFAULT_LIMITS, ...this.options.rateLimits };
    const rc = this.options.enforceRateLimits ? limits[cls]! : { limit: 1_000_000, windowSeconds: limits[cls]!.windowSeconds };
    const key = cls === "serviceWrite" ? `${cls}:${path.split("/")[2]}` : cls;
    const now = Date.now();
    let w = this.windows.get(key);
    if (!w || now - w.start >= rc.windowSeconds * 1000) this.windows.set(key, (w = { start: now, count: 0 }));
    const exceeded = w.count >= rc.limit;
    if (!exceeded) w.count++;
    const reset = Math.max(0, Math.ceil((w.start + rc.windowSeconds * 1000 - now) / 1000));
    return {
      exceeded,
      headers: { "Ratelimit-Limit": String(rc.limit), "Ratelimit-Remaining": String(rc.limit - w.count), "Ratelimit-Reset": String(reset) },
    };
  }

  private page(items: Json[], key: string, q: URLSearchParams): [number, Json] {
    const limit = Math.min(Number(q.get("limit") ?? 20), 100, this.options.pageSizeCap ?? 100);
    if (!(limit >= 1)) throw new HttpError(400, "limit must be between 1 and 100");
    const cursor = q.get("cursor");
    const start = cursor ? Number(Buffer.from(cursor, "base64url").toString()) : 0;
    return [
      200,
      items.slice(start, start + limit).map((item, i) => ({ [key]: item, cursor: Buffer.from(String(start + i + 1)).toString("base64url") })),
    ];
  }

  private svc(id: string): ServiceRecord {
    const r = this.services.get(id);
    if (!r) throw new HttpError(404, "service not found");
    return r;
  }

  private route(method: string, path: string, q: URLSearchParams, body: Json): [number, Json] {
    const seg = path.split("/").filter(Boolean);
    const filter = (name: string) => q.get(name)?.split(",").filter(Boolean);
    const day2 = routeDay2(this, method, seg, q, body); // rollback and Postgres exports (emulator-day2.ts)
    if (day2) return day2;

    if (seg[0] === "services") {
      if (seg.length === 1 && method === "GET") {
        const [names, types, owners] = [filter("name"), filter("type"), filter("ownerId")];
        const found = this.listServices().filter(
          (s) => (!names || names.includes(s.name)) && (!types || types.includes(s.type)) && (!owners || owners.includes(s.ownerId)),
        );
        return this.page(found, "service", q);
      }
      if (seg.length === 1 && method === "POST") return this.createService(body);
      const rec = this.svc(seg[1]!);
      const s = rec.service;
      if (seg.length === 2) {
        if (method === "GET") return [200, s];
        if (method === "DELETE") {
          this.projects.forget(s.id);
          this.services.delete(s.id);
          return [204, undefined];
        }
        if (method === "PATCH") return this.patchService(rec, body);
      }
      const d = s.serviceDetails;
      switch (`${method} ${seg[2]}${seg.length > 3 ? "/:x" : ""}`) {
        case "POST scale":
          if (!Number.isInteger(body?.numInstances) || body.numInstances < 1) throw new HttpError(400, "numInstances must be an integer >= 1");
          if (d.disk && body.numInstances > 1) throw new HttpError(400, "a service with a disk cannot scale past one instance");
          d.numInstances = body.numInstances;
          return [202, undefined];
        case "PUT autoscaling": {
          const a = body;
          if (!a || typeof a.enabled !== "boolean" || !Number.isInteger(a.min) || !Number.isInteger(a.max) || !a.criteria?.cpu || !a.criteria?.memory) {
            throw new HttpError(400, "autoscaling needs enabled, min, max and criteria.cpu/memory");
          }
          if (a.min > a.max) throw new HttpError(400, "min must be <= max");
          d.autoscaling = a;
          return [200, a];
        }
        case "DELETE autoscaling":
          if (!d.autoscaling) throw new HttpError(404, "autoscaling not found");
          delete d.autoscaling;
          return [204, undefined];
        case "GET env-vars":
          return this.page(rec.envVars, "envVar", q);
        case "PUT env-vars": {
          const list = body ?? [];
          if (!Array.isArray(list) || list.some((e: Json) => typeof e?.key !== "string" || (typeof e.value !== "string" && e.generateValue !== true))) {
            throw new HttpError(400, "env vars must be [{key, value}] or [{key, generateValue: true}]");
          }
          rec.envVars = list.map((e: Json) => ({ key: e.key, value: e.generateValue ? Buffer.alloc(32, 7).toString("base64") : e.value }));
          return [200, rec.envVars.map((envVar) => ({ envVar, cursor: envVar.key }))];
        }
        case "GET custom-domains":
          return this.page(rec.domains, "customDomain", q);
        case "POST custom-domains":
          return this.addDomain(rec, body?.name);
        case "GET custom-domains/:x": {
          const key = decodeURIComponent(seg[3]!);
          const dom = rec.domains.find((x) => x.id === key || x.name === key);
          if (!dom) throw new HttpError(404, "custom domain not found");
          return [200, dom];
        }
        case "DELETE custom-domains/:x": {
          const key = decodeURIComponent(seg[3]!);
          const dom = rec.domains.find((x) => x.id === key || x.name === key);
          if (!dom) throw new HttpError(404, "custom domain not found");
          rec.domains = rec.domains.filter((x) => x !== dom && x.redirectForName !== dom.name);
          return [204, undefined];
        }
        case "POST deploys": {
          if (s.suspended === "suspended") throw new HttpError(409, "cannot deploy a suspended service");
          const dep = this.newDeploy();
          rec.deploys.unshift(dep);
          return this.options.deployAnswer === 202 ? [202, undefined] : [201, dep];
        }
        case "GET deploys":
          return this.page(rec.deploys, "deploy", q);
        case "GET deploys/:x": {
          const dep = rec.deploys.find((x) => x.id === seg[3]);
          if (!dep) throw new HttpError(404, "deploy not found");
          this.advance(dep);
          return [200, dep];
        }
      }
    }

    if (seg[0] === "disks") {
      if (seg.length === 1 && method === "POST") {
        const rec = this.svc(body?.serviceId);
        if (!body?.name || !body?.mountPath) throw new HttpError(400, "disk needs name and mountPath");
        if (rec.service.serviceDetails.disk) throw new HttpError(409, "service already has a disk");
        const disk = { id: this.id("dsk"), name: body.name, sizeGB: body.sizeGB ?? 1, mountPath: body.mountPath };
        rec.service.serviceDetails.disk = disk;
        this.disks.set(disk.id, rec.service.id);
        return [201, { ...disk, serviceId: rec.service.id }];
      }
      const sid = this.disks.get(seg[1] ?? "");
      if (!sid || !this.services.has(sid)) throw new HttpError(404, "disk not found");
      const d = this.svc(sid).service.serviceDetails;
      if (method === "PATCH") {
        if (body.sizeGB !== undefined && body.sizeGB < d.disk.sizeGB) throw new HttpError(400, "disk size can only grow");
        Object.assign(d.disk, pick(body, ["name", "sizeGB", "mountPath"]));
        return [200, { ...d.disk, serviceId: sid }];
      }
      if (method === "DELETE") {
        this.disks.delete(d.disk.id);
        delete d.disk;
        return [204, undefined];
      }
    }

    if (seg[0] === "postgres") return this.routePostgres(method, seg, q, body);
    if (seg[0] === "projects" || seg[0] === "environments") return this.projects.route(method, seg, q, body);
    if (seg[0] === "key-value") return this.keyValues.route(method, seg, q, body);
    throw new HttpError(404, `no route for ${method} ${path}`);
  }

  private newDeploy(): Json {
    const now = new Date().toISOString();
    return { id: this.id("dep"), status: "created", trigger: "api", createdAt: now, updatedAt: now, polls: undefined };
  }

  /** Each read moves a deploy one step on, so waiting for `live` takes a few polls. */
  private advance(dep: Json): void {
    const outcome = this.options.deployOutcome ?? "live";
    const steps = ["created", "build_in_progress", "update_in_progress"];
    const i = steps.indexOf(dep.status);
    if (i >= 0) dep.status = i + 1 < steps.length ? steps[i + 1] : outcome;
  }

  private createService(b: Json): [number, Json] {
    if (!b || typeof b !== "object") throw new HttpError(400, "body required");
    for (const k of ["type", "name", "ownerId"]) if (!b[k]) throw new HttpError(400, `${k} is required`);
    if (!SERVICE_TYPES.includes(b.type)) throw new HttpError(400, `invalid type '${b.type}'`);
    if (!/^(tea|usr)-/.test(b.ownerId)) throw new HttpError(400, "invalid ownerId");
    if ([...this.services.values()].some((r) => r.service.ownerId === b.ownerId && r.service.name === b.name)) {
      throw new HttpError(this.options.duplicateNameStatus ?? 409, `a service named '${b.name}' already exists in this workspace`);
    }
    const sd = b.serviceDetails ?? {};
    if (b.type !== "static_site") {
      if (!RUNTIMES.includes(sd.runtime)) throw new HttpError(400, `serviceDetails.runtime must be one of ${RUNTIMES.join(", ")}`);
      if (sd.region && !REGIONS.includes(sd.region)) throw new HttpError(400, `invalid region '${sd.region}'`);
      // Recorded image creates always carry image.imagePath (render-api.md §2).
      if (sd.runtime === "image" && !b.image?.imagePath) throw new HttpError(400, "image.imagePath is required for an image-backed service");
      if (sd.runtime !== "docker" && sd.runtime !== "image" && (!sd.envSpecificDetails?.buildCommand || !sd.envSpecificDetails?.startCommand)) {
        throw new HttpError(400, "envSpecificDetails.buildCommand and startCommand are required for native runtimes");
      }
    }
    if (b.type === "cron_job" && !sd.schedule) throw new HttpError(400, "serviceDetails.schedule is required for cron jobs");
    if (b.type !== "web_service" && sd.healthCheckPath) throw new HttpError(400, "healthCheckPath is only valid for web services");
    if (sd.disk && (sd.numInstances ?? 1) > 1) throw new HttpError(400, "a service with a disk cannot scale past one instance");
    if (b.environmentId && !this.projects.environments.has(b.environmentId)) throw new HttpError(400, `environment '${b.environmentId}' not found`);
    const now = new Date().toISOString();
    const id = this.id("srv");
    const { preDeployCommand, disk, ...rest } = sd;
    const details: Json = {
      region: "oregon",
      plan: "starter",
      ...rest,
      env: sd.runtime,
      envSpecificDetails: {
        // A real read of a docker service returns these defaults (render-api.md §2).
        ...(sd.runtime === "docker" ? { dockerCommand: "", dockerContext: ".", dockerfilePath: "./Dockerfile" } : {}),
        ...(sd.envSpecificDetails ?? {}),
        ...(preDeployCommand ? { preDeployCommand } : {}),
      },
      buildPlan: "starter",
      ...(b.type === "cron_job" || b.type === "static_site" ? {} : { numInstances: sd.numInstances ?? 1, openPorts: [{ port: 10000, protocol: "TCP" }] }),
    };
    if (b.type === "web_service" || b.type === "static_site") details.url = `https://${b.name}.onrender.com`;
    if (disk) {
      details.disk = { id: this.id("dsk"), name: disk.name, sizeGB: disk.sizeGB ?? 1, mountPath: disk.mountPath };
      this.disks.set(details.disk.id, id);
    }
    const service = {
      id,
      name: b.name,
      slug: b.name,
      type: b.type,
      ownerId: b.ownerId,
      ...(b.image ? imageOf(b.image) : { repo: b.repo, branch: b.branch ?? "main" }),
      rootDir: b.rootDir ?? "",
      autoDeploy: b.autoDeploy ?? "yes",
      notifyOnFail: "default",
      suspended: "not_suspended",
      suspenders: [],
      createdAt: now,
      updatedAt: now,
      dashboardUrl: `https://dashboard.render.com/web/${id}`,
      serviceDetails: details,
    };
    const dep = this.newDeploy();
    this.services.set(id, {
      service,
      envVars: (b.envVars ?? []).map((e: Json) => ({ key: e.key, value: e.generateValue ? "generated" : e.value })),
      domains: [],
      deploys: [dep],
    });
    if (b.environmentId) this.projects.attach(b.environmentId, id);
    return [201, { service, deployId: dep.id }];
  }

  private patchService(rec: ServiceRecord, b: Json): [number, Json] {
    const s = rec.service;
    const allowed = ["autoDeploy", "repo", "branch", "name", "rootDir", "serviceDetails", "buildFilter", "image", "autoDeployTrigger"];
    const bad = Object.keys(b ?? {}).filter((k) => !allowed.includes(k));
    if (bad.length) throw new HttpError(400, `unknown or immutable fields: ${bad.join(", ")}`);
    const sd = b.serviceDetails ?? {};
    const notPatchable = Object.keys(sd).filter((k) => ["region", "numInstances", "autoscaling", "disk", "url", "env"].includes(k));
    if (notPatchable.length) throw new HttpError(400, `serviceDetails.${notPatchable[0]} cannot be changed with PATCH`);
    if (b.name && b.name !== s.name && [...this.services.values()].some((r) => r.service.ownerId === s.ownerId && r.service.name === b.name)) {
      throw new HttpError(409, `a service named '${b.name}' already exists in this workspace`);
    }
    if (sd.runtime && !RUNTIMES.includes(sd.runtime)) throw new HttpError(400, `invalid runtime '${sd.runtime}'`);
    Object.assign(s, pick(b, ["autoDeploy", "repo", "branch", "name", "rootDir"]));
    if (b.image) Object.assign(s, imageOf(b.image));
    const { preDeployCommand, envSpecificDetails, ...rest } = sd;
    Object.assign(s.serviceDetails, rest);
    if (sd.runtime) s.serviceDetails.env = sd.runtime;
    const esd = { ...s.serviceDetails.envSpecificDetails, ...(envSpecificDetails ?? {}) };
    if (preDeployCommand !== undefined) {
      if (preDeployCommand) esd.preDeployCommand = preDeployCommand;
      else delete esd.preDeployCommand;
    }
    s.serviceDetails.envSpecificDetails = esd;
    s.updatedAt = new Date().toISOString();
    return [200, s];
  }

  private addDomain(rec: ServiceRecord, name: Json): [number, Json] {
    if (rec.service.type !== "web_service" && rec.service.type !== "static_site") throw new HttpError(400, "custom domains need a web service or static site");
    if (typeof name !== "string" || !/^[a-z0-9.-]+\.[a-z]{2,}$/.test(name)) throw new HttpError(400, "invalid domain name");
    for (const r of this.services.values()) {
      if (r.domains.some((d) => d.name === name)) throw new HttpError(409, `domain '${name}' is already in use`);
    }
    const now = new Date().toISOString();
    const apex = name.split(".").length === 2;
    const base = { createdAt: now, server: { id: rec.service.id, name: rec.service.name }, verificationStatus: "unverified", publicSuffix: name.split(".").pop() };
    const added = [{ ...base, id: this.id("cdm"), name, domainType: apex ? "apex" : "subdomain", redirectForName: "" }];
    // Render adds a www redirect next to an apex domain.
    if (apex) added.push({ ...base, id: this.id("cdm"), name: `www.${name}`, domainType: "subdomain", redirectForName: name });
    rec.domains.push(...added);
    return [201, added];
  }

  private routePostgres(method: string, seg: string[], q: URLSearchParams, b: Json): [number, Json] {
    if (seg.length === 1 && method === "GET") {
      const [names, owners] = [q.get("name")?.split(","), q.get("ownerId")?.split(",")];
      const found = [...this.postgres.values()].map((p) => p.pg).filter((p) => (!names || names.includes(p.name)) && (!owners || owners.includes(p.owner.id)));
      return this.page(found, "postgres", q);
    }
    if (seg.length === 1 && method === "POST") {
      for (const k of ["name", "ownerId", "plan", "version"]) if (!b?.[k]) throw new HttpError(400, `${k} is required`);
      if (["starter", "standard", "pro", "pro_plus"].includes(b.plan)) throw new HttpError(400, `legacy plan '${b.plan}' is not available for new databases`);
      if (this.options.uniquePostgresNames && [...this.postgres.values()].some((p) => p.pg.owner.id === b.ownerId && p.pg.name === b.name)) {
        throw new HttpError(this.options.duplicateNameStatus ?? 409, `a database named '${b.name}' already exists`);
      }
      if (b.environmentId && !this.projects.environments.has(b.environmentId)) throw new HttpError(400, `environment '${b.environmentId}' not found`);
      const id = `${this.id("dpg")}-a`;
      const now = new Date().toISOString();
      const suffix = id.slice(4, 8);
      const pg = {
        id,
        name: b.name,
        owner: { id: b.ownerId, name: "Acme", email: "ops@acme.test", type: b.ownerId.startsWith("tea-") ? "team" : "user" },
        plan: b.plan,
        region: b.region ?? "oregon",
        version: String(b.version),
        databaseName: `${b.databaseName ?? "db"}_${suffix}`,
        databaseUser: b.databaseUser ?? `user_${suffix}`,
        diskSizeGB: b.diskSizeGB ?? 1,
        highAvailabilityEnabled: !!b.enableHighAvailability,
        ipAllowList: b.ipAllowList ?? [],
        readReplicas: [],
        role: "primary",
        status: "creating",
        suspended: "not_suspended",
        suspenders: [],
        createdAt: now,
        updatedAt: now,
        dashboardUrl: `https://dashboard.render.com/d/${id}`,
      };
      this.postgres.set(id, { pg, password: `pw${suffix}Secret` });
      if (b.environmentId) this.projects.attach(b.environmentId, id);
      return [201, pg];
    }
    const entry = this.postgres.get(seg[1] ?? "");
    if (!entry) throw new HttpError(404, "postgres not found");
    const pg = entry.pg;
    if (seg.length === 2 && method === "GET") {
      const out = { ...pg };
      if (pg.status === "creating") pg.status = "available"; // available from the next read on
      return [200, out];
    }
    if (seg.length === 2 && method === "PATCH") {
      const bad = Object.keys(b ?? {}).filter((k) => !["name", "plan", "diskSizeGB", "enableHighAvailability", "ipAllowList", "readReplicas"].includes(k));
      if (bad.length) throw new HttpError(400, `cannot change ${bad.join(", ")}`);
      if (b.diskSizeGB !== undefined && b.diskSizeGB < pg.diskSizeGB) throw new HttpError(400, "disk size can only grow");
      Object.assign(pg, pick(b, ["name", "plan", "diskSizeGB", "ipAllowList"]));
      if (b.enableHighAvailability !== undefined) pg.highAvailabilityEnabled = b.enableHighAvailability;
      return [200, pg];
    }
    if (seg.length === 2 && method === "DELETE") {
      this.projects.forget(pg.id);
      this.postgres.delete(pg.id);
      return [204, undefined];
    }
    if (seg[2] === "connection-info" && method === "GET") {
      const user = pg.databaseUser;
      return [
        200,
        {
          password: entry.password,
          internalConnectionString: `postgresql://${user}:${entry.password}@${pg.id}/${pg.databaseName}`,
          externalConnectionString: `postgresql://${user}:${entry.password}@${pg.id}.${pg.region}-postgres.render.com:5432/${pg.databaseName}`,
          psqlCommand: `PGPASSWORD=${entry.password} psql -h ${pg.id}.${pg.region}-postgres.render.com -U ${user} ${pg.databaseName}`,
        },
      ];
    }
    throw new HttpError(404, "no such postgres route");
  }
}

function pick(o: Json, keys: string[]): Json {
  return Object.fromEntries(keys.filter((k) => o?.[k] !== undefined).map((k) => [k, o[k]]));
}

export async function startEmulator(options?: EmulatorOptions): Promise<RenderEmulator> {
  return new RenderEmulator(options).start();
}
