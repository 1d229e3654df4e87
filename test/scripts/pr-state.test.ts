// The re-check right before a PR stack is created or destroyed, and the races it closes, against
// recorded GitHub answers (fixtures/github-pulls.json) served on loopback.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { judge, prStacksOf } from "../../scripts/closed-pr-stacks";
import { githubGet } from "../../scripts/github-api";
import { main, recheck } from "../../scripts/pr-state";
import { stackExists } from "../../scripts/stack-exists";
import { startGitHubStandIn, withState, type GitHubStandIn } from "./github-stand-in";
import { runInProcess, runScript } from "./run-script";

let gh: GitHubStandIn;
beforeAll(async () => void (gh = await startGitHubStandIn()));
afterAll(() => gh.close());
const ask = (pr: number) => githubGet({ apiUrl: gh.url, token: "ghs_test" })(`/repos/acme/ott/pulls/${pr}`);
const env = () => ({ GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: "acme/ott", GITHUB_TOKEN: "ghs_test" });

describe("the PR's state, re-checked right before acting", () => {
  it("creates only for an open PR and destroys only for a closed one", async () => {
    expect(recheck(21, "open", await ask(21))).toEqual({ proceed: true });
    expect(recheck(5, "closed", await ask(5))).toEqual({ proceed: true });
    expect(recheck(30, "open", await ask(30))).toEqual({
      proceed: false,
      message: "pull request #30 was closed before its stack was created: no stack (its destroy has run or will find nothing)",
    });
    expect(recheck(31, "closed", await ask(31))).toEqual({ proceed: false, message: "pull request #31 was reopened: its stack is kept" });
  });

  it("never acts on an unclear answer", async () => {
    expect(() => recheck(11, "closed", { status: 404, body: { message: "Not Found" } })).toThrow("GitHub answered 404 about #11: Not Found; not acting on a guess");
    expect(() => recheck(14, "closed", { status: 403, body: { message: "API rate limit exceeded" } })).toThrow(/^GitHub answered 403 about #14/);
    expect(() => recheck(7, "closed", { status: 0, body: { message: "fetch failed" } })).toThrow("no answer from GitHub about #7: fetch failed; not acting on a guess");
    expect(() => recheck(7, "closed", { status: 200, body: { number: 8, state: "closed" } })).toThrow("GitHub answered for #8 when asked about #7");
    const dead = await githubGet({ apiUrl: "http://127.0.0.1:1", token: "t" })("/repos/acme/ott/pulls/7");
    expect(() => recheck(7, "open", dead)).toThrow(/^no answer from GitHub about #7/);
  });

  it("a PR reopened after the reaper listed it keeps its stack", async () => {
    // 03:41: the reaper sees #31 closed and queues its destroy.
    const closed = withState(gh.pulls["31"]!, "closed", "2026-11-24T18:00:00Z");
    const stack = prStacksOf([{ name: "acme/webstack/pr-31" }], "webstack")[0]!;
    expect(judge(stack, closed)).toMatchObject({ action: "destroy" });
    // 07:58: reopened (the recorded answer); pr-stack.yml's update runs; the destroy job gets the group afterwards.
    const run = await runScript("scripts/pr-state.ts", ["--pr", "31", "--want", "closed"], { env: env() });
    expect(run).toMatchObject({ code: 0, outputs: "proceed=false\n" });
    expect(run.stdout).toBe("::notice::pull request #31 was reopened: its stack is kept\n");
  });

  it("a close that overtakes its open leaves nothing behind", async () => {
    // #30 was opened and closed 4 s later. The close's destroy job got the group first:
    // `pulumi stack select` finds no stack, so it destroys nothing.
    expect(stackExists("acme/webstack/pr-30", 255, "error: no stack named 'acme/webstack/pr-30' found\n")).toBe(false);
    // Then the open's job gets the group: the re-check stops it before `pulumi stack select --create`.
    // In the other order, the open's job creates the stack and the destroy, queued behind it, finds it closed.
    // In-process: the entry is proven by the reopened PR's run above.
    const [run, destroy] = await Promise.all([
      runInProcess(main, ["--pr", "30", "--want", "open"], { env: env() }),
      runInProcess(main, ["--pr", "30", "--want", "closed"], { env: env() }),
    ]);
    expect(run).toMatchObject({ code: 0, outputs: "proceed=false\n" });
    expect(destroy).toMatchObject({ code: 0, outputs: "proceed=true\n" });
  });

  it("the command fails, doing nothing, without a clear answer or a token", async () => {
    const [run, noToken] = await Promise.all([
      runInProcess(main, ["--pr", "14", "--want", "closed"], { env: env() }),
      runInProcess(main, ["--pr", "5", "--want", "closed"], { env: { ...env(), GITHUB_TOKEN: "" } }),
    ]);
    expect(run.code).toBe(1);
    expect(run.outputs).toBe("");
    expect(run.stdout).toMatch(/^::error::GitHub answered 403 about #14: API rate limit exceeded/);
    expect(noToken.stdout).toMatch(/^::error::GITHUB_TOKEN must be set/);
    expect(gh.requests.every((r) => r.endsWith("Bearer ghs_test"))).toBe(true);
  });
});
