import * as pulumi from "@pulumi/pulumi";
import { HOST_NAME } from "../providers/render/custom-domain";
import { RenderCustomDomain, type RenderCustomDomainArgs } from "../providers/render/custom-domain-resource";
import { RenderService, type RenderServiceArgs } from "../providers/render/service-resource";
import { applyTransform, type ResourceTransform } from "./transform";
import { nameProblem } from "../providers/names";

/** A developer branch service: one more Render service building `branch`, named `<name>-<branch name>`. */
export interface WebServiceBranch {
  /** Short name, part of the Render service name, e.g. `alice`. */
  name: string;
  /** Git branch it builds, e.g. `feature/login`. */
  branch: string;
  /**
   * Variables of this branch service only, over the shared ones: e.g. its own cache key prefix,
   * so branch services sharing a cache never read each other's queues and sessions.
   * @example { CACHE_KEY_PREFIX: "dev:alice:" }
   */
  envVars?: Record<string, pulumi.Input<string>>;
}

/** Autoscaling bounds and targets of the main service. */
export interface WebServiceAutoscaling {
  /** Fewest instances. */
  min: number;
  /** Most instances. */
  max: number;
  /** Target CPU utilisation, 1-90 %. */
  cpuPercent?: number;
  /** Target memory utilisation, 1-90 %. */
  memoryPercent?: number;
}

/** A persistent disk; it pins the service to one instance. */
export interface WebServiceDisk {
  /** Disk name, e.g. `uploads`. */
  name: string;
  /** Where the disk is mounted, e.g. `/var/data`. */
  mountPath: string;
  /** Size in GB. */
  sizeGB: number;
}

export interface WebServiceArgs {
  /** Render workspace id that owns the services. @example "tea-cs1a2b3c4d5e6f7g8h9i" */
  ownerId: pulumi.Input<string>;
  /**
   * Render service name, unique in the workspace (so include the product and stack); branch
   * services are named `<name>-<branch name>`. @example "ott-dev-api"
   */
  name: string;
  /** https Git URL without a branch. @example "https://github.com/acme/ott" */
  repo: pulumi.Input<string>;
  /** Git branch the main service deploys. */
  branch: pulumi.Input<string>;
  /** Monorepo folder to build in. @example "backend" */
  rootDir?: pulumi.Input<string>;
  /**
   * Render runtime: a native one (node, python, go, ruby, rust, elixir), or docker, built from the
   * repo's Dockerfile. @example "node"
   */
  runtime: pulumi.Input<string>;
  /** Command that builds the service; native runtimes only (a Dockerfile builds a docker service). @example "npm ci && npm run build" */
  buildCommand?: pulumi.Input<string>;
  /**
   * Command that starts the server; required by native runtimes. With `runtime: "docker"` it is
   * the docker command, overriding the image's CMD (omit it to run the CMD). @example "npm start"
   */
  startCommand?: pulumi.Input<string>;
  /**
   * Runs before a new version goes live, e.g. migrations; a failure keeps the old version.
   * Branch services skip it, since they share the stack's database. @example "npm run db:migrate"
   */
  preDeployCommand?: pulumi.Input<string>;
  /** Path Render probes before routing traffic. @example "/healthz" */
  healthCheckPath?: pulumi.Input<string>;
  /** Instance plan (default `starter`). */
  plan?: pulumi.Input<string>;
  /** Region (default `oregon`); changing it replaces the service. */
  region?: pulumi.Input<string>;
  /** Fixed instance count (not with `autoscaling`). */
  instances?: pulumi.Input<number>;
  /** Autoscaling bounds and targets. @example { min: 2, max: 6, cpuPercent: 70 } */
  autoscaling?: pulumi.Input<WebServiceAutoscaling>;
  /** Persistent disk of the main service; pins it to one instance. @example { name: "uploads", mountPath: "/var/data", sizeGB: 10 } */
  disk?: pulumi.Input<WebServiceDisk>;
  /**
   * Custom domains of the main service, one `RenderCustomDomain` each (point their DNS at the
   * service; `pendingDomains` lists those Render has not verified yet). An apex name also gets
   * Render's automatic `www.` redirect. @example ["api.example.com"]
   */
  domains?: string[];
  /** Deploy on every push (default true). */
  autoDeploy?: pulumi.Input<boolean>;
  /** Environment variables; values may be secrets and stay secret. */
  envVars?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** One extra service per developer branch, sharing the variables and database. @example [{ name: "alice", branch: "alice" }] */
  branches?: WebServiceBranch[];
  /**
   * Variables that hold the main service's own URL or origin, which branch services must not
   * copy. @example ["PUBLIC_URL", "CORS_ORIGIN"]
   */
  urlEnvVars?: string[];
  /**
   * Variables only the main service gets, never a branch service: credentials a developer's
   * branch deploy must not hold. @example ["S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"]
   */
  mainOnlyEnvVars?: string[];
  /**
   * Make `pulumi up` wait until the main service's new deploy is live, and fail with Render's
   * status (build, pre-deploy or start failure) otherwise. Default false.
   */
  waitForDeploy?: boolean;
  /**
   * Render project environment (`evm-…`) for the main and branch services; a change moves them.
   * @example renderEnvironment.id
   */
  environmentId?: pulumi.Input<string>;
  /** Protect the main service from deletion and keep it if removed from the program (production). */
  protect?: boolean;
}

