import { GetParameterCommand, ParameterNotFound, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resetAwsClients } from "../../../lib/aws/shared.ts";
import { GitHubAppConfigError } from "../../../lib/github/errors.ts";
import { githubClient, installationClient, resetGitHubClients } from "../../../lib/github/octokit.ts";
import { resetSsmSecrets } from "../../../lib/github/ssm-secret-provider.ts";
import { generateLocalAppKey, verifyAppJwt } from "../../../lib/local/github-fake/index.ts";
import { publicKeyOf } from "../../../lib/local/github-fake/app-key.ts";

const ssm = mockClient(SSMClient);
const PARAMETER = "/runway/test/github-app-private-key";
const key = generateLocalAppKey();
const env = { GITHUB_APP_ID: "1234", GITHUB_APP_PRIVATE_KEY_PARAMETER: PARAMETER, GITHUB_API_URL: "https://github.example.com/api/v3" };

async function rejection(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

/** The App JWT a client signs (no network: auth-app signs it locally). */
async function appJwt(client: Awaited<ReturnType<typeof githubClient>>): Promise<string> {
  const { token } = (await client.auth({ type: "app" })) as { token: string };
  return token;
}

beforeEach(() => {
  ssm.reset();
  resetAwsClients();
  resetSsmSecrets();
  resetGitHubClients();
});
afterEach(() => resetGitHubClients());

describe("the GitHub App's private key from SSM", () => {
  it("reads the SecureString, decrypted, and signs the App's JWTs with it", async () => {
    ssm.on(GetParameterCommand, { Name: PARAMETER }).resolves({ Parameter: { Name: PARAMETER, Type: "SecureString", Value: key.privateKey } });
    const client = await githubClient({ owner: "acme", repo: "api", installationId: 42 }, env);

    expect(ssm.commandCalls(GetParameterCommand).map((c) => c.args[0].input)).toEqual([{ Name: PARAMETER, WithDecryption: true }]);
    expect(verifyAppJwt(await appJwt(client), publicKeyOf(key.publicKey), 1234)).toMatchObject({ ok: true, iss: "1234" });
    expect(client.request.endpoint.DEFAULTS.baseUrl).toBe("https://github.example.com/api/v3");
  });

  it("reads it once for every installation in the container", async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: key.privateKey } });
    const first = await installationClient(1, env);
    const second = await installationClient(2, env);
    expect(await installationClient(1, env)).toBe(first);
    expect(second).not.toBe(first);
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
  });

  it("builds new clients once a rotated key is read", async () => {
    const rotated = generateLocalAppKey();
    ssm.on(GetParameterCommand).resolvesOnce({ Parameter: { Value: key.privateKey } }).resolves({ Parameter: { Value: rotated.privateKey } });
    const before = await installationClient(42, env);
    resetSsmSecrets(); // the five-minute cache has run out
    const after = await installationClient(42, env);
    expect(after).not.toBe(before);
    expect(verifyAppJwt(await appJwt(after), publicKeyOf(rotated.publicKey), 1234)).toMatchObject({ ok: true });
  });

  it("says what to check when the parameter cannot be read", async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: "not found", $metadata: {} }));
    const error = await rejection(() => installationClient(42, env));
    expect(error).toBeInstanceOf(GitHubAppConfigError);
    expect(error.message).toContain(`the SSM parameter ${PARAMETER}`);
    expect(error.message).toContain("ssm:GetParameter");
  });

  it("refuses a value that is not a PEM key without repeating it", async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: "not-a-key-but-secret-4c0ffee" } });
    const error = await rejection(() => installationClient(42, env));
    expect(error).toBeInstanceOf(GitHubAppConfigError);
    expect(error.message).toContain("is not a PEM private key");
    expect(error.message).not.toContain("4c0ffee");
  });

  it("refuses an empty parameter", async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: " " } });
    await expect(installationClient(42, env)).rejects.toThrow(/GITHUB_APP_PRIVATE_KEY_PARAMETER\) is empty/);
  });
});

describe("the GitHub App's configuration from the environment", () => {
  it("takes the key from GITHUB_APP_PRIVATE_KEY without calling SSM", async () => {
    const client = await installationClient(42, { GITHUB_APP_ID: "1234", GITHUB_APP_PRIVATE_KEY: key.privateKey });
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(0);
    expect(client.request.endpoint.DEFAULTS.baseUrl).toBe("https://api.github.com");
    expect(verifyAppJwt(await appJwt(client), publicKeyOf(key.publicKey), 1234)).toMatchObject({ ok: true });
  });

  it("accepts a key whose line breaks were escaped as \\n", async () => {
    const client = await installationClient(42, { GITHUB_APP_ID: "1234", GITHUB_APP_PRIVATE_KEY: key.privateKey.replace(/\n/g, "\\n") });
    expect(verifyAppJwt(await appJwt(client), publicKeyOf(key.publicKey), 1234)).toMatchObject({ ok: true });
  });

  it("names the missing variable", async () => {
    await expect(installationClient(42, { GITHUB_APP_PRIVATE_KEY: key.privateKey })).rejects.toThrow(/GITHUB_APP_ID is not set/);
    await expect(installationClient(42, { GITHUB_APP_ID: "1234" })).rejects.toThrow(
      "no GitHub App private key: set GITHUB_APP_PRIVATE_KEY_PARAMETER (on AWS) or GITHUB_APP_PRIVATE_KEY (locally)",
    );
  });
});
