/**
 * A local emulator of the Vercel REST API calls `webstack rollback` makes
 * (vercel-cloudflare-day2.md §1): `GET /v6/deployments` (filters, `until` paging), instant
 * rollback (`POST /v9/…/rollback/{id}`, the CLI's path, and `/v1/…`, the docs'), promote
 * (`POST /v10/…/promote/{id}`), and `GET /v9/projects/{id}?rollbackInfo=true` with
 * `lastAliasRequest`, `PATCH /v9/projects/{id}` (auto-assignment). Team scoping by `teamId`; the
 * Hobby rule (only the previous production deployment); a rollback turns off auto-assignment of
 * production domains, so later production builds stay STAGED, and a promote turns it on. An alias
 * request may show late (`aliasLag`), and an old one stays in `lastAliasRequest` after later
 * builds went live. Deployment Protection: `/_site/<projectId>/…` serves the project's deployment
 * behind Vercel Authentication (a 401 page, or a redirect to the SSO login), passed with the
 * project's automation bypass secret in `x-vercel-protection-bypass`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

type Json = any;

export interface VercelEmulatorOptions {
  token?: string;
  plan?: "hobby" | "pro";
  /** Also answer the docs' `/v1/projects/{id}/rollback/{dep}` (default true) and the CLI's `/v9/…` (default true). */
  v1Rollback?: boolean;
  v9Rollback?: boolean;
  /** Include `targets.production` in the project (not in the reference; default false). */
  projectTargets?: boolean;
  /** Status for a rollback past the previous deployment on Hobby (unconfirmed; 402 by default). */
  hobbyRefusal?: number;
  /** Reads of the project after a rollback or promote that still show the previous alias request. Default 0. */
  aliasLag?: number;
  /** How Vercel Authentication turns a visitor away: a 401 page (default) or a redirect to the SSO login. */
  protectionAnswer?: "401" | "redirect";
}

export interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
  body?: Json;
}

export interface SeedDeployment {
  state?: string;
  target?: "production" | null;
  sha?: string;
  minutesAgo?: number;
}

class Fail extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class VercelEmulator {
  readonly requests: Recorded[] = [];
  readonly projects = new Map<string, Json>();
  deployments: Json[] = [];
  options: VercelEmulatorOptions;
  url = "";
  readonly token: string;
  private server?: Server;
  private counter = 0;

