import { describe, expect, it } from "vitest";
import { firesAtLeastEvery } from "../../components/cron-schedule";

describe("a schedule that keeps a free Render service awake (a run at least every 15 minutes)", () => {
  it.each([
    ["*/5 * * * *", true],
    ["*/10 * * * *", true],
    ["*/15 * * * *", true],
    ["0,15,30,45 * * * *", true],
    ["* * * * *", true],
    ["*/20 * * * *", false],
    ["0 * * * *", false],
    ["*/5 9-17 * * *", false],
    ["*/5 * * * MON-FRI", false],
    ["not a cron", false],
  ])("%s: %s", (expr, awake) => {
    expect(firesAtLeastEvery(expr)).toBe(awake);
  });
});

describe("the answer is kept per schedule and interval", () => {
  it("asks again for another interval, and gives the same answer for the same one", () => {
    expect(firesAtLeastEvery("*/10 * * * *", 15)).toBe(true);
    expect(firesAtLeastEvery("*/10 * * * *", 5)).toBe(false);
    expect(firesAtLeastEvery("*/10 * * * *", 15)).toBe(true);
    expect(firesAtLeastEvery("*/10  *  * * *", 5)).toBe(false);
  });
});
