/**
 * The process `pulumi up` runs every dynamic resource in: the SDK's own dynamic-provider host
 * (`@pulumi/pulumi/cmd/dynamic-provider`), started as a child process and driven over gRPC with the
 * SDK's generated stubs, as the engine drives it (real-engine-paths.md §1).
 *
 * `ProviderHost` is the wire: Configure, Check, Diff, Create, Read, Update, Delete.
 * `Engine` (engine.ts) is the part of the engine's step logic the providers depend on.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { resolve } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";

const ROOT = resolve(__dirname, "..", "..");
const SDK = resolve(ROOT, "node_modules", "@pulumi", "pulumi");
// The SDK's generated stubs, as the engine's Go stubs speak the same protocol.
const provproto = require(resolve(SDK, "proto", "provider_pb"));
const provrpc = require(resolve(SDK, "proto", "provider_grpc_pb"));
const statusproto = require(resolve(SDK, "proto", "status_pb"));

// Native UTF-8 string encoding in this process and in the host (see native-strings.cjs).
const NATIVE_STRINGS = resolve(__dirname, "native-strings.cjs");
require(NATIVE_STRINGS);
// The host starts as `pulumi up` starts Node (Pulumi.yaml's nodeargs): the launcher defers the SDK
// modules the host never uses (the TypeScript parser, npm's arborist, OpenTelemetry) and turns on
// V8's compile cache, about 1.2 s of CPU a host.
const LAUNCHER = resolve(ROOT, "launcher.cjs");

export const HOST_ENTRY = resolve(SDK, "cmd", "dynamic-provider", "index.js");
/** Pulumi's marker for a value not known yet (preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SECRET_SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };

type Props = Record<string, any>;

export interface CheckResult {
  inputs: Props;
  failures: { property: string; reason: string }[];
}
export interface DiffResult {
  changes: "unknown" | "none" | "some";
  replaces: string[];
  deleteBeforeReplace: boolean;
}

/** A create or update that Render accepted but that failed afterwards: the engine records `id` and `properties`. */
export class ResourceInitFailed extends Error {
  constructor(
    message: string,
    readonly id: string,
    readonly properties: Props,
    readonly reasons: string[],
  ) {
    super(message);
    this.name = "ResourceInitFailed";
  }
}

/** Any other error the host answered with; `message` is what `pulumi up` prints. */
export class HostError extends Error {
  constructor(
    message: string,
    readonly op: string,
  ) {
    super(message);
    this.name = "HostError";
  }
}

/**
 * What the SDK does to a program's inputs before they reach the engine: `undefined` is dropped at
 * every depth (serializeProperty), so the provider never sees it.
 */
export function wireValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : wireValue(x)));
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, wireValue(x)]));
  }
  return v;
}

/** The paths at which a value holds `undefined`, which the host cannot serialize. */
export function undefinedPaths(v: unknown, at = "$"): string[] {
  if (v === undefined) return [at];
  if (Array.isArray(v)) return v.flatMap((x, i) => undefinedPaths(x, `${at}[${i}]`));
  if (v && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => undefinedPaths(x, `${at}.${k}`));
  return [];
}

const struct = (v: Props) => structproto.Struct.fromJavaScript(wireValue(v) as Record<string, structproto.JavaScriptValue>);
const plain = (s: structproto.Struct | undefined): Props => (s ? (s.toJavaScript() as Props) : {});

export interface ProviderHostOptions {
  /** Environment of the host process (the environment of `pulumi up`). */
  env?: NodeJS.ProcessEnv;
  /** Stack config sent with Configure; keys such as `render:apiKey`. Secret ones are sent wrapped as secrets. */
  config?: Record<string, string>;
  secretKeys?: string[];
}

