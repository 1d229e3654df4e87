import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { StackOutputs } from "../components/stack-outputs";
import { getSite, netlifyClient } from "../ops/netlify-api";

/**
 * What CI's `netlify deploy` of a stack's frontend needs (docs/architecture.md, "Netlify: built in
 * CI"), from the stack's outputs: nothing when the frontend is on Vercel (Vercel builds itself);
 * production with `--prod-if-unlocked` for the stack that owns the site; otherwise the stack's
 * branch, built with that branch's values (`--context branch:<branch>`) and deployed under
 * `--alias <branch>`, so it answers on `https://<branch>--<site>.netlify.app`, the URL the
 * backend's FRONTEND_URL and CORS origins were computed from.
 */
export type NetlifyDeployPlan =
  | { deploy: false; reason: string }
  | { deploy: true; site: string; context: string; production: true }
  | { deploy: true; site: string; context: string; production: false; alias: string };

/** The CLI caps an alias at 37 characters; Netlify's URL label is the alias as given. */
const ALIAS = /^[a-z0-9]([a-z0-9-]{0,35}[a-z0-9])?$/;

export function netlifyDeployPlan(o: Partial<StackOutputs>, opts: { pr?: number } = {}): NetlifyDeployPlan {
  if (!o.frontendProjectId) return { deploy: false, reason: "the stack has no frontend" };
  if (o.frontendHost !== "netlify") return { deploy: false, reason: "the frontend is on Vercel, which builds and deploys each push itself" };
  const site = o.frontendProjectId;
  if (o.frontendOwnsProduction) return { deploy: true, site, context: "production", production: true };
  const branch = o.frontendBranch;
  if (!branch) return { deploy: false, reason: "the stack's frontend serves no branch of its own (webstack:frontend.branch)" };
  // The CLI lowercases --context: a branch with capitals would silently build with another context's values.
  if (branch !== branch.toLowerCase()) {
    throw new Error(`frontend branch '${branch}' has capital letters: the Netlify CLI lowercases --context, so the build would not read this branch's values; rename the branch`);
  }
  if (ALIAS.test(branch)) return { deploy: true, site, context: `branch:${branch}`, production: false, alias: branch };
  // Not a DNS label: no branch URL was computed; a PR's deploy preview answers within the preview pattern.
  if (opts.pr !== undefined) return { deploy: true, site, context: `branch:${branch}`, production: false, alias: `deploy-preview-${opts.pr}` };
  throw new Error(`frontend branch '${branch}' cannot be a Netlify deploy alias (lowercase letters, digits and '-', at most 37 characters)`);
}

/** `key=value` lines for `$GITHUB_OUTPUT`. `base` is the site's base directory (its dependencies are installed there, without the token). */
export function planLines(plan: NetlifyDeployPlan, site?: { base: string; locked: boolean }): string[] {
  if (!plan.deploy) return ["deploy=false", `reason=${plan.reason}`];
  return [
    "deploy=true",
    `site=${plan.site}`,
    `context=${plan.context}`,
    `production=${plan.production}`,
    `alias=${plan.production ? "" : plan.alias}`,
    `base=${site?.base || "."}`,
    `locked=${site?.locked ?? false}`,
  ];
}

// `netlify-deploy.ts <outputs.json> [--pr <n>]`: outputs as `pulumi stack output --json` prints
// them. Reads the site (NETLIFY_AUTH_TOKEN) for its base directory and whether a rollback locked it.
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { pr: { type: "string" } } });
  const [file] = positionals;
  if (!file) throw new Error("usage: netlify-deploy.ts <outputs.json> [--pr <n>]");
  const plan = netlifyDeployPlan(JSON.parse(readFileSync(file, "utf8")), values.pr ? { pr: Number(values.pr) } : {});
  let site: { base: string; locked: boolean } | undefined;
  if (plan.deploy) {
    const s = await getSite(netlifyClient(process.env, "deploying the frontend"), plan.site);
    site = { base: s.build_settings?.base ?? "", locked: s.published_deploy?.locked === true };
  }
  process.stdout.write(planLines(plan, site).join("\n") + "\n");
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`netlify-deploy: ${err.message}\n`);
    process.exitCode = 1;
  });
}
