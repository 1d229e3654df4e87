/**
 * A local emulator of the parts of Netlify's REST API v1 webstack uses, written from
 * /work/shared/reference/netlify-api.md: teams, sites with global names, the accounts env API with
 * contexts, scopes per plan and masked secrets, production domains, TLS, deploys with publishing,
 * rollback and locks, rate-limit headers with an epoch `X-RateLimit-Reset`, both error shapes,
 * and faults injected on demand.
 *
 * UNCONFIRMED behaviours are switchable quirks (`NetlifyQuirks`); each default names the answer
 * this emulator picks:
 * - secretMask: how a secret reads back outside `dev` ("stars" `********`, "empty" `""`, "omitted" no value field);
 * - secretAllContext: a secret with context `all` is "rejected" (422) or "accepted";
 * - secretsOnFree: secrets on free/starter plans "allowed" (the TF free-plan test) or "forbidden" (403, docs: Enterprise);
 * - restoreUnlocks: restoring a deploy unlocks a locked site (false) or not;
 * - deployOrder: deploy lists "newest" first or "oldest" first;
 * - clearDomainWith: "empty" (`""` clears a domain field) or "null" (only `null` does; `""` is ignored);
 * - branchDomainOnFree: `branch_deploy_custom_domain` on free plans "forbidden" (403) or "ignored";
 * - lockNonPublished: locking a deploy that is not published "ok" or 422.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";

export type FaultKind = "429" | "500" | "502" | "503" | "drop" | "lost";

export interface Fault {
  kind: FaultKind;
  match?: (method: string, path: string) => boolean;
  /** For 429: seconds from now in `X-RateLimit-Reset` (an epoch timestamp). Default 1. */
  resetInSeconds?: number;
}

export interface NetlifyQuirks {
  secretMask: "stars" | "empty" | "omitted";
  secretAllContext: "rejected" | "accepted";
  secretsOnFree: "allowed" | "forbidden";
  restoreUnlocks: boolean;
  deployOrder: "newest" | "oldest";
  clearDomainWith: "empty" | "null";
  branchDomainOnFree: "forbidden" | "ignored";
  lockNonPublished: "ok" | "422";
}

export const DEFAULT_QUIRKS: NetlifyQuirks = {
  secretMask: "stars",
  secretAllContext: "rejected",
  secretsOnFree: "allowed",
  restoreUnlocks: false,
  deployOrder: "newest",
  clearDomainWith: "empty",
  branchDomainOnFree: "forbidden",
  lockNonPublished: "ok",
};

export interface NetlifyEmulatorOptions {
  token?: string;
  /** Teams the token reaches: slug → plan. Default `{ acme: "free" }`. */
  teams?: Record<string, "free" | "starter" | "personal" | "pro">;
  /** Site names taken by other Netlify users (the global namespace). */
  foreignSiteNames?: string[];
  /** Hostnames other teams hold. */
  foreignDomains?: string[];
  /** Hostnames whose DNS does not point at Netlify (Let's Encrypt answers 422 "bad dns"). */
  badDns?: string[];
  /**
   * A new site stays out of lists for this many list calls (eventual consistency), so a create
   * whose answer was lost is not found at once and its retry gets 422 "must be unique". Default 0.
   */
  listLag?: number;
  /** Site creations per minute before 429 (Netlify: deploy-class, 3/min); off by default. */
  siteCreatesPerMinute?: number;
  quirks?: Partial<NetlifyQuirks>;
  /** The emulator's clock (epoch ms); injected so rate-limit resets are deterministic. */
  now?: () => number;
}

export interface RecordedRequest {
  /** When it arrived (epoch ms, the emulator's clock). */
  at: number;
  method: string;
  path: string;
  query: string;
  body: string;
}

type Json = any;

