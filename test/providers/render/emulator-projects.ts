/**
 * Render's projects and environments for the emulator (render-api.md §6): a project's answer
 * holds environment ids only, `GET /environments` needs `projectId`, an environment lists the
 * services (`serviceIds`), databases (`databasesIds`, sic) and Key Value instances (`redisIds`) in it,
 * and resources move with
 * `POST`/`DELETE /environments/{id}/resources`.
 */
type Json = any;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Page = (items: Json[], key: string, q: URLSearchParams) => [number, Json];

export class ProjectStore {
  readonly projects = new Map<string, Json>();
  readonly environments = new Map<string, Json>();

  constructor(
    private readonly newId: (prefix: string) => string,
    /** The service or Postgres object with this id, to keep its `environmentId` in step. */
    private readonly resource: (id: string) => Json | undefined,
    private readonly page: Page,
  ) {}

  clear(): void {
    this.projects.clear();
    this.environments.clear();
  }

  /** Puts a resource into an environment (at create, or when moved), out of any other. */
  attach(environmentId: string, resourceId: string): void {
    const env = this.environments.get(environmentId);
    if (!env) throw new HttpError(400, `environment '${environmentId}' not found`);
    const obj = this.resource(resourceId);
    if (!obj) throw new HttpError(400, `resource '${resourceId}' not found`);
    if (obj.environmentId) this.detach(obj.environmentId, resourceId);
    const list = resourceId.startsWith("dpg-") ? env.databasesIds : resourceId.startsWith("red-") ? env.redisIds : env.serviceIds;
    if (!list.includes(resourceId)) list.push(resourceId);
    obj.environmentId = environmentId;
  }

  detach(environmentId: string, resourceId: string): void {
    const env = this.environments.get(environmentId);
    if (env) {
      env.serviceIds = env.serviceIds.filter((x: string) => x !== resourceId);
      env.databasesIds = env.databasesIds.filter((x: string) => x !== resourceId);
      env.redisIds = env.redisIds.filter((x: string) => x !== resourceId);
    }
    const obj = this.resource(resourceId);
    if (obj?.environmentId === environmentId) delete obj.environmentId;
  }

  /** A resource deleted through its own endpoint leaves its environment. */
  forget(resourceId: string): void {
    for (const env of this.environments.values()) this.detach(env.id, resourceId);
  }

  private newEnvironment(projectId: string, e: Json): Json {
    if (!e?.name || typeof e.name !== "string") throw new HttpError(400, "environment name is required");
    if (e.protectedStatus !== undefined && !["protected", "unprotected"].includes(e.protectedStatus)) {
      throw new HttpError(400, "protectedStatus must be 'protected' or 'unprotected'");
    }
    const env = {
      id: this.newId("evm"),
      name: e.name,
      projectId,
      serviceIds: [],
      databasesIds: [],
      redisIds: [],
      envGroupIds: [],
      protectedStatus: e.protectedStatus ?? "unprotected",
      networkIsolationEnabled: !!e.networkIsolationEnabled,
    };
    this.environments.set(env.id, env);
    this.projects.get(projectId)?.environmentIds.push(env.id);
    return env;
  }

  route(method: string, seg: string[], q: URLSearchParams, b: Json): [number, Json] {
    const filter = (name: string) => q.get(name)?.split(",").filter(Boolean);
    if (seg[0] === "projects") {
      if (seg.length === 1 && method === "GET") {
        const [names, owners] = [filter("name"), filter("ownerId")];
        return this.page([...this.projects.values()].filter((p) => (!names || names.includes(p.name)) && (!owners || owners.includes(p.owner.id))), "project", q);
      }
      if (seg.length === 1 && method === "POST") {
        for (const k of ["name", "ownerId"]) if (!b?.[k]) throw new HttpError(400, `${k} is required`);
        if (!Array.isArray(b.environments) || b.environments.length === 0) throw new HttpError(400, "environments is required");
        const now = new Date().toISOString();
        const project = { id: this.newId("prj"), name: b.name, owner: { id: b.ownerId }, environmentIds: [] as string[], createdAt: now, updatedAt: now };
        this.projects.set(project.id, project);
        for (const e of b.environments) this.newEnvironment(project.id, e);
        return [201, project];
      }
      const project = this.projects.get(seg[1] ?? "");
      if (!project) throw new HttpError(404, "project not found");
      if (method === "GET") return [200, project];
      if (method === "PATCH") {
        const bad = Object.keys(b ?? {}).filter((k) => k !== "name");
        if (bad.length || !b?.name) throw new HttpError(400, "only name can be changed");
        project.name = b.name;
        return [200, project];
      }
      if (method === "DELETE") {
        for (const id of project.environmentIds) this.environments.delete(id);
        this.projects.delete(project.id);
        return [204, undefined];
      }
    }
    if (seg[0] === "environments") {
      if (seg.length === 1 && method === "GET") {
        const projectId = q.get("projectId");
        if (!projectId) throw new HttpError(400, "projectId is required");
        const names = filter("name");
        return this.page([...this.environments.values()].filter((e) => e.projectId === projectId && (!names || names.includes(e.name))), "environment", q);
      }
      if (seg.length === 1 && method === "POST") {
        if (!this.projects.has(b?.projectId)) throw new HttpError(400, "projectId must name an existing project");
        return [201, this.newEnvironment(b.projectId, b)];
      }
      const env = this.environments.get(seg[1] ?? "");
      if (!env) throw new HttpError(404, "environment not found");
      if (seg.length === 2 && method === "GET") return [200, env];
      if (seg.length === 2 && method === "PATCH") {
        const bad = Object.keys(b ?? {}).filter((k) => !["name", "protectedStatus", "networkIsolationEnabled", "ipAllowList"].includes(k));
        if (bad.length) throw new HttpError(400, `cannot change ${bad.join(", ")}`);
        if (b.protectedStatus !== undefined && !["protected", "unprotected"].includes(b.protectedStatus)) {
          throw new HttpError(400, "protectedStatus must be 'protected' or 'unprotected'");
        }
        Object.assign(env, b);
        return [200, env];
      }
      if (seg.length === 2 && method === "DELETE") {
        for (const id of [...env.serviceIds, ...env.databasesIds, ...env.redisIds]) this.detach(env.id, id);
        this.environments.delete(env.id);
        const project = this.projects.get(env.projectId);
        if (project) project.environmentIds = project.environmentIds.filter((x: string) => x !== env.id);
        return [204, undefined];
      }
      if (seg[2] === "resources" && method === "POST") {
        if (!Array.isArray(b?.resourceIds) || b.resourceIds.length === 0) throw new HttpError(400, "resourceIds is required");
        for (const id of b.resourceIds) this.attach(env.id, id);
        return [200, env];
      }
      if (seg[2] === "resources" && method === "DELETE") {
        const ids = filter("resourceIds");
        if (!ids?.length) throw new HttpError(400, "resourceIds is required");
        for (const id of ids) this.detach(env.id, id);
        return [204, undefined];
      }
    }
    throw new HttpError(404, "no such route");
  }
}