export class ProviderHost {
  /** Everything the host printed (stdout after the port line, and stderr). */
  output = "";
  /** Calls made, by method, for the bench and for call-count assertions. */
  readonly calls: string[] = [];
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly client: any,
  ) {}

  /** Starts the host as the engine does: `node <sdk>/cmd/dynamic-provider/index.js <engine address>`, port on stdout. */
  static async start(opts: ProviderHostOptions = {}): Promise<ProviderHost> {
    // The host only needs the engine's address to exist as an argument; it never dials it.
    const child = spawn(process.execPath, ["--require", LAUNCHER, "-r", NATIVE_STRINGS, HOST_ENTRY, "127.0.0.1:1"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    const port = await new Promise<number>((ok, fail) => {
      const onData = (d: Buffer) => {
        out += d.toString();
        const line = out.split("\n")[0]!;
        if (out.includes("\n") && /^\d+$/.test(line.trim())) {
          child.stdout.off("data", onData);
          ok(Number(line.trim()));
        }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", (d: Buffer) => (out += d.toString()));
      child.on("exit", (code) => fail(new Error(`provider host exited (${code}) before printing its port:\n${out}`)));
    });
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const host = new ProviderHost(child, client);
    child.stdout.on("data", (d: Buffer) => (host.output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (host.output += d.toString()));
    await host.configure(opts.config ?? {}, opts.secretKeys ?? []);
    return host;
  }

  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null) return;
    await new Promise<void>((r) => {
      this.child.once("exit", () => r());
      this.child.kill();
    });
  }

  private call<T>(method: string, req: unknown): Promise<T> {
    this.calls.push(method);
    return new Promise<T>((ok, fail) => {
      this.client[method](req, (err: grpc.ServiceError | null, resp: T) => (err ? fail(this.translate(method, err)) : ok(resp)));
    });
  }

  private translate(method: string, err: grpc.ServiceError): Error {
    const message = err.details || err.message;
    const bin = err.metadata?.get("grpc-status-details-bin")?.[0];
    if (bin) {
      const status = statusproto.Status.deserializeBinary(new Uint8Array(bin as Buffer));
      for (const any of status.getDetailsList()) {
        if (any.getTypeName() !== "pulumirpc.ErrorResourceInitFailed") continue;
        const d = provproto.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
        return new ResourceInitFailed(message, d.getId(), plain(d.getProperties()), d.getReasonsList());
      }
    }
    if (message.includes("Unexpected struct type")) {
      return new HostError(`${method}: the provider returned a value with undefined in it, which the host cannot serialize (${message})`, method);
    }
    return new HostError(message, method);
  }

  /** Configure, as the engine sends the stack config: secrets wrapped, `acceptSecrets` asked. */
  configure(config: Record<string, string>, secretKeys: string[] = []): Promise<void> {
    const args: Props = {};
    for (const [k, v] of Object.entries(config)) args[k] = secretKeys.includes(k) ? { ...SECRET_SIG, value: v } : v;
    const req = new provproto.ConfigureRequest();
    req.setArgs(struct(args));
    req.setAcceptsecrets(true);
    req.setAcceptresources(true);
    return this.call("configure", req).then(() => undefined);
  }

  async check(urn: string, olds: Props, news: Props): Promise<CheckResult> {
    const req = new provproto.CheckRequest();
    req.setUrn(urn);
    req.setOlds(struct(olds));
    req.setNews(struct(news));
    const resp = await this.call<any>("check", req);
    return {
      inputs: plain(resp.getInputs()),
      failures: resp.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(urn: string, id: string, olds: Props, news: Props): Promise<DiffResult> {
    const req = new provproto.DiffRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setOlds(struct(olds));
    req.setNews(struct(news));
    const resp = await this.call<any>("diff", req);
    const changes = (["unknown", "none", "some"] as const)[resp.getChanges()]!;
    return { changes, replaces: resp.getReplacesList(), deleteBeforeReplace: resp.getDeletebeforereplace() };
  }

  async create(urn: string, properties: Props): Promise<{ id: string; properties: Props }> {
    const req = new provproto.CreateRequest();
    req.setUrn(urn);
    req.setProperties(struct(properties));
    req.setTimeout(0);
    const resp = await this.call<any>("create", req);
    return { id: resp.getId(), properties: plain(resp.getProperties()) };
  }

  async read(urn: string, id: string, properties: Props, inputs: Props): Promise<{ id: string; properties: Props; inputs?: Props }> {
    const req = new provproto.ReadRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setProperties(struct(properties));
    req.setInputs(struct(inputs));
    const resp = await this.call<any>("read", req);
    return { id: resp.getId(), properties: plain(resp.getProperties()), inputs: resp.getInputs() ? plain(resp.getInputs()) : undefined };
  }

  async update(urn: string, id: string, olds: Props, news: Props): Promise<{ properties: Props }> {
    const req = new provproto.UpdateRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setOlds(struct(olds));
    req.setNews(struct(news));
    req.setTimeout(0);
    const resp = await this.call<any>("update", req);
    return { properties: plain(resp.getProperties()) };
  }

  async delete(urn: string, id: string, properties: Props): Promise<void> {
    const req = new provproto.DeleteRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setProperties(struct(properties));
    req.setTimeout(0);
    await this.call("delete", req);
  }
}