export interface EnvValue {
  id: string;
  value: string;
  context: string;
  context_parameter?: string;
}
interface EnvRecord {
  key: string;
  scopes: string[];
  values: EnvValue[];
  is_secret: boolean;
  updated_at: string;
}
interface SiteRecord {
  site: Json;
  env: Map<string, EnvRecord>;
  deploys: Json[];
  ssl?: Json;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
  ) {
    super(typeof body?.message === "string" ? body.message : JSON.stringify(body));
  }
}
const fail = (status: number, message: string) => new HttpError(status, { code: status, message });
const ALL_SCOPES = ["builds", "functions", "runtime", "post-processing"];
const CONTEXTS = ["all", "dev", "dev-server", "branch-deploy", "deploy-preview", "production", "branch"];

export class NetlifyEmulator {
  readonly requests: RecordedRequest[] = [];
  readonly faults: Fault[] = [];
  /** Faults by request number since the last reset. */
  schedule: (Fault | FaultKind | undefined)[] = [];
  sites = new Map<string, SiteRecord>();
  options: NetlifyEmulatorOptions;
  quirks: NetlifyQuirks;
  url = "";
  private server?: Server;
  private counter = 0;
  private creates: number[] = [];
  private hidden = new Map<string, number>();

  constructor(options: NetlifyEmulatorOptions = {}) {
    this.options = options;
    this.quirks = { ...DEFAULT_QUIRKS, ...options.quirks };
  }