  constructor(options: VercelEmulatorOptions = {}) {
    this.options = options;
    this.token = options.token ?? "vercel_emulator_token";
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  reset(options: VercelEmulatorOptions = this.options): void {
    this.options = options;
    this.projects.clear();
    this.deployments = [];
    this.requests.length = 0;
  }

  /** A project in a team (`team_…`) or a personal account, with deployments newest first; the newest READY production one is live. */
  seed(project: { id: string; name: string; teamId?: string; protection?: string; bypass?: string }, deployments: SeedDeployment[], now = Date.now()): string[] {
    this.projects.set(project.id, {
      id: project.id,
      name: project.name,
      accountId: project.teamId ?? "user_emulator",
      autoAssignCustomDomains: true,
      protection: project.protection ?? "standardProtectionNew",
      bypass: project.bypass ? [project.bypass] : [],
    });
    const made = deployments.map((d, i) => {
      const created = now - (d.minutesAgo ?? (i + 1) * 10) * 60_000;
      const uid = `dpl_${(++this.counter).toString(36).padStart(6, "0")}emul8`;
      return {
        uid,
        name: project.name,
        url: `${project.name}-${uid.slice(4, 10)}.vercel.app`,
        created,
        createdAt: created,
        state: d.state ?? "READY",
        readyState: d.state ?? "READY",
        target: d.target === undefined ? "production" : d.target,
        projectId: project.id,
        meta: d.sha ? { githubCommitSha: d.sha } : {},
        isRollbackCandidate: (d.target === undefined || d.target === "production") && (d.state ?? "READY") === "READY",
      };
    });
    this.deployments.push(...made);
    const live = made.find((d) => d.target === "production" && d.state === "READY");
    if (live) this.projects.get(project.id).productionId = live.uid;
    return made.map((d) => d.uid);
  }

  productionOf(projectId: string): string | undefined {
    return this.projects.get(projectId)?.productionId;
  }

  /** A new READY production build, as a push to the production branch makes; it goes live only while auto-assignment is on. */
  build(projectId: string, sha: string, created = Date.now()): string {
    const p = this.projects.get(projectId);
    const uid = `dpl_${(++this.counter).toString(36).padStart(6, "0")}emul8`;
    const live = p.autoAssignCustomDomains !== false;
    this.deployments.push({
      uid,
      name: p.name,
      url: `${p.name}-${uid.slice(4, 10)}.vercel.app`,
      created,
      createdAt: created,
      state: "READY",
      readyState: "READY",
      readySubstate: live ? "PROMOTED" : "STAGED",
      target: "production",
      projectId,
      meta: { githubCommitSha: sha },
      isRollbackCandidate: live,
    });
    if (live) p.productionId = uid;
    return uid;
  }

  /** The URL of a project's deployment (its branch or production domain) behind its Deployment Protection. */
  siteUrl(projectId: string): string {
    return `${this.url}/_site/${projectId}`;
  }

  private lastBody: Json;

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    try {
      this.lastBody = raw ? JSON.parse(raw) : undefined;
    } catch {
      this.lastBody = undefined;
    }
    const url = new URL(req.url ?? "/", "http://x");
    const query = Object.fromEntries(url.searchParams);
    if (url.pathname.startsWith("/_site/") || url.pathname.startsWith("/sso-api")) return this.site(req, res, url);
    this.requests.push({ method: req.method ?? "GET", path: url.pathname, query, authorization: req.headers.authorization, ...(this.lastBody === undefined ? {} : { body: this.lastBody }) });
    let status = 200;
    let out: Json;
    try {
      if (req.headers.authorization !== `Bearer ${this.token}`) throw new Fail(403, "forbidden", "Not authorized");
      [status, out] = this.route(req.method ?? "GET", url.pathname, url.searchParams);
    } catch (err) {
      if (!(err instanceof Fail)) throw err;
      [status, out] = [err.status, { error: { code: err.code, message: err.message } }];
    }
    const text = out === undefined ? "" : JSON.stringify(out);
    res.writeHead(status, text ? { "content-type": "application/json" } : {}).end(text);
  }

  /** A deployment's domain: Vercel Authentication first (unless `none`), then the site's own answer. */
  private site(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (url.pathname.startsWith("/sso-api")) {
      res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>Login – Vercel</title>");
      return;
    }
    const p = this.projects.get(url.pathname.split("/")[2] ?? "");
    if (!p) {
      res.writeHead(404, { "x-vercel-error": "DEPLOYMENT_NOT_FOUND" }).end("The deployment could not be found on Vercel.");
      return;
    }
    const sent = req.headers["x-vercel-protection-bypass"];
    if (p.protection !== "none" && !(typeof sent === "string" && p.bypass.includes(sent))) {
      if (this.options.protectionAnswer === "redirect" && !sent) {
        res.writeHead(302, { location: `${this.url}/sso-api?url=${encodeURIComponent(url.href)}` }).end();
      } else {
        res
          .writeHead(401, { "content-type": "text/html; charset=utf-8", "set-cookie": "_vercel_sso_nonce=n0nce; Path=/; HttpOnly", server: "Vercel" })
          .end("<!doctype html><title>Authentication Required</title><p>Authentication Required</p>");
      }
      return;
    }
    const health = p.siteStatus ?? 200;
    res.writeHead(health, { "content-type": "text/plain" }).end(health === 200 ? "ok" : "site error");
  }

  /** The project, if the request's scope (teamId) is the project's. */
  private project(idOrName: string, q: URLSearchParams): Json {
    const p = this.projects.get(idOrName) ?? [...this.projects.values()].find((x) => x.name === idOrName);
    const scope = q.get("teamId") ?? "user_emulator";
    if (!p || p.accountId !== scope) throw new Fail(404, "not_found", "Project not found");
    return p;
  }

  private productionList(projectId: string): Json[] {
    return this.deployments
      .filter((d) => d.projectId === projectId && d.target === "production" && d.state === "READY")
      .sort((a, b) => b.created - a.created);
  }

