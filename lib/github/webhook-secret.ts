/**
 * The webhook secret(s) a delivery's signature is checked against.
 *
 * Where it comes from is configuration, not code paths: `GITHUB_WEBHOOK_SECRET` holds the value
 * (the local stack, tests), `GITHUB_WEBHOOK_SECRET_PARAMETER` names an SSM parameter (a
 * SecureString, or a Secrets Manager secret through its `/aws/reference/secretsmanager/<id>`
 * name) read through Powertools' parameters utility and cached for five minutes, so a rotation
 * is picked up without a deploy and a warm delivery never calls SSM.
 *
 * Rotation: the value may hold several secrets, one per line. A delivery signed with any of them
 * is accepted; put the new one first, update GitHub, then remove the old line.
 */
import { WebhookSecretError } from "./errors.ts";

const CACHE_SECONDS = 300;

/** Split a stored value into its secrets: one per non-empty line, surrounding blanks trimmed. */
export function splitSecrets(value: string): string[] {
  return value
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * The secrets to verify against, newest first.
 *
 * @throws WebhookSecretError when neither variable is set or the value is empty.
 */
export async function webhookSecrets(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const direct = env.GITHUB_WEBHOOK_SECRET;
  const parameter = env.GITHUB_WEBHOOK_SECRET_PARAMETER;
  let value = direct;
  if (!direct && parameter) {
    const { readSsmSecret } = await import("./ssm-secret-provider.ts");
    value = await readSsmSecret(parameter, CACHE_SECONDS);
  }
  const secrets = value ? splitSecrets(value) : [];
  if (secrets.length === 0) {
    throw new WebhookSecretError(
      parameter
        ? `the SSM parameter named by GITHUB_WEBHOOK_SECRET_PARAMETER is empty or missing; put the webhook secret there`
        : "no webhook secret: set GITHUB_WEBHOOK_SECRET_PARAMETER (on AWS) or GITHUB_WEBHOOK_SECRET (locally)",
    );
  }
  return secrets;
}
