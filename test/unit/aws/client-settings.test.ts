import { afterEach, describe, expect, it, vi } from "vitest";
import { AWS_MAX_ATTEMPTS, clientSettings, environmentCredentials } from "../../../lib/aws/shared.ts";

afterEach(() => vi.unstubAllEnvs());

describe("clientSettings", () => {
  it("signs with the credentials in the environment, as Lambda provides them", async () => {
    const settings = clientSettings("eu-west-1");
    expect(settings).toMatchObject({ region: "eu-west-1", maxAttempts: AWS_MAX_ATTEMPTS });
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "secret");
    vi.stubEnv("AWS_SESSION_TOKEN", "session");
    const provider = environmentCredentials();
    expect(provider).toBeTypeOf("function");
    await expect(provider!()).resolves.toMatchObject({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret", sessionToken: "session" });
  });

  it("leaves the choice to the SDK's default chain when the environment has no keys", () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", "");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "");
    expect(environmentCredentials()).toBeUndefined();
    expect(clientSettings(undefined).credentials).toBeUndefined();
  });
});
