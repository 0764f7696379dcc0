import { GetParameterCommand, ParameterNotFound, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resetAwsClients } from "../../../lib/aws/shared.ts";
import { registrationApps, resetGitHubApps } from "../../../lib/github/apps.ts";
import { resetSsmSecrets } from "../../../lib/github/ssm-secret-provider.ts";
import { generateLocalAppKey } from "../../../lib/local/github-fake/index.ts";
import { logger } from "../../../lib/observability/logger.ts";

const ssm = mockClient(SSMClient);
const LIST = "/runway/test/github-apps";
const webhookKey = generateLocalAppKey().privateKey;
const secondKey = generateLocalAppKey().privateKey;
const thirdKey = generateLocalAppKey().privateKey;
const env = { GITHUB_APP_ID: "1234", GITHUB_APP_PRIVATE_KEY: webhookKey, GITHUB_API_URL: "https://github.example.com/api/v3", GITHUB_APPS_PARAMETER: LIST };
const notFound = () => new ParameterNotFound({ message: "not found", $metadata: {} });

const names = () => ssm.commandCalls(GetParameterCommand).map((c) => c.args[0].input.Name);
/** What the stage's operator is told (logger.error's messages). */
let errors: { mock: { calls: unknown[][] }; mockRestore(): void };

beforeEach(() => {
  ssm.reset();
  resetAwsClients();
  resetSsmSecrets();
  resetGitHubApps();
  errors = vi.spyOn(logger, "error").mockImplementation(() => undefined);
});
afterEach(() => errors.mockRestore());

describe("the stage's GitHub Apps", () => {
  it("is the webhook App alone when no list is configured, without asking SSM", async () => {
    const { GITHUB_APPS_PARAMETER: _none, ...single } = env;
    const apps = await registrationApps(single);
    expect(apps).toEqual([expect.objectContaining({ appId: 1234, webhook: true, baseUrl: "https://github.example.com/api/v3" })]);
    expect(names()).toEqual([]);
  });

  it("is the webhook App alone while the list parameter does not exist", async () => {
    ssm.on(GetParameterCommand).rejects(notFound());
    expect((await registrationApps(env)).map((a) => a.appId)).toEqual([1234]);
    expect(errors).not.toHaveBeenCalled();
  });

  it("adds the listed Apps in their order, each with the key stored under the list's name, read decrypted", async () => {
    ssm.on(GetParameterCommand, { Name: LIST }).resolves({ Parameter: { Name: LIST, Type: "StringList", Value: "2345, 3456,1234" } });
    ssm.on(GetParameterCommand, { Name: `${LIST}/2345` }).resolves({ Parameter: { Type: "SecureString", Value: secondKey } });
    ssm.on(GetParameterCommand, { Name: `${LIST}/3456` }).resolves({ Parameter: { Type: "SecureString", Value: thirdKey } });

    const apps = await registrationApps(env);

    expect(apps.map((a) => [a.appId, a.webhook])).toEqual([
      [1234, true],
      [2345, false],
      [3456, false],
    ]);
    expect(apps[1]!.privateKey).toBe(secondKey);
    expect(apps[2]!.baseUrl).toBe("https://github.example.com/api/v3");
    expect(ssm.commandCalls(GetParameterCommand).every((c) => c.args[0].input.WithDecryption === true)).toBe(true);
    // The webhook App listed again is not a second App, and its key is not looked for under the list.
    expect(names().sort()).toEqual([LIST, `${LIST}/2345`, `${LIST}/3456`]);
  });

  it("reads the list and keys once per five minutes, so an App added is picked up without a deploy", async () => {
    ssm.on(GetParameterCommand, { Name: LIST }).resolves({ Parameter: { Value: "2345" } });
    ssm.on(GetParameterCommand, { Name: `${LIST}/2345` }).resolves({ Parameter: { Value: secondKey } });
    vi.useFakeTimers({ now: new Date("2026-12-01T10:00:00Z"), toFake: ["Date"] });
    try {
      await registrationApps(env);
      await registrationApps(env);
      expect(names()).toHaveLength(2);
      vi.setSystemTime(new Date("2026-12-01T10:05:01Z"));
      resetSsmSecrets(); // Powertools' own five-minute cache has run out too
      await registrationApps(env);
      expect(names()).toHaveLength(4);
    } finally {
      vi.useRealTimers();
    }
  });

  it("leaves out, with what to fix, an entry that is not an App id, an App without a key and a key that is not one; the others go on", async () => {
    ssm.on(GetParameterCommand, { Name: LIST }).resolves({ Parameter: { Value: "2345,my-second-app 3456 4567" } });
    ssm.on(GetParameterCommand, { Name: `${LIST}/2345` }).resolves({ Parameter: { Value: secondKey } });
    ssm.on(GetParameterCommand, { Name: `${LIST}/3456` }).rejects(notFound());
    ssm.on(GetParameterCommand, { Name: `${LIST}/4567` }).resolves({ Parameter: { Value: "ghp_not-a-key-but-secret-c0ffee" } });

    const apps = await registrationApps(env);

    expect(apps.map((a) => a.appId)).toEqual([1234, 2345]);
    const said = errors.mock.calls.map((c) => String(c[0]));
    expect(said).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`${LIST} lists "my-second-app", which is not a GitHub App id`),
        expect.stringContaining(`GitHub App 3456 is left out: could not read the GitHub App's private key from the SSM parameter ${LIST}/3456 (ParameterNotFound)`),
        expect.stringContaining(`GitHub App 4567 is left out: the GitHub App private key in the SSM parameter ${LIST}/4567 is not a PEM private key`),
      ]),
    );
    expect(said.join("\n")).not.toContain("c0ffee");
  });

  it("goes on with the webhook App when the list cannot be read, and asks again within a minute", async () => {
    ssm.on(GetParameterCommand, { Name: LIST }).rejectsOnce(Object.assign(new Error("denied"), { name: "AccessDeniedException" })).resolves({ Parameter: { Value: "2345" } });
    ssm.on(GetParameterCommand, { Name: `${LIST}/2345` }).resolves({ Parameter: { Value: secondKey } });
    vi.useFakeTimers({ now: new Date("2026-12-01T10:00:00Z"), toFake: ["Date"] });
    try {
      expect((await registrationApps(env)).map((a) => a.appId)).toEqual([1234]);
      expect(String(errors.mock.calls[0]?.[0])).toContain(`could not read the list of extra GitHub Apps from ${LIST}: check that this function may ssm:GetParameter it`);
      vi.setSystemTime(new Date("2026-12-01T10:00:31Z"));
      expect((await registrationApps(env)).map((a) => a.appId)).toEqual([1234, 2345]);
    } finally {
      vi.useRealTimers();
    }
  });
});
