/**
 * The two gRPC services the Pulumi engine serves a program (`pulumirpc.ResourceMonitor` and
 * `pulumirpc.Engine`), implemented with the SDK's own generated stubs, recording every call.
 * It answers as the engine does (../shared/reference/real-engine-paths.md §2):
 * - preview: a new custom resource gets id "" and its inputs back, no computed outputs (the SDK
 *   then treats them as unknown); a new provider gets the engine's unknown id;
 * - update: deterministic ids and the inputs back, plus the per-type outputs the offline synth
 *   fakes (synth/fake-outputs.ts), so both runs see the same values;
 * - StackReference reads get the owner stack's outputs (the synth's fakes unless a test gives them),
 *   secret ones marked secret;
 * - `additionalSecretOutputs` are marked secret; a second registration of one URN fails.
 */
import * as grpc from "@grpc/grpc-js";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as engrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engproto from "@pulumi/pulumi/proto/engine_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as resrpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import { fakeCalls, fakeOutputs, fakeStackOutputs } from "../../synth/fake-outputs";
import { SECRET_SIG, SECRET_VALUE } from "../../synth/redact";

/** The engine's stand-in for a value not known yet (also a provider's id in a preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const STACK_TYPE = "pulumi:pulumi:Stack";
const STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference";

/** What a current CLI answers to `SupportsFeature`. */
const FEATURES = new Set([
  "secrets",
  "resourceReferences",
  "outputValues",
  "deletedWith",
  "replaceWith",
  "aliasSpecs",
  "transforms",
  "invokeTransforms",
  "parameterization",
  "resourceHooks",
  "errorHooks",
]);

export interface RecordedResource {
  /** `register` for RegisterResource, `read` for ReadResource (StackReferences). */
  op: "register" | "read";
  urn: string;
  type: string;
  name: string;
  /** Parent URN, "" for none. */
  parent: string;
  custom: boolean;
  /** The id the engine answered ("" for a component or a resource not created yet). */
  id: string;
  protect: boolean;
  retainOnDelete: boolean;
  deleteBeforeReplace: boolean;
  dependencies: string[];
  provider: string;
  additionalSecretOutputs: string[];
  /** Inputs as they arrived on the wire: secrets sig-wrapped, unknowns as UNKNOWN. */
  inputs: Record<string, any>;
  /** `file:line` the SDK reported as the resource's source position, if any. */
  sourcePosition?: string;
}

export interface LogEntry {
  severity: "debug" | "info" | "warning" | "error";
  message: string;
  urn: string;
}

export interface RecordingEngine {
  /** `127.0.0.1:<port>`, for both --monitor and --engine. */
  address: string;
  resources: RecordedResource[];
  /** RegisterResourceOutputs by URN (wire form). */
  outputs: Map<string, Record<string, any>>;
  logs: LogEntry[];
  /** Calls that have no place in this program; a test asserts there are none. */
  unexpected: string[];
  invokes: { token: string; args: Record<string, any> }[];
  rootUrn(): string;
  shutdownSignalled(): boolean;
  close(): Promise<void>;
}

/** A stack's outputs as a StackReference read gets them. */
export interface StackOutputs {
  outputs: Record<string, unknown>;
  secretOutputNames: string[];
}

export interface EngineOptions {
  project: string;
  stack: string;
  dryRun: boolean;
  /** Outputs of stacks by full name (`org/project/stack`), before the synth's fakes (synth/fake-outputs.ts). */
  stacks?: Record<string, StackOutputs>;
}

const SEVERITY = ["debug", "info", "warning", "error"] as const;

function secret(value: unknown): Record<string, unknown> {
  return { [SECRET_SIG]: SECRET_VALUE, value };
}

function isSecret(value: unknown): boolean {
  return !!value && typeof value === "object" && (value as Record<string, unknown>)[SECRET_SIG] === SECRET_VALUE;
}

/** Drops `undefined` (Struct.fromJavaScript throws on it, pulumi/pulumi#2205). */
function defined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : defined(v)));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, defined(v)]),
    );
  }
  return value;
}

function struct(value: Record<string, unknown>): structproto.Struct {
  return structproto.Struct.fromJavaScript(defined(value) as Record<string, structproto.JavaScriptValue>);
}

/** `urn:pulumi:<stack>::<project>::<type chain>::<name>`; the engine leaves the root stack out of the chain. */
function newUrn(opts: EngineOptions, parent: string, type: string, name: string): string {
  const parentType = parent ? parent.split("::")[2]! : "";
  const chain = parentType && parentType !== STACK_TYPE ? `${parentType}$${type}` : type;
  return `urn:pulumi:${opts.stack}::${opts.project}::${chain}::${name}`;
}

