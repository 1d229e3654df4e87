// Runs the compiled example (bin/index.js) under Pulumi mocks, offline, and prints what it
// registered and exported as JSON: test/examples/consumer.test.ts in webstack reads it.
// Secret values are printed only as "[secret]"; the test looks for leaks of the fake secrets below.
"use strict";
const pulumi = require("@pulumi/pulumi");

const SIG = "4dabf18193072939515e22adb298388d";
const FAKE_ADMIN_PASSWORD = "fake-admin-password";
const FAKE_RANDOM = (name) => `fake-random-${name}`;

async function main() {
  const mocks = {
    newResource({ type, name, inputs, custom, id }) {
      if (type === "pulumi:pulumi:StackReference") {
        return {
          id: inputs.name,
          state: { name: inputs.name, outputs: { environment: "production", backendUrl: "https://api.example.com" }, secretOutputNames: [] },
        };
      }
      const state = { ...inputs };
      // The engine keeps RandomPassword.result secret (additionalSecretOutputs); mocks do not.
      if (type === "random:index/randomPassword:RandomPassword") state.result = pulumi.secret(FAKE_RANDOM(name));
      // What Render computes for a new service.
      if (type === "pulumi-nodejs:dynamic/render:Service") state.url = `https://${inputs.name}.onrender.com`;
      return { id: custom ? id || `${name}-id` : undefined, state };
    },
    call: ({ inputs }) => inputs,
  };
  await pulumi.runtime.setMocks(mocks, "reports", "dev", false, "acme");
  pulumi.runtime.setAllConfig(
    {
      "reports:webstackStack": "acme/webstack/prod",
      "reports:cloudflareAccountId": "acct-123",
      "reports:renderOwnerId": "tea-reports0001",
      "reports:dbHost": "pg.internal.example.com",
      "reports:dbAdmin": "admin",
      "reports:dbAdminPassword": FAKE_ADMIN_PASSWORD,
    },
    ["reports:dbAdminPassword"],
  );

  // Record every registration with its parent and which inputs arrived secret.
  const resources = [];
  const monitor = pulumi.runtime.getMonitor();
  for (const [method, getObject] of [
    ["registerResource", "getObject"],
    ["readResource", "getProperties"],
  ]) {
    const original = monitor[method].bind(monitor);
    monitor[method] = (req, cb) =>
      original(req, (err, resp) => {
        if (!err) {
          const raw = pulumi.runtime.deserializeProperties(req[getObject]());
          const inputs = {};
          const secretInputs = [];
          for (const [k, v] of Object.entries(raw)) {
            if (v && typeof v === "object" && v[SIG]) secretInputs.push(k);
            inputs[k] = v && typeof v === "object" && v[SIG] ? "[secret]" : v;
          }
          resources.push({ urn: resp.getUrn(), type: req.getType(), name: req.getName(), parent: req.getParent(), inputs, secretInputs });
        }
        cb(err, resp);
      });
  }

  const program = require("./bin/index.js");
  await pulumi.runtime.waitForRPCs();

  const outputs = {};
  for (const [name, value] of Object.entries(program)) {
    if (!pulumi.Output.isInstance(value)) continue;
    const secret = await pulumi.isSecret(value);
    const resolved = await new Promise((resolve) => value.apply((v) => (resolve(v), v)));
    outputs[name] = { secret, value: secret ? "[secret]" : resolved, length: String(resolved ?? "").length };
  }
  process.stdout.write(JSON.stringify({ resources, outputs }, null, 2) + "\n");
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
