/** Inputs of the Netlify `Domains` provider. */
export interface DomainsInputs {
  siteId: string;
  /** Primary production domain. */
  customDomain: string;
  /** Further production domains (the whole list). */
  aliases: string[];
}