export async function startRecordingEngine(opts: EngineOptions): Promise<RecordingEngine> {
  const resources: RecordedResource[] = [];
  const byUrn = new Map<string, RecordedResource & { state: Record<string, unknown> }>();
  const outputs = new Map<string, Record<string, any>>();
  const logs: LogEntry[] = [];
  const unexpected: string[] = [];
  const invokes: RecordingEngine["invokes"] = [];
  let rootUrn = "";
  let shutdown = false;

  type Callback<T> = grpc.sendUnaryData<T>;
  type Call<T> = grpc.ServerUnaryCall<T, unknown>;
  const fail = (cb: Callback<any>, code: grpc.status, details: string) => cb({ code, details, name: "Error", message: details }, null);

  const position = (p: { getUri(): string; getLine(): number } | undefined) =>
    p && p.getUri() ? `${p.getUri().replace(/^file:\/\//, "")}:${p.getLine()}` : undefined;

  const monitor: grpc.UntypedServiceImplementation = {
    supportsFeature(call: Call<resproto.SupportsFeatureRequest>, cb: Callback<resproto.SupportsFeatureResponse>) {
      cb(null, new resproto.SupportsFeatureResponse().setHassupport(FEATURES.has(call.request.getId())));
    },

    registerResource(call: Call<resproto.RegisterResourceRequest>, cb: Callback<resproto.RegisterResourceResponse>) {
      const req = call.request;
      const type = req.getType();
      const name = req.getName();
      const urn = newUrn(opts, req.getParent(), type, name);
      if (byUrn.has(urn)) return fail(cb, grpc.status.INVALID_ARGUMENT, `Duplicate resource URN '${urn}'; try giving it a unique name`);
      const inputs = (req.getObject()?.toJavaScript() ?? {}) as Record<string, any>;
      const custom = req.getCustom();
      const isProvider = type.startsWith("pulumi:providers:");
      const id = !custom ? "" : opts.dryRun ? (isProvider ? UNKNOWN : "") : `${name}-id`;

      let state: Record<string, unknown> = {};
      if (custom) {
        // Update: what the cloud computes on create, as the synth fakes it. Preview: nothing computed.
        const computed = opts.dryRun || isProvider ? {} : (fakeOutputs[type]?.(name, inputs) ?? {});
        state = { ...inputs, ...computed };
        for (const key of req.getAdditionalsecretoutputsList()) {
          if (key in state && !isSecret(state[key])) state[key] = secret(state[key]);
        }
      }
      const record = {
        op: "register" as const,
        urn,
        type,
        name,
        parent: req.getParent(),
        custom,
        id,
        protect: Boolean(req.getProtect()),
        retainOnDelete: Boolean(req.getRetainondelete()),
        deleteBeforeReplace: req.getDeletebeforereplace(),
        dependencies: [...new Set(req.getDependenciesList())].sort(),
        provider: req.getProvider(),
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        inputs,
        sourcePosition: position(req.getSourceposition()),
      };
      resources.push(record);
      byUrn.set(urn, { ...record, state });
      const resp = new resproto.RegisterResourceResponse().setUrn(urn).setId(id).setObject(struct(state));
      resp.setResult(resproto.Result.SUCCESS);
      cb(null, resp);
    },

    readResource(call: Call<resproto.ReadResourceRequest>, cb: Callback<resproto.ReadResourceResponse>) {
      const req = call.request;
      const type = req.getType();
      const name = req.getName();
      const urn = newUrn(opts, req.getParent(), type, name);
      const inputs = (req.getProperties()?.toJavaScript() ?? {}) as Record<string, any>;
      let state: Record<string, unknown> = { ...inputs };
      if (type === STACK_REFERENCE_TYPE) {
        const ref = String(inputs.name ?? req.getId());
        const owner = opts.stacks?.[ref] ?? Object.entries(fakeStackOutputs).find(([pattern]) => new RegExp(pattern).test(ref))?.[1](ref);
        // The engine fails a read of a stack that does not exist.
        if (!owner) return fail(cb, grpc.status.NOT_FOUND, `unknown stack "${ref}"`);
        const { outputs: values, secretOutputNames } = owner;
        const marked = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, secretOutputNames.includes(k) ? secret(v) : v]));
        state = { name: ref, outputs: marked, secretOutputNames };
      }
      const record = {
        op: "read" as const,
        urn,
        type,
        name,
        parent: req.getParent(),
        custom: true,
        id: req.getId(),
        protect: false,
        retainOnDelete: false,
        deleteBeforeReplace: false,
        dependencies: [...new Set(req.getDependenciesList())].sort(),
        provider: req.getProvider(),
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        inputs,
        sourcePosition: position(req.getSourceposition()),
      };
      resources.push(record);
      byUrn.set(urn, { ...record, state });
      cb(null, new resproto.ReadResourceResponse().setUrn(urn).setProperties(struct(state)));
    },

    registerResourceOutputs(call: Call<resproto.RegisterResourceOutputsRequest>, cb: Callback<emptyproto.Empty>) {
      const urn = call.request.getUrn();
      if (!byUrn.has(urn)) return fail(cb, grpc.status.NOT_FOUND, `unknown resource ${urn}`);
      outputs.set(urn, (call.request.getOutputs()?.toJavaScript() ?? {}) as Record<string, any>);
      cb(null, new emptyproto.Empty());
    },

    invoke(call: Call<resproto.ResourceInvokeRequest>, cb: Callback<provproto.InvokeResponse>) {
      const token = call.request.getTok();
      const args = (call.request.getArgs()?.toJavaScript() ?? {}) as Record<string, any>;
      invokes.push({ token, args });
      if (token === "pulumi:pulumi:getResource") {
        const r = byUrn.get(String(args.urn));
        if (!r) return fail(cb, grpc.status.NOT_FOUND, `unknown resource ${String(args.urn)}`);
        return cb(null, new provproto.InvokeResponse().setReturn(struct({ urn: r.urn, id: r.id, state: r.state })));
      }
      // Data sources answer what the synth's mocks answer; any other invoke echoes its inputs.
      cb(null, new provproto.InvokeResponse().setReturn(struct(fakeCalls[token]?.(args) ?? args)));
    },

    registerPackage(call: Call<resproto.RegisterPackageRequest>, cb: Callback<resproto.RegisterPackageResponse>) {
      cb(null, new resproto.RegisterPackageResponse().setRef(`package-${call.request.getName()}-${call.request.getVersion()}`));
    },

    // This engine does not call transforms or hooks back: record them so a test sees any use.
    registerStackTransform(_call: Call<unknown>, cb: Callback<emptyproto.Empty>) {
      unexpected.push("RegisterStackTransform");
      cb(null, new emptyproto.Empty());
    },
    registerStackInvokeTransform(_call: Call<unknown>, cb: Callback<emptyproto.Empty>) {
      unexpected.push("RegisterStackInvokeTransform");
      cb(null, new emptyproto.Empty());
    },
    registerResourceHook(_call: Call<unknown>, cb: Callback<emptyproto.Empty>) {
      unexpected.push("RegisterResourceHook");
      cb(null, new emptyproto.Empty());
    },
    registerErrorHook(_call: Call<unknown>, cb: Callback<emptyproto.Empty>) {
      unexpected.push("RegisterErrorHook");
      cb(null, new emptyproto.Empty());
    },

    signalAndWaitForShutdown(_call: Call<emptyproto.Empty>, cb: Callback<emptyproto.Empty>) {
      shutdown = true;
      cb(null, new emptyproto.Empty());
    },
  };

  const engine: grpc.UntypedServiceImplementation = {
    log(call: Call<engproto.LogRequest>, cb: Callback<emptyproto.Empty>) {
      const req = call.request;
      logs.push({ severity: SEVERITY[req.getSeverity()] ?? "error", message: req.getMessage(), urn: req.getUrn() });
      cb(null, new emptyproto.Empty());
    },
    getRootResource(_call: Call<engproto.GetRootResourceRequest>, cb: Callback<engproto.GetRootResourceResponse>) {
      cb(null, new engproto.GetRootResourceResponse().setUrn(rootUrn));
    },
    setRootResource(call: Call<engproto.SetRootResourceRequest>, cb: Callback<engproto.SetRootResourceResponse>) {
      rootUrn = call.request.getUrn();
      cb(null, new engproto.SetRootResourceResponse());
    },
    requirePulumiVersion(_call: Call<engproto.RequirePulumiVersionRequest>, cb: Callback<engproto.RequirePulumiVersionResponse>) {
      cb(null, new engproto.RequirePulumiVersionResponse());
    },
  };

  const server = new grpc.Server();
  server.addService(resrpc.ResourceMonitorService, monitor);
  server.addService(engrpc.EngineService, engine);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );

  return {
    address: `127.0.0.1:${port}`,
    resources,
    outputs,
    logs,
    unexpected,
    invokes,
    rootUrn: () => rootUrn,
    shutdownSignalled: () => shutdown,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
      }),
  };
}