export interface WebServiceOptions extends pulumi.ComponentResourceOptions {
  transform?: {
    /** The main Render service. */
    service?: ResourceTransform<RenderServiceArgs>;
    /** Each branch service. */
    branchService?: ResourceTransform<RenderServiceArgs>;
    /** Each custom domain of the main service. */
    domain?: ResourceTransform<RenderCustomDomainArgs>;
  };
}

const SLUG = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Whether `host` is the `www.` sibling of another listed name. */
const isWwwOf = (host: string, listed: Set<string>) => host.startsWith("www.") && listed.has(host.slice(4));

function validate(args: WebServiceArgs): void {
  const fail = (key: string, message: string): never => {
    throw new Error(`WebService '${args.name}': ${key} ${message}`);
  };
  if (typeof args.name !== "string" || !SLUG.test(args.name)) fail("name", "must be lower-case letters, digits and '-'");
  if (typeof args.repo === "string" && !/^https:\/\/\S+$/.test(args.repo)) fail("repo", `must be an https Git URL, got '${args.repo}'`);
  if (args.instances !== undefined && args.autoscaling !== undefined) fail("instances", "and autoscaling are exclusive: set one");
  if (args.runtime === "docker" && args.buildCommand !== undefined) fail("buildCommand", "is not used by the docker runtime (the Dockerfile builds the image)");
  if (typeof args.runtime === "string" && args.runtime !== "docker") {
    for (const key of ["buildCommand", "startCommand"] as const) if (args[key] === undefined) fail(key, `is required for the '${args.runtime}' runtime`);
  }
  if (typeof args.instances === "number" && (!Number.isInteger(args.instances) || args.instances < 1 || args.instances > 100)) {
    fail("instances", "must be an integer from 1 to 100");
  }
  const hosts = new Set<string>();
  (args.domains ?? []).forEach((d, i) => {
    if (typeof d !== "string" || !HOST_NAME.test(d)) fail(`domains[${i}]`, `'${d}' is not a lower-case host name such as api.example.com`);
    if (hosts.has(d)) fail(`domains[${i}]`, `'${d}' is listed twice`);
    hosts.add(d);
  });
  const seen = new Set<string>();
  (args.branches ?? []).forEach((b, i) => {
    if (!SLUG.test(b?.name ?? "")) fail(`branches[${i}].name`, `'${b?.name}' must be lower-case letters, digits and '-'`);
    if (typeof b.branch !== "string" || !b.branch) fail(`branches[${i}].branch`, "must be a Git branch name");
    if (seen.has(b.name)) fail(`branches[${i}].name`, `'${b.name}' is listed twice`);
    seen.add(b.name);
    const problem = nameProblem("render", `${args.name}-${b.name}`);
    if (problem) fail(`branches[${i}].name`, `makes the Render service name '${args.name}-${b.name}', which ${problem}`);
  });
}

/** The shared variables with a branch service's own on top. */
function withOwn(
  shared: pulumi.Output<Record<string, pulumi.Input<string>>> | undefined,
  own: Record<string, pulumi.Input<string>>,
): pulumi.Output<Record<string, string>> {
  return pulumi.all([pulumi.output(shared ?? {}), pulumi.output(own)]).apply(([s, o]) => ({ ...s, ...o }) as Record<string, string>);
}

/**
 * A Render web service, plus one service per developer branch. Token `webstack:index:WebService`.
 */
export class WebService extends pulumi.ComponentResource {
  /** Render id of the main service (`srv-…`). */
  public readonly serviceId: pulumi.Output<string>;
  /** Public URL of the main service, e.g. `https://ott-dev-api.onrender.com`. */
  public readonly url: pulumi.Output<string>;
  /** Branch name → URL of its service. */
  public readonly branchUrls: pulumi.Output<Record<string, string>>;
  /** Branch name → Render id of its service (`srv-…`), for day-2 operations on each. */
  public readonly branchServiceIds: pulumi.Output<Record<string, string>>;
  /** Custom domains whose DNS Render has not verified yet: they serve nothing until it has. */
  public readonly pendingDomains: pulumi.Output<string[]>;

