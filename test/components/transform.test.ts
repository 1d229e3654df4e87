import { describe, expect, it } from "vitest";
import { applyTransform } from "../../components/transform";

describe("applyTransform", () => {
  it("keeps args and options without a transform", () => {
    const opts = { protect: true };
    expect(applyTransform(undefined, { a: 1 }, opts)).toEqual([{ a: 1 }, { protect: true }]);
  });

  it("takes replacements, or in-place edits, from the transform", () => {
    expect(applyTransform((a: { a: number }) => ({ args: { a: a.a + 1 } }), { a: 1 }, {})).toEqual([{ a: 2 }, {}]);
    const [, opts] = applyTransform(
      (_a, o) => {
        o.retainOnDelete = true;
      },
      { a: 1 },
      {},
    );
    expect(opts).toEqual({ retainOnDelete: true });
  });
});
