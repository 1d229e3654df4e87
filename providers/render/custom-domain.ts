/**
 * The dynamic provider for one custom domain of a Render web service. A domain is its own
 * resource, so `pulumi preview` lists each one, its DNS verification status is an output, and a
 * refresh reads it with one GET. Like the other providers it runs from a bundle and needs
 * `@pulumi/pulumi` for types only; the resource class is in `custom-domain-resource.ts`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { compact, configurableClient, namingErrors, deleteOrGone, getOrGone, postOrFind, providerChanged, type RenderClient, type RenderClientOptions, UNKNOWN } from "./client";

export interface CustomDomainInputs {
  /** The web service (`srv-…`) the domain points at. */
  serviceId: string;
  /** Host name, e.g. `api.example.com`. An apex name makes Render add a `www.` redirect, which stays Render's. */
  name: string;
}

export interface CustomDomainOutputs extends CustomDomainInputs {
  domainType: "apex" | "subdomain";
  /** `verified` once Render has seen the DNS record; until then the domain serves nothing. */
  verificationStatus: "verified" | "unverified";
  /**
   * The apex this name redirects to when it is Render's automatic `www.` entry (adopted because
   * adding the apex created it), else "". @example "example.com"
   */
  redirectForName: string;
}

export interface CustomDomainProviderOptions {
  client?: RenderClientOptions;
}

/** A lower-case host name such as `api.example.com`, as Render takes it. */
export const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/;

export function checkCustomDomain(news: Record<string, any>): { property: string; reason: string }[] {
  const f: { property: string; reason: string }[] = [];
  if (news.serviceId !== UNKNOWN && (typeof news.serviceId !== "string" || !/^srv-[a-z0-9]+$/.test(news.serviceId))) {
    f.push({ property: "serviceId", reason: "serviceId must be a Render service id (srv-…)" });
  }
  if (news.name !== UNKNOWN && (typeof news.name !== "string" || !HOST_NAME.test(news.name))) {
    f.push({ property: "name", reason: `'${news.name}' is not a lower-case host name such as api.example.com` });
  }
  return f;
}

/** Either change makes it another domain; the old one goes first, as Render allows a name only once. */
export function diffCustomDomain(olds: Partial<CustomDomainInputs>, news: CustomDomainInputs) {
  const replaces = (["serviceId", "name"] as const).filter((k) => olds[k] !== news[k]);
  return { changes: replaces.length > 0 || providerChanged(olds as any, news as any), replaces, deleteBeforeReplace: replaces.length > 0 };
}

function fromApi(serviceId: string, d: any): CustomDomainOutputs {
  return compact({ serviceId, name: d.name, domainType: d.domainType, verificationStatus: d.verificationStatus, redirectForName: d.redirectForName || "" });
}

const domainPath = (serviceId: string, idOrName: string) => `/services/${serviceId}/custom-domains/${encodeURIComponent(idOrName)}`;
const getDomain = (client: RenderClient, serviceId: string, idOrName: string) => getOrGone(client, domainPath(serviceId, idOrName));

export function createCustomDomainProvider(options: CustomDomainProviderOptions = {}): pulumi.dynamic.ResourceProvider {
  const { client, configure } = configurableClient(options.client);
  return namingErrors({
    configure,

    async check(_olds: any, news: any) {
      return { inputs: news, failures: checkCustomDomain(news) };
    },

    async diff(_id: string, olds: CustomDomainOutputs, news: CustomDomainInputs) {
      return diffCustomDomain(olds, news);
    },

    async create(inputs: CustomDomainInputs) {
      const c = client();
      // A lost answer or a 409 (already there, e.g. the www redirect Render added for an apex) is looked up and kept.
      const domain = await postOrFind<any>(
        c,
        async () => {
          const added = (await c.request<any[]>("POST", `/services/${inputs.serviceId}/custom-domains`, { body: { name: inputs.name }, idempotent: false })).body;
          return (Array.isArray(added) ? added : [added]).find((d) => d?.name === inputs.name) ?? (await getDomain(c, inputs.serviceId, inputs.name));
        },
        () => getDomain(c, inputs.serviceId, inputs.name),
      );
      return { id: domain.id, outs: fromApi(inputs.serviceId, domain) };
    },

    async read(id: string, props: CustomDomainOutputs) {
      const domain = await getDomain(client(), props.serviceId, id);
      // Removed outside Pulumi, or its service is gone: it reads as gone.
      if (!domain) return {};
      return { id, props: fromApi(props.serviceId, domain) };
    },

    // Only the provider's code changed (diff): nothing to do at Render.
    async update(_id: string, olds: CustomDomainOutputs) {
      return { outs: fromApi(olds.serviceId, olds) };
    },

    async delete(id: string, props: CustomDomainOutputs) {
      await deleteOrGone(client(), domainPath(props.serviceId, id));
    },
  }, (p, id) => `Render custom domain '${p.name ?? id}'`);
}
