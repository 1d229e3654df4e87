import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import {
  apiUrlVariables,
  branchAliasUrl,
  corsAllowedOrigins,
  frontendSlots,
  previewUrlPattern,
  productionUrl,
  vercelBranchSlug,
} from "../../components/env-wiring";
import { settle, synthComponent } from "../harness";

const branchServices = [
  { name: "alice", branch: "alice" },
  { name: "bob", branch: "feature/Login" },
];

describe("frontendSlots", () => {
  it("gives the owner production, a branch stack its branches, and the opt-in shared slots", () => {
    expect(frontendSlots({ production: true })).toEqual([{ target: "production" }]);
    expect(frontendSlots({ production: false, branch: "staging", previewDefault: true })).toEqual([
      { target: "preview", gitBranch: "staging" },
      { target: "preview" },
    ]);
    expect(frontendSlots({ production: false, branch: "develop", branchServices, development: true })).toEqual([
      { target: "preview", gitBranch: "develop" },
      { target: "preview", gitBranch: "alice" },
      { target: "preview", gitBranch: "feature/Login" },
      { target: "development" },
    ]);
  });
});

describe("Vercel URLs", () => {
  it("slugs branches the way Vercel does and gives up past 63 characters", () => {
    expect(vercelBranchSlug("feature/Login_form")).toBe("feature-login-form");
    expect(branchAliasUrl("ott-web", "staging", "acme")).toBe("https://ott-web-git-staging-acme.vercel.app");
    expect(branchAliasUrl("ott-web", "x".repeat(60), "acme")).toBeUndefined();
    expect(previewUrlPattern("ott-web", "acme")).toBe("https://ott-web-*-acme.vercel.app");
    expect(productionUrl("ott-web", [{ domain: "b.example.com", gitBranch: "s" }, { domain: "a.example.com" }])).toBe(
      "https://a.example.com",
    );
    expect(productionUrl("ott-web", [])).toBe("https://ott-web.vercel.app");
  });
});

describe("apiUrlVariables", () => {
  it("sends each slot to its backend: branch services for their branches, the stack's service elsewhere", async () => {
    let rows: unknown[] = [];
    await synthComponent(() => {
      const vars = apiUrlVariables({
        variable: "NEXT_PUBLIC_API_URL",
        slots: frontendSlots({ production: false, branch: "develop", branchServices, development: true }),
        serviceUrl: pulumi.output("https://ott-api-dev.onrender.com"),
        branchServices,
        branchUrls: pulumi.output({ alice: "https://ott-api-alice.onrender.com", bob: "https://ott-api-bob.onrender.com" }),
      });
      rows = vars.map((v) => ({ ...v, value: pulumi.output(v.value) }));
    });
    const resolved = await Promise.all(
      (rows as any[]).map(async (v) => [v.key, v.target, v.gitBranch, v.sensitive, (await settle(v.value)).value]),
    );
    expect(resolved).toEqual([
      ["NEXT_PUBLIC_API_URL", "preview", "develop", false, "https://ott-api-dev.onrender.com"],
      ["NEXT_PUBLIC_API_URL", "preview", "alice", false, "https://ott-api-alice.onrender.com"],
      ["NEXT_PUBLIC_API_URL", "preview", "feature/Login", false, "https://ott-api-bob.onrender.com"],
      ["NEXT_PUBLIC_API_URL", "development", undefined, false, "https://ott-api-dev.onrender.com"],
    ]);
  });

  it("sends production to the production service", async () => {
    const vars = apiUrlVariables({
      variable: "VITE_API_URL",
      slots: [{ target: "production" }],
      serviceUrl: "https://api.ott.example.com",
    });
    expect(vars.map((v) => [v.key, v.target, v.gitBranch, v.sensitive])).toEqual([["VITE_API_URL", "production", undefined, false]]);
    expect((await settle(pulumi.output(vars[0]!.value))).value).toBe("https://api.ott.example.com");
  });
});

describe("corsAllowedOrigins", () => {
  const project = "ott-web";
  const scope = "acme";

  it("allows production only its production domains", () => {
    expect(
      corsAllowedOrigins({ project, scope, domains: [{ domain: "ott.example.com" }], slots: [{ target: "production" }] }),
    ).toEqual(["https://ott.example.com"]);
    expect(corsAllowedOrigins({ project, scope, domains: [], slots: [{ target: "production" }] })).toEqual([
      "https://ott-web.vercel.app",
    ]);
  });

  it("allows a branch stack its domains, its branches' alias URLs, the preview pattern and extra origins", () => {
    expect(
      corsAllowedOrigins({
        project,
        scope,
        domains: [{ domain: "dev.ott.example.com", gitBranch: "develop" }],
        slots: frontendSlots({ production: false, branch: "develop", branchServices, development: true }),
        extraOrigins: ["http://localhost:3000"],
      }),
    ).toEqual([
      "https://dev.ott.example.com",
      "https://ott-web-git-develop-acme.vercel.app",
      "https://ott-web-git-alice-acme.vercel.app",
      "https://ott-web-git-feature-login-acme.vercel.app",
      "https://ott-web-*-acme.vercel.app",
      "http://localhost:3000",
    ]);
  });
});
