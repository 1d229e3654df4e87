/**
 * Cloud-side names. Every one starts with `<app>-<stack>` so no two stacks (prod, staging,
 * dev, pr-42) ever collide in a shared Render workspace, Vercel team or Cloudflare account.
 */
export function stackPrefix(app: string, stack: string): string {
  return `${app}-${stack}`.toLowerCase().replace(/[^a-z0-9-]+/g, "-");
}

/** `ott-dev-api`, `ott-dev-cron`, `ott-dev-db`. PostgreSQL identifiers: `pgIdentifier` in components/database.ts. */
export function cloudName(app: string, stack: string, part: string): string {
  return `${stackPrefix(app, stack)}-${part}`;
}