  get token(): string {
    return this.options.token ?? "nfp_emulatorToken0123456789";
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/v1`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  reset(options: NetlifyEmulatorOptions = this.options): void {
    this.options = options;
    this.quirks = { ...DEFAULT_QUIRKS, ...options.quirks };
    this.sites.clear();
    this.requests.length = 0;
    this.faults.length = 0;
    this.schedule = [];
    this.creates = [];
    this.hidden.clear();
  }

  inject(...faults: (Fault | FaultKind)[]): void {
    for (const f of faults) this.faults.push(typeof f === "string" ? { kind: f } : f);
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private teams(): Record<string, string> {
    return this.options.teams ?? { acme: "free" };
  }

  private nextId(hex = false): string {
    this.counter++;
    return hex ? this.counter.toString(16).padStart(24, "0") : randomUUID();
  }

  /** A site made outside the providers (a test's starting point). */
  seedSite(slug: string, name: string): Json {
    return this.createSite(slug, { name })[1];
  }

  /** Sites as Netlify lists them. */
  listSites(): Json[] {
    return [...this.sites.values()].map((r) => r.site);
  }

  siteNamed(name: string): Json | undefined {
    return this.listSites().find((s) => s.name === name);
  }

  envOf(siteId: string): EnvRecord[] {
    return [...(this.sites.get(siteId)?.env.values() ?? [])];
  }

  deploysOf(siteId: string): Json[] {
    return this.sites.get(siteId)?.deploys ?? [];
  }

  /**
   * A deploy arriving from CI (`netlify deploy`, or a git push with Netlify building): it becomes
   * ready, and a production deploy is published unless the site is locked.
   */
  push(siteId: string, d: { context?: "production" | "branch-deploy" | "deploy-preview"; branch?: string; reviewId?: number; title?: string } = {}): Json {
    const rec = this.sites.get(siteId);
    if (!rec) throw new Error(`no site ${siteId}`);
    const s = rec.site;
    const context = d.context ?? "production";
    const id = this.nextId(true);
    const deploy: Json = {
      id,
      site_id: siteId,
      build_id: this.nextId(true),
      state: "ready",
      context,
      branch: d.branch ?? (context === "production" ? (s.build_settings.repo_branch || "main") : "feature"),
      commit_ref: id.slice(-7),
      review_id: d.reviewId ?? null,
      title: d.title ?? "",
      locked: false,
      skipped: null,
      error_message: "",
      created_at: new Date(this.now() + this.counter).toISOString(),
      published_at: null,
      deploy_url: `http://${id}--${s.name}.netlify.app`,
      deploy_ssl_url: `https://${id}--${s.name}.netlify.app`,
      url: s.url,
      ssl_url: s.ssl_url,
      admin_url: `${s.admin_url}/deploys/${id}`,
      manual_deploy: true,
    };
    const locked = s.published_deploy?.locked === true;
    if (context === "production") {
      const previous = s.published_deploy;
      if (!locked) this.publish(rec, deploy, previous?.id ?? "");
    }
    rec.deploys.push(deploy);
    return deploy;
  }

  private publish(rec: SiteRecord, deploy: Json, rollbackId: string): void {
    for (const x of rec.deploys) x.locked = false;
    deploy.published_at = new Date(this.now() + this.counter).toISOString();
    deploy.rollback_id = rollbackId;
    rec.site.published_deploy = deploy;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://x");
    const method = req.method ?? "GET";
    const path = url.pathname.replace(/^\/api\/v1/, "");
    this.requests.push({ at: this.now(), method, path, query: url.search, body });

    const idx = this.faults.findIndex((f) => !f.match || f.match(method, path));
    const planned = this.schedule[this.requests.length - 1];
    const fault = planned ? (typeof planned === "string" ? { kind: planned } : planned) : idx >= 0 ? this.faults.splice(idx, 1)[0] : undefined;
    const resetAt = (s: number) => String(Math.floor(this.now() / 1000) + s);

    if (fault?.kind === "drop") return void req.socket.destroy();
    if (fault?.kind === "429") {
      return this.send(res, 429, { code: 429, message: "API rate limit exceeded" }, {
        "X-RateLimit-Limit": "500",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": resetAt((fault as Fault).resetInSeconds ?? 1),
      });
    }
    if (fault?.kind === "500" || fault?.kind === "502" || fault?.kind === "503") {
      return this.send(res, Number(fault.kind), { code: Number(fault.kind), message: "Internal Server Error" });
    }
    if (req.headers.authorization !== `Bearer ${this.token}`) return this.send(res, 401, { code: 401, message: "Access Denied" });

    let status: number;
    let out: Json;
    const headers: Record<string, string> = {
      "X-RateLimit-Limit": "500",
      "X-RateLimit-Remaining": "499",
      "X-RateLimit-Reset": resetAt(60),
      "X-Request-Id": randomUUID(),
    };
    try {
      const routed = this.route(method, path, url.searchParams, body ? JSON.parse(body) : undefined, headers);
      if (!routed) {
        res.writeHead(404, { "Content-Type": "text/plain" });
        return void res.end("Not Found");
      }
      [status, out] = routed;
    } catch (err) {
      if (err instanceof HttpError) [status, out] = [err.status, err.body];
      else if (err instanceof SyntaxError) [status, out] = [400, { code: 400, message: "invalid JSON body" }];
      else throw err;
    }
    if (status === 429) Object.assign(headers, { "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": resetAt(60) });
    // The change happened; only the answer goes missing.
    if (fault?.kind === "lost") return void req.socket.destroy();
    if (res.destroyed) return;
    this.send(res, status, out, headers);
  }

  private send(res: ServerResponse, status: number, body: Json, headers: Record<string, string> = {}): void {
    const text = body === undefined ? "" : JSON.stringify(body);
    res.writeHead(status, { ...(text ? { "Content-Type": "application/json" } : {}), ...headers });
    res.end(text);
  }

  private page(items: Json[], q: URLSearchParams, headers: Record<string, string>): [number, Json] {
    const per = Math.min(Number(q.get("per_page") ?? 100), 100);
    const page = Math.max(1, Number(q.get("page") ?? 1));
    const last = Math.max(1, Math.ceil(items.length / per));
    if (page < last) headers["Link"] = `<${this.url}?page=${page + 1}&per_page=${per}>; rel="next", <${this.url}?page=${last}&per_page=${per}>; rel="last"`;
    return [200, items.slice((page - 1) * per, page * per)];
  }

  private siteRec(id: string): SiteRecord {
    const r = this.sites.get(id);
    if (!r) throw fail(404, "Not Found");
    return r;
  }

  private route(method: string, path: string, q: URLSearchParams, body: Json, headers: Record<string, string>): [number, Json] | undefined {
    const seg = path.split("/").filter(Boolean).map(decodeURIComponent);
    const teams = this.teams();
    if (seg[0] === "accounts" && seg.length === 1 && method === "GET") {
      return [200, Object.keys(teams).map((slug, i) => ({ id: (i + 1).toString(16).padStart(24, "a"), slug, name: slug, type_name: teams[slug] }))];
    }
    if (seg[0] === "accounts" && seg[2] === "env") return this.routeEnv(method, seg, q, body);
    // POST/GET /{account_slug}/sites
    if (seg.length === 2 && seg[1] === "sites" && seg[0] !== "sites") {
      if (!(seg[0]! in teams)) throw fail(404, "Not Found");
      if (method === "POST") return this.createSite(seg[0]!, body);
      if (method === "GET") return this.page(this.searchSites(q).filter((s) => s.account_slug === seg[0]), q, headers);
      return undefined;
    }
    if (seg[0] !== "sites") return seg[0] === "deploys" ? this.routeDeploy(method, seg) : undefined;
    if (seg.length === 1) {
      if (method === "POST") return this.createSite(Object.keys(teams)[0]!, body);
      if (method === "GET") return this.page(this.searchSites(q), q, headers);
      return undefined;
    }
    const rec = this.siteRec(seg[1]!);
    if (seg.length === 2) {
      if (method === "GET") return [200, rec.site];
      if (method === "DELETE") {
        this.sites.delete(rec.site.id);
        return [204, undefined];
      }
      if (method === "PATCH") return this.patchSite(rec, body);
      return undefined;
    }
    const tail = `${method} ${seg.slice(2).map((s, i) => (i === 1 ? ":x" : s)).join("/")}`;
    switch (tail) {
      case "GET env":
        return [200, [...rec.env.values()].map((e) => this.envOut(e))];
      case "POST ssl": {
        const s = rec.site;
        if (!s.custom_domain) throw fail(422, "No custom domain configured");
        const domains = [s.custom_domain, ...s.domain_aliases];
        if (domains.some((d: string) => this.options.badDns?.includes(d))) throw fail(422, "bad dns for custom domain");
        if (rec.ssl && (q.get("certificate") === null)) throw fail(422, "certificate parameter is required when updating an existing certificate");
        rec.ssl = { state: "issued", domains, expires_at: new Date(this.now() + 90 * 86400_000).toISOString(), created_at: new Date(this.now()).toISOString(), updated_at: new Date(this.now()).toISOString() };
        s.ssl = true;
        return [200, rec.ssl];
      }
      case "POST ssl/:x": {
        if (seg[3] !== "renew" || !rec.ssl) return undefined;
        const domains = [rec.site.custom_domain, ...rec.site.domain_aliases].filter(Boolean);
        if (domains.some((d: string) => this.options.badDns?.includes(d))) throw fail(422, "bad dns for custom domain");
        rec.ssl = { ...rec.ssl, state: "issued", domains, updated_at: new Date(this.now()).toISOString() };
        return [200, rec.ssl];
      }
      case "GET ssl":
        if (!rec.ssl) throw fail(404, "Not Found");
        return [200, rec.ssl];
      case "GET deploys": {
        let list = [...rec.deploys];
        if (q.get("production") === "true") list = list.filter((d) => d.context === "production");
        if (q.get("branch")) list = list.filter((d) => d.branch === q.get("branch"));
        if (this.quirks.deployOrder === "newest") list.reverse();
        return this.page(list, q, headers);
      }
      case "GET deploys/:x":
        return [200, this.deploy(rec, seg[3]!)];
      case "POST deploys/:x/restore": {
        const d = this.deploy(rec, seg[3]!);
        if (d.context !== "production") throw fail(422, "Only production deploys can be restored");
        const wasLocked = rec.site.published_deploy?.locked === true;
        this.publish(rec, d, rec.site.published_deploy?.id ?? "");
        if (wasLocked && !this.quirks.restoreUnlocks) d.locked = true;
        return [201, d];
      }
      case "PUT rollback": {
        const current = rec.site.published_deploy;
        const target = current?.rollback_id && rec.deploys.find((d) => d.id === current.rollback_id);
        if (target) {
          const locked = current.locked;
          this.publish(rec, target, "");
          if (locked && !this.quirks.restoreUnlocks) target.locked = true;
        }
        return [204, undefined];
      }
      case "GET deployed-branches": {
        const latest = new Map<string, Json>();
        for (const d of rec.deploys) if (d.context === "branch-deploy") latest.set(d.branch, d);
        return [
          200,
          [...latest.values()].map((d) => ({ id: d.id, deploy_id: d.id, name: d.branch, slug: d.branch, url: `http://${d.branch}--${rec.site.name}.netlify.app`, ssl_url: `https://${d.branch}--${rec.site.name}.netlify.app` })),
        ];
      }
      default:
        return undefined;
    }
  }

  private deploy(rec: SiteRecord, id: string): Json {
    const d = rec.deploys.find((x) => x.id === id);
    if (!d) throw fail(404, "Not Found");
    return d;
  }

  private routeDeploy(method: string, seg: string[]): [number, Json] | undefined {
    const rec = [...this.sites.values()].find((r) => r.deploys.some((d) => d.id === seg[1]));
    if (!rec) throw fail(404, "Not Found");
    const d = this.deploy(rec, seg[1]!);
    if (seg.length === 2 && method === "GET") return [200, d];
    if (method === "POST" && (seg[2] === "lock" || seg[2] === "unlock")) {
      if (rec.site.published_deploy?.id !== d.id && this.quirks.lockNonPublished === "422") throw fail(422, "Only the published deploy can be locked");
      d.locked = seg[2] === "lock";
      return [200, d];
    }
    return undefined;
  }

  private searchSites(q: URLSearchParams): Json[] {
    const name = q.get("name");
    const visible = this.listSites().filter((s) => !(this.hidden.get(s.id)! > 0));
    for (const [id, n] of this.hidden) this.hidden.set(id, n - 1);
    // `name` is a search, not an exact match (reference §3).
    return visible.filter((s) => !name || s.name.includes(name));
  }

  private nameTaken(name: string, except?: string): boolean {
    return (this.options.foreignSiteNames ?? []).includes(name) || this.listSites().some((s) => s.name === name && s.id !== except);
  }

  private createSite(slug: string, body: Json): [number, Json] {
    if (this.options.siteCreatesPerMinute !== undefined) {
      const now = this.now();
      this.creates = this.creates.filter((t) => now - t < 60_000);
      if (this.creates.length >= this.options.siteCreatesPerMinute) throw fail(429, "Deploys are rate limited to 3 deploys/minute");
      this.creates.push(now);
    }
    const name: string = body?.name ?? `brave-curie-${10000 + this.counter}`;
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) throw new HttpError(422, { errors: { subdomain: ["is invalid"] } });
    if (this.nameTaken(name)) throw new HttpError(422, { errors: { subdomain: ["must be unique"] } });
    const id = this.nextId();
    const repo = body?.repo ?? {};
    const site: Json = {
      id,
      site_id: id,
      name,
      state: "current",
      plan: this.teams()[slug],
      url: `http://${name}.netlify.app`,
      ssl_url: `https://${name}.netlify.app`,
      admin_url: `https://app.netlify.com/sites/${name}`,
      default_domain: `${name}.netlify.app`,
      custom_domain: "",
      domain_aliases: [],
      branch_deploy_custom_domain: "",
      deploy_preview_custom_domain: "",
      force_ssl: false,
      ssl: false,
      managed_dns: false,
      published_deploy: null,
      build_settings: this.buildSettings(repo, {}),
      account_id: "aaaaaaaaaaaaaaaaaaaaaaa1",
      account_slug: slug,
      account_name: slug,
      created_at: new Date(this.now()).toISOString(),
      updated_at: new Date(this.now()).toISOString(),
    };
    this.sites.set(id, { site, env: new Map(), deploys: [] });
    if (this.options.listLag) this.hidden.set(id, this.options.listLag);
    return [201, site];
  }

  /** `repo` on write, `build_settings` on read: the production branch is written as `branch`, read as `repo_branch`. */
  private buildSettings(repo: Json, current: Json): Json {
    return {
      provider: repo.provider ?? current.provider ?? "",
      repo_path: repo.repo_path ?? repo.repo ?? current.repo_path ?? "",
      repo_branch: repo.branch ?? repo.repo_branch ?? current.repo_branch ?? "",
      cmd: repo.cmd ?? current.cmd ?? "",
      dir: repo.dir ?? current.dir ?? "",
      base: repo.base ?? current.base ?? "",
      allowed_branches: repo.allowed_branches ?? current.allowed_branches ?? [],
      skip_prs: repo.skip_prs ?? current.skip_prs ?? false,
      stop_builds: repo.stop_builds ?? current.stop_builds ?? false,
    };
  }

  private patchSite(rec: SiteRecord, body: Json): [number, Json] {
    const s = rec.site;
    const free = ["free", "starter"].includes(s.plan);
    if (body?.name !== undefined && body.name !== s.name) {
      if (this.nameTaken(body.name, s.id)) throw new HttpError(422, { errors: { subdomain: ["must be unique"] } });
      s.name = body.name;
    }
    if (body?.repo) s.build_settings = this.buildSettings(body.repo, s.build_settings);
    const clears = (v: unknown) => v === null || (v === "" && this.quirks.clearDomainWith === "empty");
    const hostnames: string[] = [];
    for (const k of ["custom_domain", "branch_deploy_custom_domain", "deploy_preview_custom_domain"]) {
      if (!(k in (body ?? {}))) continue;
      const v = body[k];
      if (clears(v)) s[k] = "";
      else if (v === "") continue;
      else {
        if (k !== "custom_domain" && free) {
          if (this.quirks.branchDomainOnFree === "forbidden") throw fail(403, "Automatic deploy subdomains require a Pro plan or above");
          continue;
        }
        hostnames.push(v);
      }
    }
    if (Array.isArray(body?.domain_aliases)) hostnames.push(...body.domain_aliases);
    for (const h of hostnames) {
      const elsewhere = this.listSites().some(
        (o) => o.id !== s.id && [o.custom_domain, ...o.domain_aliases, o.branch_deploy_custom_domain].includes(h),
      );
      if (elsewhere || this.options.foreignDomains?.includes(h)) throw new HttpError(422, { errors: { custom_domain: ["must be unique"] } });
    }
    for (const k of ["custom_domain", "branch_deploy_custom_domain", "deploy_preview_custom_domain"]) {
      if (k in (body ?? {}) && typeof body[k] === "string" && body[k] !== "") s[k] = body[k];
    }
    if (Array.isArray(body?.domain_aliases)) s.domain_aliases = [...body.domain_aliases];
    s.updated_at = new Date(this.now()).toISOString();
    return [200, s];
  }

  // --- env (accounts API) ---
  private envOut(e: EnvRecord): Json {
    return {
      key: e.key,
      // The API reads `post_processing` while the spec writes `post-processing`.
      scopes: e.scopes.map((s) => s.replace("-", "_")),
      values: e.values.map((v) => {
        if (!e.is_secret || v.context === "dev") return v;
        const { value: _, ...rest } = v;
        if (this.quirks.secretMask === "omitted") return rest;
        return { ...rest, value: this.quirks.secretMask === "stars" ? "********" : "" };
      }),
      is_secret: e.is_secret,
      updated_at: e.updated_at,
      updated_by: { id: "u1", full_name: "Emulator", email: "ci@example.com", avatar_url: "" },
    };
  }

  private routeEnv(method: string, seg: string[], q: URLSearchParams, body: Json): [number, Json] | undefined {
    const account = seg[1]!;
    const teams = this.teams();
    const slug = account in teams ? account : Object.keys(teams).find((_, i) => (i + 1).toString(16).padStart(24, "a") === account);
    if (!slug) throw fail(401, "Access Denied");
    const siteId = q.get("site_id");
    // Team-level (shared) variables are not emulated: every webstack variable is a site's.
    if (!siteId) throw fail(403, "Shared environment variables are not supported on this plan");
    const rec = this.sites.get(siteId);
    if (!rec || rec.site.account_slug !== slug) throw fail(404, "Site not found");
    const plan = teams[slug]!;
    const key = seg[3];
    if (seg.length === 3) {
      if (method === "GET") return [200, [...rec.env.values()].map((e) => this.envOut(e))];
      if (method === "POST") {
        if (!Array.isArray(body)) throw fail(400, "expected an array of env vars");
        const made: EnvRecord[] = [];
        for (const v of body) if (rec.env.has(v.key)) throw fail(409, `Conflict (key already exists on site): ${v.key}`);
        for (const v of body) made.push(this.envRecord(v, plan));
        for (const e of made) rec.env.set(e.key, e);
        return [201, made.map((e) => this.envOut(e))];
      }
      return undefined;
    }
    const e = rec.env.get(key!);
    if (seg.length === 4) {
      if (method === "GET") {
        if (!e) throw fail(404, "Not Found");
        return [200, this.envOut(e)];
      }
      if (method === "DELETE") {
        if (!e) throw fail(404, "Not Found");
        rec.env.delete(key!);
        return [204, undefined];
      }
      if (method === "PUT") {
        if (!e) throw fail(404, "Not Found");
        if (e.is_secret && body?.is_secret === false) throw fail(422, "The secret flag cannot be removed");
        const next = this.envRecord({ ...body, key: body?.key ?? key }, plan);
        rec.env.delete(key!);
        rec.env.set(next.key, next);
        return [200, this.envOut(next)];
      }
      if (method === "PATCH") {
        if (!e) throw fail(404, "Not Found");
        const v = this.envValue(body, e.is_secret);
        e.values = e.values.filter((x) => !(x.context === v.context && x.context_parameter === v.context_parameter));
        e.values.push(v);
        e.updated_at = new Date(this.now()).toISOString();
        return [201, this.envOut(e)];
      }
      return undefined;
    }
    if (seg.length === 6 && seg[4] === "value" && method === "DELETE") {
      if (!e || !e.values.some((v) => v.id === seg[5])) throw fail(404, "Not Found");
      e.values = e.values.filter((v) => v.id !== seg[5]);
      return [204, undefined];
    }
    return undefined;
  }

  private envValue(v: Json, secret: boolean): EnvValue {
    if (!CONTEXTS.includes(v?.context)) throw fail(422, `Invalid context: ${v?.context}`);
    if (v.context === "branch" && !v.context_parameter) throw fail(422, "context_parameter is required for the branch context");
    if (secret && v.context === "all" && this.quirks.secretAllContext === "rejected") throw fail(422, "Secret values must target specific contexts");
    if (typeof v.value !== "string") throw fail(422, "value must be a string");
    return { id: this.nextId(), value: v.value, context: v.context, ...(v.context === "branch" ? { context_parameter: v.context_parameter } : {}) };
  }

  private envRecord(v: Json, plan: string): EnvRecord {
    const free = plan === "free" || plan === "starter";
    const secret = v?.is_secret === true;
    if (typeof v?.key !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v.key)) throw fail(422, "Invalid key");
    if (secret && free && this.quirks.secretsOnFree === "forbidden") throw fail(403, "Upgrade your Netlify account to use secret environment variables");
    const scopes: string[] | undefined = v.scopes;
    if (scopes !== undefined) {
      const normal = scopes.map((s) => s.replace("_", "-"));
      const secretSet = secret && normal.length === 3 && ["builds", "functions", "runtime"].every((s) => normal.includes(s));
      if (free && !secretSet) throw fail(403, "Upgrade your Netlify account to set specific scopes");
      if (secret && normal.includes("post-processing")) throw fail(422, "Secrets cannot have the post-processing scope");
    } else if (secret && free) {
      throw fail(403, "Upgrade your Netlify account to set specific scopes");
    }
    return {
      key: v.key,
      scopes: (scopes ?? ALL_SCOPES).map((s) => s.replace("_", "-")),
      values: (v.values ?? []).map((x: Json) => this.envValue(x, secret)),
      is_secret: secret,
      updated_at: new Date(this.now()).toISOString(),
    };
  }
}
