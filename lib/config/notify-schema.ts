/**
 * Placeholder for the Slack notification settings (issue: Slack threads).
 * Owned by the notify work; replaced there.
 */
import { z } from "zod";

export const notifySchema = z.strictObject({}).passthrough();
