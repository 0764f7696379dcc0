/**
 * The Slack credentials and the secret values the scrubber must know, read the way every Runway
 * secret is read: `NAME` holds the value (the local stack, tests), `NAME_PARAMETER` names an SSM
 * parameter (a SecureString) read through Powertools' parameters utility and cached for five
 * minutes, so a rotated token is picked up without a deploy and a warm invocation never calls SSM.
 */
import { ssmClient } from "../aws/ssm.ts";
import { NotifyConfigError } from "./errors.ts";

const CACHE_SECONDS = 300;

/**
 * Environment variables whose values are secrets of this deployment wherever they are set. Their
 * `_PARAMETER` twins are followed too when the function is allowed to read them.
 */
export const SECRET_ENV_VARS = [
  "SLACK_BOT_TOKEN",
  "SLACK_WEBHOOK_URL",
  "GITHUB_WEBHOOK_SECRET",
  "GITHUB_APP_PRIVATE_KEY",
  "GITHUB_TOKEN",
] as const;

type Provider = { get(name: string, options: { decrypt: boolean; maxAge: number }): Promise<unknown> };
let provider: Provider | undefined;

async function ssm(): Promise<Provider> {
  if (!provider) {
    // Loaded on first use: a notifier that reads its token from the environment never pays for it.
    const { SSMProvider } = await import("@aws-lambda-powertools/parameters/ssm");
    provider = new SSMProvider({ awsSdkV3Client: ssmClient() });
  }
  return provider;
}

/** The value of `name`, else of the SSM parameter `name_PARAMETER` names; undefined when neither is set. */
export async function readSecret(name: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const direct = env[name];
  if (direct) return direct;
  const parameter = env[`${name}_PARAMETER`];
  if (!parameter) return undefined;
  let value: unknown;
  try {
    value = await (await ssm()).get(parameter, { decrypt: true, maxAge: CACHE_SECONDS });
  } catch (error) {
    throw new NotifyConfigError(`cannot read the SSM parameter named by ${name}_PARAMETER; allow ssm:GetParameter (and kms:Decrypt) on it`, { cause: error });
  }
  if (typeof value !== "string" || value.trim() === "") {
    throw new NotifyConfigError(`the SSM parameter named by ${name}_PARAMETER is empty or missing`);
  }
  return value.trim();
}

/**
 * Every secret value the scrubber should know: those of `SECRET_ENV_VARS` (directly or through
 * their parameters when set), of the variables listed in `RUNWAY_REDACT_ENV`, and of the SSM
 * parameters listed in `RUNWAY_REDACT_PARAMETERS` (comma-separated).
 *
 * Fails closed: a secret that cannot be read means no message is sent (the record is retried),
 * rather than a message scrubbed without it.
 */
export async function knownSecretValues(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const names = [...SECRET_ENV_VARS, ...list(env.RUNWAY_REDACT_ENV)];
  const values = await Promise.all(names.map((name) => readSecret(name, env)));
  const parameters = list(env.RUNWAY_REDACT_PARAMETERS);
  const fromParameters = await Promise.all(
    parameters.map(async (parameter) => {
      try {
        return String((await (await ssm()).get(parameter, { decrypt: true, maxAge: CACHE_SECONDS })) ?? "");
      } catch (error) {
        throw new NotifyConfigError(`cannot read a parameter listed in RUNWAY_REDACT_PARAMETERS; allow ssm:GetParameter on it or remove it from the list`, { cause: error });
      }
    }),
  );
  return [...values, ...fromParameters].filter((value): value is string => typeof value === "string" && value.length > 0);
}

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

/** Drop the cached SSM provider (tests that change the environment). */
export function resetNotifyCredentials(): void {
  provider = undefined;
}
