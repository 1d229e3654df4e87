import type { ServiceInputs } from "../../../providers/render/service";

/** A Node web service as WebService creates it; tests and the bench override what they vary. */
export function webServiceInputs(overrides: Partial<ServiceInputs> & Pick<ServiceInputs, "ownerId" | "name">): ServiceInputs {
  return {
    type: "web_service",
    repo: "https://github.com/acme/ott",
    branch: "main",
    runtime: "node",
    buildCommand: "npm ci && npm run build",
    startCommand: "node dist/server.js",
    healthCheckPath: "/healthz",
    ...overrides,
  };
}
