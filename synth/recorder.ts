import * as pulumi from "@pulumi/pulumi";
import type { ManifestResource } from "./manifest";
import { redact } from "./redact";

/**
 * Wraps the mock monitor so every registered or read resource is recorded with its parent,
 * options and inputs (secrets redacted), and the stack's outputs are captured.
 */
export function recordMonitor(monitor: any, opts: { revealSecrets?: boolean } = {}) {
  const resources: ManifestResource[] = [];
  let stackOutputs: Record<string, unknown> = {};
  let stackUrn: string | undefined;

  const wrap = (method: "registerResource" | "readResource", getProps: "getObject" | "getProperties") => {
    const original = monitor[method].bind(monitor);
    monitor[method] = (req: any, callback: any) =>
      original(req, (err: any, resp: any) => {
        if (!err) {
          const inputs = pulumi.runtime.deserializeProperties(req[getProps]());
          const registered = method === "registerResource";
          const urn: string = resp.getUrn();
          if (req.getType() === "pulumi:pulumi:Stack") stackUrn = urn;
          resources.push({
            urn,
            type: req.getType(),
            name: req.getName(),
            parent: req.getParent() || null,
            custom: registered ? req.getCustom() : true,
            protect: registered ? Boolean(req.getProtect()) : false,
            retainOnDelete: registered ? Boolean(req.getRetainondelete()) : false,
            dependsOn: registered ? [...new Set<string>(req.getDependenciesList())].sort() : [],
            ...(registered && req.getDeletebeforereplace() ? { deleteBeforeReplace: true as const } : {}),
            inputs: redact(inputs, opts.revealSecrets) as Record<string, unknown>,
          });
        }
        callback(err, resp);
      });
  };
  wrap("registerResource", "getObject");
  wrap("readResource", "getProperties");

  const originalOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req: any, callback: any) => {
    if (req.getUrn() === stackUrn) {
      stackOutputs = redact(pulumi.runtime.deserializeProperties(req.getOutputs()), opts.revealSecrets) as Record<string, unknown>;
    }
    return originalOutputs(req, callback);
  };

  return {
    resources: () => [...resources].sort((a, b) => a.urn.localeCompare(b.urn)),
    outputs: () => stackOutputs,
  };
}
