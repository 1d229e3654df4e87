import { z } from "zod";
import { webhookKind } from "../worker/notify";
import { envVarName } from "./common";

/** The secret name the docs and error messages suggest. */
export const NOTIFY_SECRET_EXAMPLE = "NOTIFY_WEBHOOK_URL";

const HOSTS = { slack: ["hooks.slack.com"], discord: ["discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"] };

/**
 * `{secret: NAME}`: the URL itself is a credential (anyone holding it can post to the channel),
 * so it lives in `webstack:secrets`, never in the stack file.
 */
const webhookRef = z.preprocess(
  (v, ctx) => {
    if (typeof v === "string") {
      // The value is not echoed: it is the credential.
      ctx.issues.push({
        code: "custom",
        input: "[redacted]",
        message:
          "a webhook URL is a credential; keep it out of the stack file: " +
          `pulumi config set --path --secret 'secrets.${NOTIFY_SECRET_EXAMPLE}' '<url>', then write webhook: {secret: ${NOTIFY_SECRET_EXAMPLE}}`,
      });
    }
    return v;
  },
  z.object({ secret: envVarName }).strict(),
);

export const notifySchema = z
  .object({
    webhook: webhookRef.describe(
      `Slack or Discord incoming-webhook URL, as {secret: NAME} read from webstack:secrets.NAME, e.g. {secret: ${NOTIFY_SECRET_EXAMPLE}}.`,
    ),
  })
  .strict()
  .describe(
    "Alerts: the cron Worker posts when a job finally fails and when the health check fails 3 times in a row; `webstack notify` posts deploy results.",
  );

export type NotifyConfig = z.infer<typeof notifySchema>;

/** What is wrong with a webhook URL, without repeating it; undefined when it is a Slack or Discord one. */
export function webhookUrlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "is not a URL";
  }
  const kind = webhookKind(url);
  if (u.protocol !== "https:" || !kind || !HOSTS[kind].includes(u.hostname)) {
    return "expected a Slack (https://hooks.slack.com/services/…) or Discord (https://discord.com/api/webhooks/…) incoming-webhook URL";
  }
  return undefined;
}

/** The notify secret's value checked where it is set (`webstack:secrets.NAME`); messages never hold the value. */
export function notifyIssues(c: { notify?: NotifyConfig; secrets?: Record<string, string> }): { path: (string | number)[]; message: string }[] {
  const name = c.notify?.webhook.secret;
  const value = name === undefined ? undefined : c.secrets?.[name];
  if (name === undefined || value === undefined) return []; // a missing secret is reported with the command that sets it
  const problem = webhookUrlProblem(value);
  return problem ? [{ path: ["secrets", name], message: `(the notify webhook) ${problem}` }] : [];
}
