import { wiredVariableIssues } from "./env";
import { frontendCrossIssues } from "./frontend";
import { notifyIssues } from "./notify";
import type { SectionName, StackConfig } from "./schema";

export interface RuleIssue {
  path: (string | number)[];
  message: string;
}

/**
 * Rules that span sections. `known` lists the sections that parsed (present or absent), so a
 * rule is checked only when every section it reads is trustworthy, and one pass reports it
 * next to the per-section errors.
 */
export function crossSectionIssues(c: Partial<StackConfig>, known: ReadonlySet<SectionName>): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const has = (...names: SectionName[]) => names.every((n) => known.has(n));

  if (has("environment", "backend") && c.environment === "production" && (c.backend?.branches.length ?? 0) > 0) {
    issues.push({ path: ["backend", "branches"], message: "branch services are not allowed in production stacks" });
  }
  if (has("environment", "backend") && c.environment === "preview" && (c.backend?.domains.length ?? 0) > 0) {
    issues.push({ path: ["backend", "domains"], message: "preview stacks cannot claim custom domains" });
  }
  if (has("environment", "database") && c.environment === "production" && c.database?.mode === "shared") {
    issues.push({ path: ["database", "mode"], message: "production stacks own their database: use 'isolated'" });
  }
  if (has("database", "backend") && c.database?.mode === "shared" && c.backend?.preDeployCommand) {
    issues.push({
      path: ["backend", "preDeployCommand"],
      message:
        "a shared database's consumer role cannot change the schema; run migrations in the owner stack " +
        `(${c.database.from}) and remove this command`,
    });
  }
  if (has("cron", "backend") && c.cron && !c.backend) {
    issues.push({ path: ["cron"], message: "needs webstack:backend, the service the jobs call" });
  }
  if (has("environment", "frontend", "backend")) issues.push(...frontendCrossIssues(c));
  if (has("env", "backend", "frontend", "database", "cron")) issues.push(...wiredVariableIssues(c));
  if (has("notify", "secrets")) issues.push(...notifyIssues(c));
  return issues;
}
