import { z } from "zod";
import { gitBranch, hostname, oneOf, slug, urlPath } from "./common";

export const renderRegions = ["oregon", "frankfurt", "ohio", "singapore", "virginia"] as const;
export const renderServicePlans = [
  "free",
  "starter",
  "starter_plus",
  "standard",
  "standard_plus",
  "pro",
  "pro_plus",
  "pro_max",
  "pro_ultra",
] as const;
export const renderRuntimes = ["node", "python", "go", "ruby", "rust", "elixir", "docker", "image"] as const;

/** A developer branch service: `alice` builds branch `alice`; `{name: bob, branch: feature/login}` builds another. */
const branchEntry = z
  .union([
    slug.transform((name) => ({ name, branch: name })),
    z.object({ name: slug, branch: gitBranch }).strict(),
  ])
  .describe("A developer branch service: a name, or {name, branch}.");

export const backendSchema = z
  .object({
    name: slug.default("api").describe("Service name within the product, e.g. 'api'."),
    branch: gitBranch.default("main").describe("Git branch the stack's main service deploys."),
    rootDir: z.string().optional().describe("Monorepo folder of the backend, e.g. 'backend'."),
    runtime: oneOf(renderRuntimes)
      .default("node")
      .describe("Render runtime: a native one, 'docker' (built from the repo's Dockerfile), or 'image' (a prebuilt image, see backend.image)."),
    image: z
      .object({
        imagePath: z.string().regex(/^\S+$/, "expected an image reference such as ghcr.io/acme/api:1.4.2"),
        registryCredentialId: z.string().regex(/^rgc-[a-z0-9]+$/, "expected a Render registry credential id ('rgc-…')").optional(),
      })
      .strict()
      .optional()
      .describe("With runtime 'image': the image to run, e.g. {imagePath: ghcr.io/acme/api:1.4.2, registryCredentialId: rgc-…} (the credential for a private registry)."),
    buildCommand: z.string().min(1).optional().describe("Build command, e.g. 'npm ci && npm run build'; required by native runtimes, not used by docker."),
    startCommand: z
      .string()
      .min(1)
      .optional()
      .describe("Start command, e.g. 'node dist/server.js'; required by native runtimes. With docker it becomes the docker command (omit it to run the image's CMD)."),
    preDeployCommand: z
      .string()
      .min(1)
      .optional()
      .describe("Runs before a new version goes live, e.g. 'npm run migrate'."),
    healthCheckPath: urlPath.default("/healthz").describe("Path Render probes before routing traffic."),
    plan: oneOf(renderServicePlans).default("starter").describe("Render instance plan."),
    region: oneOf(renderRegions).default("oregon").describe("Render region; changing it replaces the service."),
    instances: z.number().int().min(1).max(100).optional().describe("Fixed instance count (not with autoscaling)."),
    autoscaling: z
      .object({
        min: z.number().int().min(1).max(100),
        max: z.number().int().min(1).max(100),
        cpuPercent: z.number().int().min(1).max(90).optional(),
        memoryPercent: z.number().int().min(1).max(90).optional(),
      })
      .strict()
      .optional()
      .describe("Autoscaling bounds and targets, e.g. {min: 2, max: 6, cpuPercent: 70}."),
    disk: z
      .object({
        name: slug,
        mountPath: z.string().regex(/^\/.+/, "expected an absolute path"),
        sizeGB: z.number().int().min(1),
      })
      .strict()
      .optional()
      .describe("Persistent disk, e.g. {name: uploads, mountPath: /var/data, sizeGB: 10}; pins the service to one instance."),
    domains: z.array(hostname).default([]).describe("Custom domains, e.g. ['api.example.com']."),
    autoDeploy: z.boolean().default(true).describe("Deploy on every push to the branch."),
    branches: z
      .array(branchEntry)
      .default([])
      .describe("Per-developer branch services sharing this stack's database, e.g. ['alice', 'bob']."),
  })
  .strict()
  // Which commands a runtime needs; checked even when other keys are wrong, so every problem shows at once.
  .superRefine(
    (b, ctx) => {
      const runtime = b.runtime ?? "node";
      if (runtime === "image") {
        if (b.image === undefined) ctx.addIssue({ code: "custom", path: ["image"], message: "required for the 'image' runtime: {imagePath, registryCredentialId?}" });
        for (const key of ["buildCommand", "rootDir"] as const) {
          if (b[key] !== undefined) ctx.addIssue({ code: "custom", path: [key], message: "not used by the 'image' runtime (Render pulls the image); remove it" });
        }
        if ((b.branches ?? []).length > 0) ctx.addIssue({ code: "custom", path: ["branches"], message: "need a repo to build: a prebuilt image has no branch services" });
      } else if (b.image !== undefined) {
        ctx.addIssue({ code: "custom", path: ["image"], message: `only used by runtime 'image' (runtime is '${runtime}')` });
      }
      if (runtime === "docker") {
        if (b.buildCommand !== undefined) {
          ctx.addIssue({ code: "custom", path: ["buildCommand"], message: "not used by the docker runtime (the Dockerfile builds the image); remove it" });
        }
      } else if (runtime !== "image") {
        for (const key of ["buildCommand", "startCommand"] as const) {
          if (b[key] === undefined) ctx.addIssue({ code: "invalid_type", expected: "string", input: undefined, path: [key], message: `required for the '${runtime}' runtime` });
        }
      }
    },
    { when: (p) => typeof p.value === "object" && p.value !== null },
  )
  .superRefine((b, ctx) => {
    if (b.instances !== undefined && b.autoscaling) {
      ctx.addIssue({ code: "custom", path: ["instances"], message: "set either 'instances' or 'autoscaling', not both" });
    }
    if (b.autoscaling && b.autoscaling.min > b.autoscaling.max) {
      ctx.addIssue({ code: "custom", path: ["autoscaling", "min"], message: "must be <= autoscaling.max" });
    }
    if (b.autoscaling && !b.autoscaling.cpuPercent && !b.autoscaling.memoryPercent) {
      ctx.addIssue({
        code: "custom",
        path: ["autoscaling"],
        message: "needs cpuPercent or memoryPercent (Render turns autoscaling off without a target)",
      });
    }
    if (b.disk && ((b.instances ?? 1) > 1 || b.autoscaling)) {
      ctx.addIssue({ code: "custom", path: ["disk"], message: "a service with a disk runs exactly one instance" });
    }
    if (b.plan === "free" && (b.disk || b.autoscaling || (b.instances ?? 1) > 1)) {
      ctx.addIssue({ code: "custom", path: ["plan"], message: "the free plan has no disk, autoscaling or extra instances" });
    }
    const seen = new Set<string>();
    b.branches.forEach((br, i) => {
      if (seen.has(br.name)) ctx.addIssue({ code: "custom", path: ["branches", i], message: `duplicate branch service '${br.name}'` });
      seen.add(br.name);
    });
  })
  .describe("The backend web service on Render.");

export type BackendConfig = z.infer<typeof backendSchema>;
