/**
 * Reads a secret from SSM Parameter Store (or Secrets Manager through SSM's
 * `/aws/reference/secretsmanager/` names) with Powertools' cached provider. Its own module so that
 * functions load it, and the SSM client, only when a secret really comes from SSM.
 */
import { SSMProvider } from "@aws-lambda-powertools/parameters/ssm";
import { ssmClient } from "../aws/ssm.ts";

let provider: SSMProvider | undefined;

/** The decrypted value, cached for `maxAgeSeconds`; undefined when the parameter is empty. */
export async function readSsmSecret(name: string, maxAgeSeconds: number): Promise<string | undefined> {
  provider ??= new SSMProvider({ awsSdkV3Client: ssmClient() });
  const value = await provider.get(name, { decrypt: true, maxAge: maxAgeSeconds });
  return typeof value === "string" ? value : undefined;
}

/** Forget the provider and its cache (tests). */
export function resetSsmSecrets(): void {
  provider = undefined;
}