  constructor(name: string, args: WebServiceArgs, opts: WebServiceOptions = {}) {
    validate(args);
    const { transform, ...componentOpts } = opts;
    super("webstack:index:WebService", name, {}, componentOpts);

    const common: RenderServiceArgs = {
      ownerId: args.ownerId,
      name: args.name,
      type: "web_service",
      repo: args.repo,
      branch: args.branch,
      rootDir: args.rootDir,
      autoDeploy: args.autoDeploy ?? true,
      runtime: args.runtime,
      // Render takes a docker service's start command as its docker command.
      ...(args.runtime === "docker" ? { dockerCommand: args.startCommand } : { buildCommand: args.buildCommand, startCommand: args.startCommand }),
      healthCheckPath: args.healthCheckPath,
      plan: args.plan,
      region: args.region,
      environmentId: args.environmentId,
    };

    const [mainArgs, mainOpts] = applyTransform<RenderServiceArgs>(
      transform?.service,
      {
        ...common,
        preDeployCommand: args.preDeployCommand,
        numInstances: args.instances,
        autoscaling: args.autoscaling,
        disk: args.disk,
        envVars: args.envVars,
        waitForLive: args.waitForDeploy,
      },
      { parent: this, ...(args.protect ? { protect: true, retainOnDelete: true } : {}) },
    );
    const main = new RenderService(args.name, mainArgs, mainOpts);

    // An apex goes before its www. sibling: adding the apex makes Render add the www redirect, and the
    // two created at once would race for that name.
    const listed = new Set(args.domains ?? []);
    const apexFirst = [...listed].sort((a, b) => Number(isWwwOf(a, listed)) - Number(isWwwOf(b, listed)));
    const byHost = new Map<string, RenderCustomDomain>();
    for (const host of apexFirst) {
      const apex = isWwwOf(host, listed) ? byHost.get(host.slice(4)) : undefined;
      const [dArgs, dOpts] = applyTransform<RenderCustomDomainArgs>(
        transform?.domain,
        { serviceId: main.id, name: host },
        // Production keeps its domains like its service: an accidental destroy must not take the site offline.
        { parent: this, ...(apex ? { dependsOn: [apex] } : {}), ...(args.protect ? { protect: true, retainOnDelete: true } : {}) },
      );
      byHost.set(host, new RenderCustomDomain(`${args.name}-${host}`, dArgs, dOpts));
    }
    const domains = (args.domains ?? []).map((host) => byHost.get(host)!);

    const omit = new Set([...(args.urlEnvVars ?? []), ...(args.mainOnlyEnvVars ?? [])]);
    const branchEnv =
      args.envVars === undefined
        ? undefined
        : pulumi.output(args.envVars).apply((vars) => Object.fromEntries(Object.entries(vars).filter(([k]) => !omit.has(k))));

    const branchUrls: Record<string, pulumi.Output<string>> = {};
    const branchServiceIds: Record<string, pulumi.Output<string>> = {};
    for (const b of args.branches ?? []) {
      const serviceName = `${args.name}-${b.name}`;
      // One instance, no disk, domains or migrations: a branch copy shares the stack's database.
      const [bArgs, bOpts] = applyTransform<RenderServiceArgs>(
        transform?.branchService,
        { ...common, name: serviceName, branch: b.branch, envVars: b.envVars ? withOwn(branchEnv, b.envVars) : branchEnv },
        { parent: this },
      );
      const svc = new RenderService(serviceName, bArgs, bOpts);
      branchUrls[b.name] = svc.url.apply((u) => u ?? "");
      branchServiceIds[b.name] = svc.id;
    }

    this.serviceId = main.id;
    this.url = main.url.apply((u) => u ?? "");
    this.branchUrls = pulumi.output(branchUrls);
    this.branchServiceIds = pulumi.output(branchServiceIds);
    this.pendingDomains = pulumi
      .all(domains.map((d) => pulumi.all([d.name, d.verificationStatus])))
      .apply((all) => all.filter(([, status]) => status !== "verified").map(([host]) => host));
    this.registerOutputs({
      serviceId: this.serviceId,
      url: this.url,
      branchUrls: this.branchUrls,
      branchServiceIds: this.branchServiceIds,
      pendingDomains: this.pendingDomains,
    });
  }
}
