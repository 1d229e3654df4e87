import { describe, expect, it } from "vitest";
import { collectUrls, stackUrlsMarkdown } from "../../scripts/stack-urls";

describe("PR stack URLs comment", () => {
  const outputs = {
    environment: "preview",
    backendUrl: "https://ott-api-pr-3.onrender.com",
    branchUrls: { alice: "https://ott-api-pr-3-alice.onrender.com" },
    frontend: { productionUrl: "https://ott-web.vercel.app", domains: ["https://a.example.com"] },
    databaseUrl: "[secret]",
    port: 5432,
  };

  it("lists every URL output with its path, and nothing else", () => {
    expect(collectUrls(outputs)).toEqual([
      { key: "backendUrl", url: "https://ott-api-pr-3.onrender.com" },
      { key: "branchUrls.alice", url: "https://ott-api-pr-3-alice.onrender.com" },
      { key: "frontend.domains.0", url: "https://a.example.com" },
      { key: "frontend.productionUrl", url: "https://ott-web.vercel.app" },
    ]);
  });

  it("renders a table, or says there are no URLs", () => {
    const md = stackUrlsMarkdown("pr-3", outputs);
    expect(md).toContain("## PR stack `pr-3` is up");
    expect(md).toContain("| `backendUrl` | https://ott-api-pr-3.onrender.com |");
    expect(md).not.toContain("[secret]");
    expect(stackUrlsMarkdown("pr-3", { environment: "preview" })).toContain("The stack has no URL outputs yet.");
  });
});
