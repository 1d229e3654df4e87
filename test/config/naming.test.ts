import { describe, expect, it } from "vitest";
import { cloudName, stackPrefix } from "../../config/naming";

describe("cloud names", () => {
  it("prefix every name with app and stack so stacks never collide", () => {
    const names = ["prod", "staging", "dev", "pr-42"].map((s) => cloudName("ott", s, "api"));
    expect(names).toEqual(["ott-prod-api", "ott-staging-api", "ott-dev-api", "ott-pr-42-api"]);
    expect(new Set(names).size).toBe(names.length);
  });

  it("normalises stack names that are not DNS-safe", () => {
    expect(stackPrefix("ott", "Feature_X")).toBe("ott-feature-x");
  });

});
