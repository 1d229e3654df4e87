/** GitHub's REST answer: status 0 when no answer came (network, timeout). */
export interface GitHubAnswer {
  status: number;
  body: unknown;
}

/** One GET against the REST API, as the workflows ask it. */
export type GitHubGet = (path: string) => Promise<GitHubAnswer>;

/** The REST call with the runner's token; a network error or a 30 s timeout becomes status 0. */
export function githubGet(opts: { apiUrl: string; token: string; fetchFn?: typeof fetch; timeoutMs?: number }): GitHubGet {
  const fetchFn = opts.fetchFn ?? fetch;
  return async (path) => {
    try {
      const res = await fetchFn(`${opts.apiUrl.replace(/\/$/, "")}${path}`, {
        headers: {
          accept: "application/vnd.github+json",
          authorization: `Bearer ${opts.token}`,
          "x-github-api-version": "2022-11-28",
        },
        signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Kept as text: an HTML error page from a proxy says more than nothing.
      }
      return { status: res.status, body };
    } catch (err) {
      return { status: 0, body: { message: err instanceof Error ? err.message : String(err) } };
    }
  };
}

/** The runner's GitHub settings (GITHUB_REPOSITORY, GITHUB_TOKEN, GITHUB_API_URL), or an error naming the missing one. */
export function runnerGitHub(env: NodeJS.ProcessEnv = process.env): { repo: string; get: GitHubGet } {
  const { GITHUB_REPOSITORY: repo, GITHUB_TOKEN: token, GITHUB_API_URL: apiUrl = "https://api.github.com" } = env;
  if (!repo) throw new Error("GITHUB_REPOSITORY must be set");
  if (!token) throw new Error("GITHUB_TOKEN must be set (pass github.token to this step's env)");
  return { repo, get: githubGet({ apiUrl, token }) };
}

/** Why an answer is not a usable one, for messages. */
export function answerProblem(what: string, a: GitHubAnswer): string {
  const message = typeof (a.body as { message?: unknown } | null)?.message === "string" ? `: ${(a.body as { message: string }).message}` : "";
  return a.status === 0 ? `no answer from GitHub about ${what}${message}` : `GitHub answered ${a.status} about ${what}${message}`;
}
