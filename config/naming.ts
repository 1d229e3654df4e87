import { resourceNamePart } from "../components/env-guard";
import { databaseRoles, nameProblem, NAME_RULES, type NameKind } from "../providers/names";

/**
 * Cloud-side names. Every one starts with `<app>-<stack>` so no two stacks (prod, staging,
 * dev, pr-42) ever collide in a shared Render workspace, Vercel team or Cloudflare account.
 */
export function stackPrefix(app: string, stack: string): string {
  return `${app}-${stack}`.toLowerCase().replace(/[^a-z0-9-]+/g, "-");
}

/** `ott-dev-api`, `ott-dev-cron`, `ott-dev-db`. PostgreSQL identifiers: `pgIdentifier` in providers/names.ts. */
export function cloudName(app: string, stack: string, part: string): string {
  return `${stackPrefix(app, stack)}-${part}`;
}

/** The Vercel project a stack's frontend uses: `frontend.name`, else `<app>-web`. */
export function frontendProjectName(app: string, name: string | undefined): string {
  return name ?? `${app}-web`;
}

/** A branch service's cache key prefix: the stack's (`<stack>:`) and its name, `dev:alice:`. */
export function branchCacheKeyPrefix(stackPrefix: string, branch: string): string {
  return `${stackPrefix}${branch}:`;
}

/** Cache's limit on a key prefix (components/cache.ts). */
export const CACHE_KEY_PREFIX_MAX = 64;

type Issue = { path: (string | number)[]; message: string };

interface NamingSections {
  app?: { name: string };
  backend?: { name: string; branches: { name: string; branch: string }[] };
  frontend?: { name?: string; from?: string; projectId?: string; branch?: string; productionBranch?: string };
  database?: { mode: string; server?: string; consumers?: string[] };
  cron?: unknown;
  cache?: unknown;
  storage?: { mode: string; enabled?: boolean };
  environment?: string;
}

/**
 * Every name the program generates, checked against its provider's rules before anything
 * registers. Each problem names the key that makes it too long: `app.name` with the stack name,
 * or the key that adds the last part (`backend.name`, a branch, `frontend.name`).
 */
export function generatedNameIssues(c: NamingSections, stack: string, storageOn: boolean): Issue[] {
  if (!c.app) return [];
  const app = c.app.name;
  const issues: Issue[] = [];
  // Blame the longer of the two parts every name starts with.
  const shorten = stack.length > app.length ? `shorten the stack name '${stack}' (${stack.length} characters) or app.name` : `shorten app.name (${app.length} characters)`;
  const check = (kind: NameKind, name: string, path: Issue["path"], fix: string) => {
    const problem = nameProblem(kind, name);
    if (problem) issues.push({ path, message: `makes the ${NAME_RULES[kind].what} '${name}', which ${problem} (${NAME_RULES[kind].source}); ${fix}` });
  };
  const own = (part: string, kind: NameKind) => check(kind, cloudName(app, stack, part), ["app", "name"], shorten);

  const b = c.backend;
  if (b) {
    const main = cloudName(app, stack, b.name);
    const problem = nameProblem("render", main);
    if (problem) check("render", main, ["app", "name"], `${shorten}, or backend.name`);
    else {
      b.branches.forEach((br, i) => check("render", `${main}-${br.name}`, ["backend", "branches", i], `shorten the branch service's name '${br.name}', backend.name or app.name`));
    }
  }
  const db = c.database;
  if (db?.mode === "isolated") {
    if ((db.server ?? "render") === "render") own("db", "render");
    const { clash } = databaseRoles(app, stack, db.consumers ?? []);
    if (clash) {
      const i = (db.consumers ?? []).indexOf(clash.consumer);
      issues.push({
        path: ["database", "consumers", i],
        message:
          `'${clash.consumer}' gets the PostgreSQL role '${clash.role}', which another role already has: ` +
          `role names are cut at ${NAME_RULES.pgIdentifier.max} characters (${NAME_RULES.pgIdentifier.source}); shorten app.name or the stack name '${stack}'`,
      });
    }
  }
  if (c.cache && (c.cache as { mode?: string }).mode === "own") own("cache", "render");
  if (c.cache && b) {
    const prefixes = [`${stack}:`, ...b.branches.map((br) => branchCacheKeyPrefix(`${stack}:`, br.name))];
    const long = prefixes.find((p) => p.length > CACHE_KEY_PREFIX_MAX);
    if (long) {
      issues.push({ path: ["cache"], message: `the cache key prefix '${long}' is ${long.length} characters, over ${CACHE_KEY_PREFIX_MAX}; shorten the stack name '${stack}' or the branch service's name` });
    }
  }
  if (storageOn && c.storage?.mode === "own") own("files", "r2Bucket");
  if (c.cron && b) own("cron", "workerScript");
  const f = c.frontend;
  // Each served branch's Vercel variables are resources named after it (components/frontend-site.ts).
  if (f && b) {
    const served = new Map<string, string>(f.branch ? [[resourceNamePart(f.branch), f.branch]] : []);
    const owner = f.from === undefined && f.projectId === undefined;
    b.branches.forEach((br, i) => {
      // FrontendSite refuses preview values for the production branch of a project it creates.
      if (owner && br.branch === (f.productionBranch ?? "main")) {
        issues.push({ path: ["backend", "branches", i, "branch"], message: `'${br.branch}' is the frontend's production branch, which deploys to production, not to a branch preview` });
      }
      const other = served.get(resourceNamePart(br.branch));
      if (other !== undefined && other !== br.branch) {
        issues.push({ path: ["backend", "branches", i, "branch"], message: `'${br.branch}' and '${other}' give the frontend's Vercel variables the same resource names; rename a branch` });
      }
      served.set(resourceNamePart(br.branch), br.branch);
    });
  }
  if (f && f.from === undefined && f.projectId === undefined) {
    check("vercelProject", frontendProjectName(app, f.name), f.name === undefined ? ["app", "name"] : ["frontend", "name"], f.name === undefined ? "shorten app.name, or set frontend.name" : "rename it");
  }
  return issues;
}
