import * as pulumi from "@pulumi/pulumi";
import { DATABASE_STACK_OUTPUTS, isProductionStackName, type ConsumerEndpoint } from "./database-outputs";

import { applyTransform, type ResourceTransform } from "./transform";

export { isProductionStackName } from "./database-outputs";

const ALLOW_KEY = "webstack:database.allowProductionData";


/**
 * The name a stack is listed under in its owner's `consumers`: pull-request stacks share one
 * "preview" role whatever their stack name; other stacks use their stack name.
 */
export function defaultConsumerName(environment: string, stack: string): string {
  return environment === "preview" ? "preview" : stack;
}

export interface SharedDatabaseArgs {
  /** Owner stack, fully qualified. @example "acme/webstack/staging" */
  from: string;
  /**
   * The name the owner lists this stack under in its `consumers`. Defaults to the current
   * stack's name. @example "preview"
   */
  consumer?: string;
  /** Share from a production owner stack: a conscious opt-in to production data. */
  allowProductionData?: boolean;
}

export interface SharedDatabaseOptions extends pulumi.ComponentResourceOptions {
  transform?: {
    /** The StackReference to the owner stack. */
    reference?: ResourceTransform<pulumi.StackReferenceArgs>;
  };
}

/**
 * A refusal to share, reported as one line. Pulumi prefixes `error serializing property "…": `
 * to an error's message each time a resource input carrying it is serialized (once per service
 * that receives DATABASE_URL), and only then reports the error, once; this message ignores those
 * writes. A RunError prints without a stack trace.
 */
export class SharingError extends pulumi.RunError {
  constructor(message: string) {
    super(message);
    Object.defineProperty(this, "message", { get: () => message, set: () => undefined, enumerable: false, configurable: true });
  }
}

/** `org/project/stack` of the running stack, as the owner stack's name is written. */
function thisStack(): string {
  try {
    return `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
  } catch {
    return pulumi.getStack(); // no organization known (mocks without one)
  }
}

/**
 * Each SharedDatabase's check, kept off the instance: the multi-language schema maps every
 * instance property to an output, and a Promise is not one.
 */
const readiness = new WeakMap<SharedDatabase, Promise<void>>();

function refuse(self: string, from: string, why: string): SharingError {
  return new SharingError(
    `${self} refuses to share the database of ${from}: ${why}. Developers' stacks would read and write production data. ` +
      `If that is intended, set ${ALLOW_KEY}: true (SharedDatabase arg allowProductionData).`,
  );
}

/**
 * Another stack's database, read through a StackReference: this stack's own least-privilege
 * role (the owner lists it in `consumers`), never the owner's. Same outputs as `Database`.
 */
export class SharedDatabase extends pulumi.ComponentResource {
  /** Server hostname. */
  public readonly host: pulumi.Output<string>;
  /** Server port. */
  public readonly port: pulumi.Output<number>;
  /** Database name. */
  public readonly database: pulumi.Output<string>;
  /** Login role the connection string uses. */
  public readonly user: pulumi.Output<string>;
  /** This consumer's connection string (secret). */
  public readonly connectionString: pulumi.Output<string>;

  constructor(name: string, args: SharedDatabaseArgs, opts: SharedDatabaseOptions = {}) {
    const { from } = args;
    if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(from)) {
      throw new Error(`SharedDatabase '${name}': from must be '<org>/<project>/<stack>', got '${from}'`);
    }
    const allow = args.allowProductionData === true;
    const self = thisStack();
    // Refused before anything registers, so a preview shows nothing half-made.
    if (isProductionStackName(from) && !allow) throw refuse(self, from, "its stack name says production");
    const consumer = args.consumer ?? pulumi.getStack();

    const { transform, ...componentOpts } = opts;
    super("webstack:index:SharedDatabase", name, {}, componentOpts);

    const [refArgs, refOpts] = applyTransform(transform?.reference, { name: from } as pulumi.StackReferenceArgs, { parent: this });
    const ref = new pulumi.StackReference(`${name}-owner`, refArgs, refOpts);
    const missing = (offered: string[]) =>
      new SharingError(
        `${self} cannot use the database of ${from}: consumer '${consumer}' is not in webstack:database.consumers of ${from} ` +
          `(it lists: ${offered.length ? offered.join(", ") : "none"}). Add '${consumer}' there and run 'pulumi up' on ${from}, ` +
          "or set webstack:database.consumer here to a name it lists (SharedDatabase arg consumer).",
      );
    // Read as plain promises, so the refusal can stop the program (ready()) before anything uses it.
    const checked: Promise<ConsumerEndpoint> = Promise.all([
      ref.getOutputDetails(DATABASE_STACK_OUTPUTS.environment),
      ref.getOutputDetails(DATABASE_STACK_OUTPUTS.consumers),
    ]).then(([env, offered]) => {
      // The owner declares what it is; a missing declaration counts as production.
      const environment = env.value ?? env.secretValue;
      if (!allow && environment === "production") throw refuse(self, from, "its environment is production");
      if (!allow && (environment === undefined || environment === null)) {
        throw refuse(self, from, `it exports no '${DATABASE_STACK_OUTPUTS.environment}' output, so it may hold production data`);
      }
      const all = (offered.value ?? offered.secretValue) as Record<string, ConsumerEndpoint> | undefined;
      const e = all?.[consumer];
      if (!e) throw missing(Object.keys(all ?? {}));
      return e;
    });
    const ready = checked.then(() => undefined);
    // Whoever awaits ready() gets the refusal; the outputs below carry it too, so it is never lost.
    ready.catch(() => undefined);
    readiness.set(this, ready);
    const endpoint = pulumi.output(checked);

    this.host = endpoint.host;
    this.port = endpoint.port;
    this.database = endpoint.database;
    this.user = endpoint.user;
    // The StackReference keeps the owner's secret secret; pulumi.secret makes sure even if the
    // owner exported it in plaintext by mistake.
    this.connectionString = pulumi.secret(
      pulumi
        .all([endpoint, ref.getOutput(DATABASE_STACK_OUTPUTS.consumerConnectionStrings)])
        .apply(([, urls]: [ConsumerEndpoint, Record<string, string> | undefined]) => {
          const url = urls?.[consumer];
          if (!url) throw missing(Object.keys(urls ?? {}));
          return url;
        }),
    );

    this.registerOutputs({
      host: this.host,
      port: this.port,
      database: this.database,
      user: this.user,
      connectionString: this.connectionString,
    });
  }

  /**
   * Settles once the owner stack's outputs are read: rejects with one SharingError when the owner
   * is production (without allowProductionData) or does not list this consumer. Await it before
   * creating what uses the database, so a refusal stops the program before those register.
   */
  ready(): Promise<void> {
    return readiness.get(this)!;
  }
}
