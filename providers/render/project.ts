/**
 * The dynamic providers for a Render project and for one environment in it (render-api.md §6).
 * A protected environment lets only workspace admins take destructive actions in the dashboard,
 * which is where production belongs. Neither provider deletes an environment or a project that
 * still holds services or databases: whether Render cascades is unconfirmed, and data must not
 * go with it. Resource classes are in `project-resource.ts`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { compact, configurableClient, namingErrors, createdButFailed, deleteOrGone, getOrGone, isApiError, postOrFind, providerChanged, type RenderClient, type RenderClientOptions, UNKNOWN } from "./client";
import { NAME_RULES } from "../names";

export interface EnvironmentSpec {
  name: string;
  /** Only workspace admins may take destructive actions in a protected environment. */
  protected?: boolean;
}

export interface ProjectInputs {
  ownerId: string;
  name: string;
  /** The environments this resource manages (Render needs at least one at create). Others in the project are left alone. */
  environments: EnvironmentSpec[];
}

export interface ProjectOutputs extends ProjectInputs {
  /** Environment name → id (`evm-…`), for the environments above. */
  environmentIds: Record<string, string>;
}

export interface EnvironmentInputs extends EnvironmentSpec {
  /** The project (`prj-…`) the environment belongs to. */
  projectId: string;
}

export interface ProjectProviderOptions {
  client?: RenderClientOptions;
}

type Failure = { property: string; reason: string };

const protectedStatus = (e: EnvironmentSpec) => (e.protected ? "protected" : "unprotected");
const holds = (env: any): number => (env.serviceIds?.length ?? 0) + (env.databasesIds?.length ?? 0) + (env.redisIds?.length ?? 0);

function checkName(v: unknown, property: string, f: Failure[]): void {
  if (v !== UNKNOWN && (typeof v !== "string" || !v.trim() || v.length > NAME_RULES.render.max)) {
    f.push({ property, reason: `${property} must be a non-empty name of at most ${NAME_RULES.render.max} characters` });
  }
}

export function checkProject(news: Record<string, any>): Failure[] {
  const f: Failure[] = [];
  if (news.ownerId !== UNKNOWN && !/^(tea|usr)-[a-z0-9]+$/.test(String(news.ownerId))) f.push({ property: "ownerId", reason: "ownerId must be a Render workspace id (tea-… or usr-…)" });
  checkName(news.name, "name", f);
  if (!Array.isArray(news.environments) || news.environments.length === 0) {
    f.push({ property: "environments", reason: "environments must list at least one environment (Render creates a project with them)" });
  } else {
    const names = news.environments.map((e: any) => e?.name);
    news.environments.forEach((e: any, i: number) => checkName(e?.name, `environments[${i}].name`, f));
    const dup = names.find((n: unknown, i: number) => n !== UNKNOWN && names.indexOf(n) !== i);
    if (dup !== undefined) f.push({ property: "environments", reason: `environment '${dup}' is listed twice` });
  }
  return f;
}

export function checkEnvironment(news: Record<string, any>): Failure[] {
  const f: Failure[] = [];
  if (news.projectId !== UNKNOWN && !/^prj-[a-z0-9]+$/.test(String(news.projectId))) f.push({ property: "projectId", reason: "projectId must be a Render project id (prj-…)" });
  checkName(news.name, "name", f);
  return f;
}

const canon = (e: EnvironmentSpec[] | undefined) => JSON.stringify((e ?? []).map((x) => [x.name, !!x.protected]).sort());

export function diffProject(olds: Partial<ProjectInputs>, news: ProjectInputs) {
  const replaces = olds.ownerId !== news.ownerId ? ["ownerId"] : [];
  const changes = replaces.length > 0 || olds.name !== news.name || canon(olds.environments) !== canon(news.environments) || providerChanged(olds as any, news as any);
  return { changes, replaces, deleteBeforeReplace: false };
}

export function diffEnvironment(olds: Partial<EnvironmentInputs>, news: EnvironmentInputs) {
  const replaces = olds.projectId !== news.projectId ? ["projectId"] : [];
  const changes = replaces.length > 0 || olds.name !== news.name || !!olds.protected !== !!news.protected || providerChanged(olds as any, news as any);
  return { changes, replaces, deleteBeforeReplace: false };
}

