/**
 * The dynamic provider for a Netlify site and its build settings (reference §3). The site is
 * created in a team (`POST /{account_slug}/sites`). Site names are global across Netlify, and
 * Netlify has no idempotency: a create whose answer was lost and that is retried gets 422 "must be
 * unique" for its own site. So a 422 looks the name up in the team (exact match) and adopts the
 * site found; only a name held outside the team is an error. Netlify never builds the site: CI
 * builds and deploys it through the API (`stop_builds`, docs/architecture.md).
 */
import type * as pulumi from "@pulumi/pulumi";
import { compact, configurableClient, createdButFailed, deleteOrGone, getOrGone, isApiError, namingErrors, postOrFind, providerChanged, type NetlifyClient, type NetlifyClientOptions, UNKNOWN } from "./client";

export interface SiteInputs {
  /** Team slug the site is created in, e.g. `acme`. */
  accountSlug: string;
  /** Site name = `<name>.netlify.app`, unique across all of Netlify. */
  name: string;
  /** Production branch. */
  productionBranch: string;
  /** Base directory of the build, e.g. `web` ("" = repository root). */
  base: string;
  /** Build command, e.g. `npm run build`. */
  command: string;
  /** Publish directory relative to base, e.g. `dist`. */
  publishDir: string;
}

export interface SiteOutputs extends SiteInputs {
  /** `https://<name>.netlify.app`. */
  sslUrl: string;
  adminUrl: string;
}

export interface SiteProviderOptions {
  client?: NetlifyClientOptions;
}

type Failure = { property: string; reason: string };
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function checkSite(news: Record<string, any>): Failure[] {
  const f: Failure[] = [];
  const str = (k: string, ok: (v: string) => boolean, reason: string) => {
    if (news[k] !== UNKNOWN && (typeof news[k] !== "string" || !ok(news[k]))) f.push({ property: k, reason });
  };
  str("accountSlug", (v) => /^[a-z0-9][a-z0-9-]*$/.test(v), "accountSlug must be a Netlify team slug");
  str("name", (v) => LABEL.test(v), "name must be a lowercase DNS label of at most 63 characters (it becomes <name>.netlify.app)");
  str("productionBranch", (v) => v.length > 0, "productionBranch must be a branch name");
  for (const k of ["base", "command", "publishDir"]) str(k, () => true, `${k} must be a string`);
  return f;
}

export function diffSite(olds: Partial<SiteOutputs>, news: SiteInputs) {
  const keys = ["accountSlug", "name", "productionBranch", "base", "command", "publishDir"] as const;
  const changed = keys.filter((k) => olds[k] !== news[k]);
  // Another team is another site; a new name is a rename.
  const replaces = changed.filter((k) => k === "accountSlug");
  return { changes: changed.length > 0 || providerChanged(olds as any, news as any), replaces, deleteBeforeReplace: false };
}

/** `repo` on write: the production branch is written as `branch` and read as `repo_branch` (reference §4). */
function repoBody(i: SiteInputs) {
  return { branch: i.productionBranch, cmd: i.command, dir: i.publishDir, base: i.base, stop_builds: true };
}

function fromApi(s: any): SiteOutputs {
  const b = s.build_settings ?? {};
  return compact({
    accountSlug: s.account_slug,
    name: s.name,
    productionBranch: b.repo_branch ?? "",
    base: b.base ?? "",
    command: b.cmd ?? "",
    publishDir: b.dir ?? "",
    sslUrl: s.ssl_url || `https://${s.name}.netlify.app`,
    adminUrl: s.admin_url ?? "",
  });
}

const settingsDiffer = (s: SiteOutputs, i: SiteInputs) =>
  s.productionBranch !== i.productionBranch || s.base !== i.base || s.command !== i.command || s.publishDir !== i.publishDir;

/** The team's site of exactly this name (`?name=` is a search, not a match). */
async function findInTeam(c: NetlifyClient, slug: string, name: string): Promise<any | undefined> {
  return (await c.list<any>(`/${encodeURIComponent(slug)}/sites`, { name, filter: "all" })).find((s) => s.name === name);
}

export function createSiteProvider(options: SiteProviderOptions = {}): pulumi.dynamic.ResourceProvider {
  const { client, configure } = configurableClient(options.client);
  return namingErrors(
    {
      configure,
      async check(_olds: any, news: any) {
        return { inputs: news, failures: checkSite(news) };
      },
      async diff(_id: string, olds: SiteOutputs, news: SiteInputs) {
        return diffSite(olds, news);
      },

      async create(inputs: SiteInputs) {
        const c = client();
        const find = () => findInTeam(c, inputs.accountSlug, inputs.name);
        const site = await postOrFind<any>(
          c,
          async () => {
            try {
              return (await c.request<any>("POST", `/${encodeURIComponent(inputs.accountSlug)}/sites`, { body: { name: inputs.name, repo: repoBody(inputs) }, idempotent: false })).body;
            } catch (err) {
              if (!isApiError(err, 422) || !/unique/i.test(err.apiMessage)) throw err;
              // Ours after a lost answer (or made by hand in the team): adopt it. Elsewhere: a clear error.
              const found = await find();
              if (found) return found;
              throw new Error(
                `the name '${inputs.name}' is taken by a site outside team '${inputs.accountSlug}' (site names are unique across all of Netlify; Netlify: ${err.apiMessage}); choose another webstack:frontend.name`,
              );
            }
          },
          find,
        );
        let outs = fromApi(site);
        if (settingsDiffer(outs, inputs)) {
          try {
            outs = fromApi((await c.request<any>("PATCH", `/sites/${site.id}`, { body: { repo: repoBody(inputs) } })).body);
          } catch (err) {
            throw createdButFailed(`Netlify site '${inputs.name}'`, site.id, outs, err);
          }
        }
        return { id: site.id as string, outs };
      },

      async read(id: string) {
        const site = await getOrGone<any>(client(), `/sites/${id}`);
        if (!site) return {};
        return { id, props: fromApi(site) };
      },

      async update(id: string, olds: SiteOutputs, news: SiteInputs) {
        if (diffSite(olds, news).changes && (olds.name !== news.name || settingsDiffer(olds, news))) {
          const body = { ...(olds.name !== news.name ? { name: news.name } : {}), repo: repoBody(news) };
          return { outs: fromApi((await client().request<any>("PATCH", `/sites/${id}`, { body })).body) };
        }
        return { outs: { ...olds, ...news } };
      },

      async delete(id: string) {
        await deleteOrGone(client(), `/sites/${id}`);
      },
    },
    (p, id) => `Netlify site '${p.name ?? id}'`,
  );
}
