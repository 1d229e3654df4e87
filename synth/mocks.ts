import type * as pulumi from "@pulumi/pulumi";
import { fakeCalls, fakeOutputs, fakeStackOutputs } from "./fake-outputs";

/** Deterministic mocks: ids from names, inputs echoed as state, plus per-type fake outputs. */
export function createMocks(): pulumi.runtime.Mocks {
  return {
    newResource(args) {
      if (args.type === "pulumi:pulumi:StackReference") {
        const ref = String(args.inputs.name ?? args.name);
        const entry = Object.entries(fakeStackOutputs).find(([pattern]) => new RegExp(pattern).test(ref));
        const state = entry ? entry[1](ref) : { outputs: {}, secretOutputNames: [] };
        return { id: ref, state: { name: ref, ...state } };
      }
      const extra = fakeOutputs[args.type]?.(args.name, args.inputs) ?? {};
      return {
        // The engine sends "" as the id of a resource it has not created yet.
        id: args.custom ? args.id || `${args.name}-id` : undefined,
        state: { ...args.inputs, ...extra },
      };
    },
    call(args) {
      return fakeCalls[args.token]?.(args.inputs) ?? args.inputs;
    },
  };
}