async function environmentsOf(client: RenderClient, projectId: string): Promise<any[]> {
  return client.list<any>("/environments", "environment", { projectId });
}

const findEnvironment = async (client: RenderClient, projectId: string, name: string) => (await environmentsOf(client, projectId)).find((e) => e.name === name);

/** One new environment; a lost answer is found by name instead of making a second one. */
async function createEnvironment(client: RenderClient, projectId: string, spec: EnvironmentSpec): Promise<any> {
  return postOrFind<any>(
    client,
    async () => (await client.request<any>("POST", "/environments", { body: { name: spec.name, projectId, protectedStatus: protectedStatus(spec) }, idempotent: false })).body,
    () => findEnvironment(client, projectId, spec.name),
  );
}

function refuseNonEmpty(env: any, what: string): void {
  if (holds(env) > 0) {
    throw new Error(
      `Render environment '${env.name}' (${env.id}) still holds ${holds(env)} service(s) or database(s); ` +
        `refusing to delete ${what} with them. Move or delete them first (they may belong to another stack).`,
    );
  }
}

/** Creates, updates or removes the managed environments so they match `want`; returns name → id. */
async function convergeEnvironments(client: RenderClient, projectId: string, had: EnvironmentSpec[], want: EnvironmentSpec[]): Promise<Record<string, string>> {
  const existing = await environmentsOf(client, projectId);
  const byName = new Map(existing.map((e) => [e.name, e]));
  const ids: Record<string, string> = {};
  for (const spec of want) {
    const env = byName.get(spec.name);
    if (!env) {
      ids[spec.name] = (await createEnvironment(client, projectId, spec)).id;
    } else {
      if (env.protectedStatus !== protectedStatus(spec)) {
        await client.request("PATCH", `/environments/${env.id}`, { body: { protectedStatus: protectedStatus(spec) } });
      }
      ids[spec.name] = env.id;
    }
  }
  const wanted = new Set(want.map((e) => e.name));
  for (const old of had.filter((e) => !wanted.has(e.name))) {
    const env = byName.get(old.name);
    if (!env) continue;
    refuseNonEmpty(env, `environment '${old.name}'`);
    await deleteOrGone(client, `/environments/${env.id}`);
  }
  return ids;
}