  private route(method: string, path: string, q: URLSearchParams): [number, Json] {
    const seg = path.split("/").filter(Boolean);
    if (method === "GET" && path === "/v6/deployments") {
      const projectId = q.get("projectId");
      const p = projectId ? this.project(projectId, q) : undefined;
      const states = q.get("state")?.split(",");
      const until = q.has("until") ? Number(q.get("until")) : Infinity;
      const limit = Math.min(Number(q.get("limit") ?? 20), 100);
      const all = this.deployments
        .filter((d) => (!p || d.projectId === p.id) && (!q.get("target") || d.target === q.get("target")) && (!states || states.includes(d.state)))
        .filter((d) => q.get("rollbackCandidate") !== "true" || d.isRollbackCandidate)
        .filter((d) => d.created < until)
        .sort((a, b) => b.created - a.created);
      const page = all.slice(0, limit);
      const more = all.length > limit;
      return [200, { pagination: { count: page.length, next: more ? page.at(-1)!.created : null, prev: null }, deployments: page }];
    }
    if (seg[1] === "projects" && method === "GET" && seg.length === 3 && seg[0] === "v9") {
      const p = this.project(decodeURIComponent(seg[2]!), q);
      const body: Json = { id: p.id, name: p.name, accountId: p.accountId, autoAssignCustomDomains: p.autoAssignCustomDomains };
      if (this.options.projectTargets && p.productionId) body.targets = { production: { id: p.productionId } };
      if (q.get("rollbackInfo") === "true" && p.lagging > 0 && p.previousAlias) {
        p.lagging--;
        body.lastAliasRequest = { ...p.previousAlias };
      } else if (q.get("rollbackInfo") === "true" && p.lastAliasRequest) {
        body.lastAliasRequest = { ...p.lastAliasRequest };
        // The alias job finishes after it has been seen once in progress.
        if (p.lastAliasRequest.jobStatus === "in-progress") p.lastAliasRequest.jobStatus = "succeeded";
      }
      return [200, body];
    }
    if (seg[1] === "projects" && method === "PATCH" && seg.length === 3 && seg[0] === "v9") {
      const p = this.project(decodeURIComponent(seg[2]!), q);
      if (typeof this.lastBody?.autoAssignCustomDomains === "boolean") p.autoAssignCustomDomains = this.lastBody.autoAssignCustomDomains;
      return [200, { id: p.id, name: p.name, autoAssignCustomDomains: p.autoAssignCustomDomains }];
    }
    if (seg[1] === "projects" && method === "POST" && seg.length === 5 && (seg[3] === "rollback" || seg[3] === "promote")) {
      const version = seg[0];
      const allowed =
        seg[3] === "promote" ? version === "v10" : (version === "v9" && this.options.v9Rollback !== false) || (version === "v1" && this.options.v1Rollback !== false);
      if (!allowed) throw new Fail(404, "not_found", "The requested path was not found");
      const p = this.project(decodeURIComponent(seg[2]!), q);
      const target = this.deployments.find((d) => d.uid === seg[4] && d.projectId === p.id);
      if (!target) throw new Fail(404, "not_found", "Deployment not found");
      if (seg[3] === "rollback") {
        if (!target.isRollbackCandidate) throw new Fail(400, "invalid_rollback", "This deployment was never aliased to production");
        if (target.uid === p.productionId) throw new Fail(409, "already_production", "This deployment is already the production deployment");
        const list = this.productionList(p.id);
        const current = list.findIndex((d) => d.uid === p.productionId);
        const previous = current >= 0 ? list[current + 1] : undefined;
        if (this.options.plan !== "pro" && target !== previous) {
          throw new Fail(this.options.hobbyRefusal ?? 402, "plan_limit", "To roll back further than the previous production deployment, upgrade to pro");
        }
        p.autoAssignCustomDomains = false;
      } else {
        if (target.uid === p.productionId) throw new Fail(400, "already_promoted", "This deployment is already promoted; roll back to it instead");
        p.autoAssignCustomDomains = true;
      }
      p.previousAlias = p.lastAliasRequest;
      p.lagging = p.previousAlias ? (this.options.aliasLag ?? 0) : 0;
      p.lastAliasRequest = { fromDeploymentId: p.productionId, toDeploymentId: target.uid, jobStatus: "in-progress", requestedAt: Date.now(), type: seg[3] };
      if (seg[3] === "promote") target.readySubstate = "PROMOTED";
      p.productionId = target.uid;
      return [201, undefined];
    }
    throw new Fail(404, "not_found", `no route for ${method} ${path}`);
  }
}

export async function startVercelEmulator(options?: VercelEmulatorOptions): Promise<VercelEmulator> {
  return new VercelEmulator(options).start();
}
