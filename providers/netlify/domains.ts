/**
 * The dynamic provider for a site's production domains and TLS (reference §6): `custom_domain`
 * and `domain_aliases` are site fields (PATCH), and Let's Encrypt is started with `POST /ssl`.
 * An apex brings its `www.` with it (Netlify redirects one to the other). A certificate cannot be
 * issued while DNS does not point at Netlify yet: that is not a failure, `certificateState` says
 * `pending: <Netlify's message>` and the next `pulumi up` tries again.
 *
 * Whether `""` clears a domain field is unconfirmed: delete sends `""`, reads back, then `null`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { compact, configurableClient, createdButFailed, getOrGone, isApiError, namingErrors, providerChanged, type NetlifyClient, type NetlifyClientOptions, UNKNOWN } from "./client";

export interface DomainsInputs {
  siteId: string;
  /** Primary production domain. */
  customDomain: string;
  /** Further production domains (the whole list). */
  aliases: string[];
}

export interface DomainsOutputs extends DomainsInputs {
  /** `issued`, or `pending: <why>` until DNS points at Netlify. */
  certificateState: string;
}

export interface DomainsProviderOptions {
  client?: NetlifyClientOptions;
}

const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/;

export function checkDomains(news: Record<string, any>): { property: string; reason: string }[] {
  const f: { property: string; reason: string }[] = [];
  const all = [news.customDomain, ...(Array.isArray(news.aliases) ? news.aliases : [])];
  all.forEach((d, i) => {
    if (d !== UNKNOWN && (typeof d !== "string" || !HOST.test(d))) f.push({ property: i ? `aliases[${i - 1}]` : "customDomain", reason: `'${d}' is not a lowercase host name` });
  });
  const dup = all.find((d, i) => d !== UNKNOWN && all.indexOf(d) !== i);
  if (dup) f.push({ property: "aliases", reason: `'${dup}' is listed twice` });
  return f;
}

export function diffDomains(olds: Partial<DomainsOutputs>, news: DomainsInputs) {
  const replaces = olds.siteId !== news.siteId ? ["siteId"] : [];
  const changes =
    replaces.length > 0 ||
    olds.customDomain !== news.customDomain ||
    JSON.stringify(olds.aliases) !== JSON.stringify(news.aliases) ||
    !String(olds.certificateState ?? "").startsWith("issued") ||
    providerChanged(olds as any, news as any);
  return { changes, replaces, deleteBeforeReplace: true };
}

/** Starts (or renews for new names) the Let's Encrypt certificate; DNS not ready yet is reported, not thrown. */
async function provisionTls(c: NetlifyClient, i: DomainsInputs): Promise<string> {
  const wanted = [i.customDomain, ...i.aliases];
  const current = await getOrGone<any>(c, `/sites/${i.siteId}/ssl`);
  if (current && wanted.every((d) => (current.domains ?? []).includes(d)) && current.state) return String(current.state);
  try {
    const cert = (await c.request<any>("POST", `/sites/${i.siteId}/ssl${current ? "/renew" : ""}`)).body;
    return String(cert?.state ?? "issued");
  } catch (err) {
    if (isApiError(err, 422)) return `pending: ${err.apiMessage}`;
    throw err;
  }
}

async function setDomains(c: NetlifyClient, i: DomainsInputs): Promise<DomainsOutputs> {
  await c.request("PATCH", `/sites/${i.siteId}`, { body: { custom_domain: i.customDomain, domain_aliases: i.aliases } });
  try {
    return compact({ ...i, certificateState: await provisionTls(c, i) });
  } catch (err) {
    throw createdButFailed(`Netlify domains '${i.customDomain}'`, i.siteId, { ...i, certificateState: "pending" }, err);
  }
}

export function createDomainsProvider(options: DomainsProviderOptions = {}): pulumi.dynamic.ResourceProvider {
  const { client, configure } = configurableClient(options.client);
  return namingErrors(
    {
      configure,
      async check(_olds: any, news: any) {
        return { inputs: news, failures: checkDomains(news) };
      },
      async diff(_id: string, olds: DomainsOutputs, news: DomainsInputs) {
        return diffDomains(olds, news);
      },
      async create(inputs: DomainsInputs) {
        return { id: inputs.siteId, outs: await setDomains(client(), inputs) };
      },
      async read(id: string, props: DomainsOutputs) {
        const c = client();
        const site = await getOrGone<any>(c, `/sites/${props.siteId}`);
        // Unset fields read as "" (not null).
        if (!site || !site.custom_domain) return {};
        const ssl = await getOrGone<any>(c, `/sites/${props.siteId}/ssl`);
        return {
          id,
          props: compact({ siteId: props.siteId, customDomain: site.custom_domain, aliases: site.domain_aliases ?? [], certificateState: ssl?.state ? String(ssl.state) : props.certificateState }),
        };
      },
      async update(_id: string, _olds: DomainsOutputs, news: DomainsInputs) {
        return { outs: await setDomains(client(), news) };
      },
      async delete(_id: string, props: DomainsOutputs) {
        const c = client();
        for (const empty of ["", null]) {
          try {
            await c.request("PATCH", `/sites/${props.siteId}`, { body: { custom_domain: empty, domain_aliases: [] } });
          } catch (err) {
            if (isApiError(err, 404)) return;
            throw err;
          }
          const site = await getOrGone<any>(c, `/sites/${props.siteId}`);
          if (!site || !site.custom_domain) return;
        }
        throw new Error(`Netlify kept custom domain '${props.customDomain}' after clearing it with "" and null; remove it in the dashboard (Domain management)`);
      },
    },
    (p, id) => `Netlify domains '${p.customDomain ?? id}'`,
  );
}
