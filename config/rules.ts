import { productionReadIssues } from "./boundary";
import { cacheCrossIssues } from "./cache";
import { wiredVariableIssues } from "./env";
import { frontendCrossIssues, vercelTeamIssues } from "./frontend";
import { domainIssues } from "./domains";
import { generatedNameIssues } from "./naming";
import { notifyIssues } from "./notify";
import type { SectionName, StackConfig } from "./schema";
import { storageCrossIssues, storageEnabled } from "./storage";
import { backupCrossIssues } from "./backup";

export interface RuleIssue {
  path: (string | number)[];
  message: string;
}

/** Provider settings from the same stack file that the webstack rules depend on. */
export interface ProviderSettings {
  /** `vercel:team`: the Vercel provider's default team (slug or id). */
  vercelTeam?: string;
}

/** The provider settings out of Pulumi's flat config map (`vercel:team` → value). */
export function providerSettings(all: Record<string, string>): ProviderSettings {
  const vercelTeam = all["vercel:team"]?.trim();
  return vercelTeam ? { vercelTeam } : {};
}

/**
 * Rules that span sections. `known` lists the sections that parsed (present or absent), so a
 * rule is checked only when every section it reads is trustworthy, and one pass reports it
 * next to the per-section errors.
 */
export function crossSectionIssues(c: Partial<StackConfig>, known: ReadonlySet<SectionName>, providers: ProviderSettings = {}, stack?: string): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const has = (...names: SectionName[]) => names.every((n) => known.has(n));

  if (has("environment", "backend") && c.environment === "production" && (c.backend?.branches.length ?? 0) > 0) {
    issues.push({ path: ["backend", "branches"], message: "branch services are not allowed in production stacks" });
  }
  if (has("environment", "backend") && c.environment === "preview" && (c.backend?.domains.length ?? 0) > 0) {
    issues.push({ path: ["backend", "domains"], message: "preview stacks cannot claim custom domains" });
  }
  if (has("environment", "frontend") && c.environment === "preview" && (c.frontend?.domains.length ?? 0) > 0) {
    issues.push({ path: ["frontend", "domains"], message: "preview stacks cannot claim custom domains: every pull-request stack would claim the same names" });
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
  // The shared data sections have their own guard (allowProductionData); this one covers the project references.
  if (has("environment", "app", "frontend")) issues.push(...productionReadIssues({ environment: c.environment, app: c.app, frontend: c.frontend }));
  if (has("frontend")) issues.push(...vercelTeamIssues(c.frontend, providers.vercelTeam));
  if (has("environment", "backend", "cache")) issues.push(...cacheCrossIssues(c));
  if (has("environment", "backend", "storage")) issues.push(...storageCrossIssues(c));
  if (has("env", "backend", "frontend", "database", "cron", "cache", "storage")) issues.push(...wiredVariableIssues(c));
  if (has("backend", "frontend")) issues.push(...domainIssues(c));
  // The names the program will generate, with the stack's name (the program and the synth pass it).
  // A section that did not parse is absent here, so only its own names go unchecked.
  if (stack !== undefined && has("app")) {
    issues.push(...generatedNameIssues(c, stack, storageEnabled(c)));
  }
  if (has("notify", "secrets")) issues.push(...notifyIssues(c));
  if (has("backup", "storage", "database")) issues.push(...backupCrossIssues(c));
  return issues;
}
