/** Inputs of the Netlify `Site` provider (the provider itself follows). */
export interface SiteInputs {
  /** Team slug the site is created in (`POST /{account_slug}/sites`), e.g. `acme`. */
  accountSlug: string;
  /** Site name = `<name>.netlify.app`, unique across all of Netlify. */
  name: string;
  /** GitHub repository `owner/name` the CI builds from (recorded on the site; Netlify itself does not build). */
  repo: string;
  /** Production branch. */
  productionBranch: string;
  /** Base directory of the build, e.g. `web` ("" = repository root). */
  base: string;
  /** Build command, e.g. `npm run build`. */
  command: string;
  /** Publish directory relative to base, e.g. `dist`. */
  publishDir: string;
}
