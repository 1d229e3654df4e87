import { describe, expect, it } from "vitest";
import { BROWSER_PREFIXES, browserPrefix, guardReason, vercelVariableIssues } from "../../components/env-guard";

describe("guardReason", () => {
  it.each(BROWSER_PREFIXES)("refuses a secret and a server-only value under %s", (prefix) => {
    expect(guardReason({ name: `${prefix}KEY`, secret: true, public: false })).toBe(
      `holds a secret, but frontend builds inline '${prefix}' variables into the browser bundle; ` +
        "rename it without the prefix so only server code reads it",
    );
    expect(guardReason({ name: `${prefix}KEY`, secret: false, public: false })).toContain(
      `is server-only, but frontend builds inline '${prefix}' variables`,
    );
  });

  it.each(BROWSER_PREFIXES)("allows a public value under %s", (prefix) => {
    expect(guardReason({ name: `${prefix}APP_NAME`, secret: false, public: true })).toBeUndefined();
  });

  it("allows secrets and server-only values under server names, and never a public secret", () => {
    expect(guardReason({ name: "STRIPE_SECRET_KEY", secret: true, public: false })).toBeUndefined();
    expect(guardReason({ name: "DATABASE_URL", secret: false, public: false })).toBeUndefined();
    expect(guardReason({ name: "STRIPE_SECRET_KEY", secret: true, public: true })).toBe(
      "a secret cannot be public: secrets are server-only",
    );
  });

  it("matches prefixes only at the start of the name", () => {
    expect(browserPrefix("MY_NEXT_PUBLIC_X")).toBeUndefined();
    expect(browserPrefix("PUBLICATION_ID")).toBeUndefined();
    expect(browserPrefix("NUXT_PUBLIC_X")).toBe("NUXT_PUBLIC_");
  });
});

describe("vercelVariableIssues", () => {
  it("refuses a sensitive browser variable, a sensitive development variable, a misplaced branch and duplicates", () => {
    expect(
      vercelVariableIssues([
        { key: "VITE_TOKEN", target: "production", sensitive: true },
        { key: "API_SECRET", target: "development", sensitive: true },
        { key: "X", target: "production", gitBranch: "alice", sensitive: false },
        { key: "Y", target: "preview", gitBranch: "alice", sensitive: false },
        { key: "Y", target: "preview", gitBranch: "alice", sensitive: false },
      ]),
    ).toEqual([
      "VITE_TOKEN (production): is sensitive (server-only), but frontend builds inline 'VITE_' variables into the browser bundle",
      "API_SECRET (development): sensitive variables cannot target development (vercel env pull would expose them)",
      "X (production@alice): gitBranch applies to the preview target only",
      "Y (preview@alice): defined twice",
    ]);
  });

  it("accepts the same key in distinct slots", () => {
    expect(
      vercelVariableIssues([
        { key: "NEXT_PUBLIC_API_URL", target: "preview", sensitive: false },
        { key: "NEXT_PUBLIC_API_URL", target: "preview", gitBranch: "alice", sensitive: false },
        { key: "NEXT_PUBLIC_API_URL", target: "production", sensitive: false },
      ]),
    ).toEqual([]);
  });
});
