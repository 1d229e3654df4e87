/**
 * The dynamic provider for a site's branch-deploy domain (`branch_deploy_custom_domain`, reference
 * §6): with parent `example.com`, branch `staging` is served
 * on `staging.example.com`. Pro and above, the parent on Netlify DNS. A site has one: a parent
 * another stack set is an error naming it; delete clears it only while it is still this one.
 */
import type * as pulumi from "@pulumi/pulumi";
import { configurableClient, getOrGone, isApiError, namingErrors, providerChanged, type NetlifyClient, type NetlifyClientOptions, UNKNOWN } from "./client";

export interface BranchDomainInputs {
  siteId: string;
  /** `branch_deploy_custom_domain`: branch `b` is served on `<b>.<parent>`. */
  parent: string;
}

export interface BranchDomainProviderOptions {
  client?: NetlifyClientOptions;
}

async function current(c: NetlifyClient, siteId: string): Promise<string | undefined> {
  const site = await getOrGone<any>(c, `/sites/${siteId}`);
  return site ? String(site.branch_deploy_custom_domain ?? "") : undefined;
}

async function claim(c: NetlifyClient, i: BranchDomainInputs, previous?: string): Promise<void> {
  const now = await current(c, i.siteId);
  if (now === undefined) throw new Error(`site ${i.siteId} not found`);
  if (now && now !== i.parent && now !== previous) {
    throw new Error(`the site's branch-deploy domain is already '${now}' (a site has one); use branch domains under '${now}'`);
  }
  if (now !== i.parent) await c.request("PATCH", `/sites/${i.siteId}`, { body: { branch_deploy_custom_domain: i.parent } });
}

export function createBranchDomainProvider(options: BranchDomainProviderOptions = {}): pulumi.dynamic.ResourceProvider {
  const { client, configure } = configurableClient(options.client);
  return namingErrors(
    {
      configure,
      async check(_olds: any, news: any) {
        const failures = news.parent !== UNKNOWN && !/^([a-z0-9-]+\.)+[a-z]{2,}$/.test(String(news.parent)) ? [{ property: "parent", reason: "parent must be a host name" }] : [];
        return { inputs: news, failures };
      },
      async diff(_id: string, olds: BranchDomainInputs, news: BranchDomainInputs) {
        const replaces = olds.siteId !== news.siteId ? ["siteId"] : [];
        return { changes: replaces.length > 0 || olds.parent !== news.parent || providerChanged(olds as any, news as any), replaces, deleteBeforeReplace: true };
      },
      async create(inputs: BranchDomainInputs) {
        await claim(client(), inputs);
        return { id: inputs.siteId, outs: { siteId: inputs.siteId, parent: inputs.parent } };
      },
      async read(id: string, props: BranchDomainInputs) {
        const now = await current(client(), props.siteId);
        if (!now) return {};
        return { id, props: { siteId: props.siteId, parent: now } };
      },
      async update(_id: string, olds: BranchDomainInputs, news: BranchDomainInputs) {
        await claim(client(), news, olds.parent);
        return { outs: { siteId: news.siteId, parent: news.parent } };
      },
      async delete(_id: string, props: BranchDomainInputs) {
        const c = client();
        for (const empty of ["", null]) {
          if ((await current(c, props.siteId)) !== props.parent) return;
          try {
            await c.request("PATCH", `/sites/${props.siteId}`, { body: { branch_deploy_custom_domain: empty } });
          } catch (err) {
            if (isApiError(err, 404)) return;
            throw err;
          }
        }
        if ((await current(c, props.siteId)) === props.parent) throw new Error(`Netlify kept branch-deploy domain '${props.parent}' after clearing it with "" and null`);
      },
    },
    (p, id) => `Netlify branch domain '${p.parent ?? id}'`,
  );
}
