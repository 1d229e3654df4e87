import { z } from "zod";
import { envVarName, gitBranch, hostname, slug } from "./common";

/** A domain, optionally bound to the deployments of one git branch (e.g. a staging subdomain). */
const domainEntry = z.union([
  hostname.transform((domain) => ({ domain, gitBranch: undefined as string | undefined })),
  z.object({ domain: hostname, gitBranch: gitBranch.optional() }).strict(),
]);

export const frontendSchema = z
  .object({
    name: slug.optional().describe("Vercel project name; defaults to '<app>-web'."),
    framework: z.string().min(1).default("nextjs").describe("Vercel framework preset, e.g. 'nextjs' or 'vite'."),
    rootDirectory: z.string().optional().describe("Monorepo folder of the frontend, e.g. 'web'."),
    buildCommand: z.string().optional().describe("Overrides the framework's build command."),
    installCommand: z.string().optional().describe("Overrides the install command, e.g. 'npm ci'."),
    productionBranch: gitBranch.default("main").describe("Branch Vercel deploys to production."),
    branch: gitBranch
      .optional()
      .describe("Git branch whose preview deployments belong to this stack (staging/dev), e.g. 'staging'."),
    apiUrlVariable: envVarName
      .default("NEXT_PUBLIC_API_URL")
      .describe("Variable through which the frontend learns the backend URL."),
    domains: z
      .array(domainEntry)
      .default([])
      .describe("Domains, e.g. ['app.example.com', {domain: 'preview.example.com', gitBranch: 'staging'}]."),
    teamId: z.string().optional().describe("Vercel team id, when the provider has no default team."),
  })
  .strict()
  .describe("The frontend project on Vercel.");

export type FrontendConfig = z.infer<typeof frontendSchema>;
