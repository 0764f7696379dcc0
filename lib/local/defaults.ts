/** Defaults of the local stack that other tools (the CLI's `deliver`) need to agree with. */

/** The webhook secret `npm start` uses when `GITHUB_WEBHOOK_SECRET` is not set: local only. */
export const LOCAL_WEBHOOK_SECRET = "runway-local-webhook-secret";
