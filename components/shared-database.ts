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

function refuse(from: string, why: string): Error {
  return new Error(
    `Refusing to share the database of ${from}: ${why}. Developers' stacks would read and write production data. ` +
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
    // Refused before anything registers, so a preview shows nothing half-made.
    if (isProductionStackName(from) && !allow) throw refuse(from, "its stack name says production");
    const consumer = args.consumer ?? pulumi.getStack();

    const { transform, ...componentOpts } = opts;
    super("webstack:index:SharedDatabase", name, {}, componentOpts);

    const [refArgs, refOpts] = applyTransform(transform?.reference, { name: from } as pulumi.StackReferenceArgs, { parent: this });
    const ref = new pulumi.StackReference(`${name}-owner`, refArgs, refOpts);
    // The owner declares what it is; a missing declaration counts as production.
    const checked = ref.getOutput(DATABASE_STACK_OUTPUTS.environment).apply((env) => {
      if (allow) return true;
      if (env === "production") throw refuse(from, "its environment is production");
      if (env === undefined || env === null) {
        throw refuse(from, `it exports no '${DATABASE_STACK_OUTPUTS.environment}' output, so it may hold production data`);
      }
      return true;
    });
    const missing = (offered: string[]) =>
      new Error(
        `${from} does not share its database with consumer '${consumer}': add it to webstack:database.consumers there ` +
          `(it lists: ${offered.length ? offered.join(", ") : "none"}).`,
      );
    const endpoint = pulumi
      .all([checked, ref.getOutput(DATABASE_STACK_OUTPUTS.consumers)])
      .apply(([, all]: [boolean, Record<string, ConsumerEndpoint> | undefined]) => {
        const e = all?.[consumer];
        if (!e) throw missing(Object.keys(all ?? {}));
        return e;
      });

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
}