export function createProjectProvider(options: ProjectProviderOptions = {}): pulumi.dynamic.ResourceProvider {
  const { client, configure } = configurableClient(options.client);
  return namingErrors({
    configure,

    async check(_olds: any, news: any) {
      return { inputs: news, failures: checkProject(news) };
    },

    async diff(_id: string, olds: ProjectOutputs, news: ProjectInputs) {
      return diffProject(olds, news);
    },

    async create(inputs: ProjectInputs) {
      const c = client();
      const find = async () => {
        const same = (await c.list<any>("/projects", "project", { name: inputs.name, ownerId: inputs.ownerId })).filter(
          (p) => p.name === inputs.name && (p.owner?.id ?? p.ownerId) === inputs.ownerId,
        );
        if (same.length > 1) throw new Error(`Render has ${same.length} projects named '${inputs.name}' in ${inputs.ownerId}; remove the extras`);
        return same[0];
      };
      // Find first, and again after a lost answer: project names are not documented as unique, so a second POST would make a twin.
      const project =
        (await find()) ??
        (await postOrFind<any>(
          c,
          async () =>
          (
            await c.request<any>("POST", "/projects", {
              body: { name: inputs.name, ownerId: inputs.ownerId, environments: inputs.environments.map((e) => ({ name: e.name, protectedStatus: protectedStatus(e) })) },
              idempotent: false,
            })
          ).body,
          find,
        ));
      try {
        const environmentIds = await convergeEnvironments(c, project.id, [], inputs.environments);
        return { id: project.id, outs: { ...inputs, environmentIds } };
      } catch (err) {
        // Recorded with no environment ids: the next update converges them.
        throw createdButFailed(`Render project '${inputs.name}'`, project.id, { ...inputs, environments: [], environmentIds: {} }, err);
      }
    },

    async read(id: string, props: ProjectOutputs) {
      const c = client();
      const project = await getOrGone(c, `/projects/${id}`);
      if (!project) return {};
      const managed = new Set((props.environments ?? []).map((e) => e.name));
      const envs = (await environmentsOf(c, id)).filter((e) => managed.has(e.name));
      return {
        id,
        props: compact({
          ownerId: project.owner?.id ?? project.ownerId ?? props.ownerId,
          name: project.name,
          environments: envs.map((e) => ({ name: e.name, protected: e.protectedStatus === "protected" })),
          environmentIds: Object.fromEntries(envs.map((e) => [e.name, e.id])),
        }),
      };
    },

    async update(id: string, olds: ProjectOutputs, news: ProjectInputs) {
      // Only the provider's code changed: nothing to do at Render.
      if (olds.name === news.name && canon(olds.environments) === canon(news.environments)) return { outs: { ...news, environmentIds: olds.environmentIds } };
      const c = client();
      if (olds.name !== news.name) await c.request("PATCH", `/projects/${id}`, { body: { name: news.name } });
      const environmentIds = await convergeEnvironments(c, id, olds.environments ?? [], news.environments);
      return { outs: { ...news, environmentIds } };
    },

    async delete(id: string) {
      const c = client();
      let envs: any[];
      try {
        envs = await environmentsOf(c, id);
      } catch (err) {
        if (isApiError(err, 404)) return;
        throw err;
      }
      for (const env of envs) refuseNonEmpty(env, "the project");
      await deleteOrGone(c, `/projects/${id}`);
    },
  }, (p, id) => `Render project '${p.name ?? id}'`);
}

export function createEnvironmentProvider(options: ProjectProviderOptions = {}): pulumi.dynamic.ResourceProvider {
  const { client, configure } = configurableClient(options.client);
  return namingErrors({
    configure,

    async check(_olds: any, news: any) {
      return { inputs: news, failures: checkEnvironment(news) };
    },

    async diff(_id: string, olds: EnvironmentInputs, news: EnvironmentInputs) {
      return diffEnvironment(olds, news);
    },

    async create(inputs: EnvironmentInputs) {
      const c = client();
      // Find first: an earlier run may have made it before failing.
      const env = (await findEnvironment(c, inputs.projectId, inputs.name)) ?? (await createEnvironment(c, inputs.projectId, inputs));
      const outs = { projectId: inputs.projectId, name: inputs.name, protected: !!inputs.protected };
      // An adopted one may differ.
      if (env.protectedStatus !== protectedStatus(inputs)) {
        try {
          await c.request("PATCH", `/environments/${env.id}`, { body: { protectedStatus: protectedStatus(inputs) } });
        } catch (err) {
          throw createdButFailed(`Render environment '${inputs.name}'`, env.id, { ...outs, protected: env.protectedStatus === "protected" }, err);
        }
      }
      return { id: env.id, outs };
    },

    async read(id: string) {
      const env = await getOrGone(client(), `/environments/${id}`);
      if (!env) return {};
      return { id, props: { projectId: env.projectId, name: env.name, protected: env.protectedStatus === "protected" } };
    },

    async update(id: string, olds: EnvironmentInputs, news: EnvironmentInputs) {
      const body: Record<string, string> = {};
      if (olds.name !== news.name) body.name = news.name;
      if (!!olds.protected !== !!news.protected) body.protectedStatus = protectedStatus(news);
      if (Object.keys(body).length) await client().request("PATCH", `/environments/${id}`, { body });
      return { outs: { projectId: news.projectId, name: news.name, protected: !!news.protected } };
    },

    async delete(id: string) {
      const c = client();
      const env = await getOrGone(c, `/environments/${id}`);
      if (!env) return;
      refuseNonEmpty(env, "it");
      await deleteOrGone(c, `/environments/${id}`);
    },
  }, (p, id) => `Render environment '${p.name ?? id}'`);
}
