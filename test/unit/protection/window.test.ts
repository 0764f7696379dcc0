import { describe, expect, it } from "vitest";
import { windowSchema } from "../../../lib/config/protection-schema.ts";
import { windowCondition } from "../../../lib/protection/window.ts";

const office = windowSchema.parse({ timeZone: "Europe/Berlin", days: ["mon", "tue", "wed", "thu"], hours: "09:00-16:00" });

describe("the deploy window, on an explicit clock", () => {
  it("is open inside its hours on its days, in its time zone", () => {
    // Tuesday 8 December 2026, 09:30 in Berlin (UTC+1 in winter).
    expect(windowCondition(office, new Date("2026-12-08T08:30:00Z"))).toEqual({
      name: "window",
      status: "pass",
      summary: "inside the deploy window (mon, tue, wed, thu 09:00-16:00 Europe/Berlin; it is tue 09:30 there)",
    });
  });

  it("is closed before it opens and from its end, and says when it opens next", () => {
    expect(windowCondition(office, new Date("2026-12-08T07:59:00Z"))).toMatchObject({ status: "fail", summary: expect.stringMatching(/it is tue 08:59 there\): it opens at 09:00 today$/) });
    expect(windowCondition(office, new Date("2026-12-08T15:00:00Z")).summary).toMatch(/it is tue 16:00 there\): it opens wed 09:00$/);
    // Friday: the next opening is Monday.
    expect(windowCondition(office, new Date("2026-12-11T10:00:00Z")).summary).toMatch(/it is fri 11:00 there\): it opens mon 09:00$/);
  });

  it("follows daylight saving: 09:30 in Berlin is 07:30 UTC in summer", () => {
    expect(windowCondition(office, new Date("2026-07-07T07:30:00Z")).status).toBe("pass");
    expect(windowCondition(office, new Date("2026-07-07T06:59:00Z")).status).toBe("fail");
  });

  it("counts a window past midnight as the day it opened", () => {
    const night = windowSchema.parse({ timeZone: "UTC", days: ["fri"], hours: "22:00-02:00" });
    expect(windowCondition(night, new Date("2026-12-11T23:00:00Z")).status).toBe("pass"); // Friday 23:00
    expect(windowCondition(night, new Date("2026-12-12T01:59:00Z")).status).toBe("pass"); // Saturday 01:59, Friday's window
    expect(windowCondition(night, new Date("2026-12-12T02:00:00Z")).status).toBe("fail");
    expect(windowCondition(night, new Date("2026-12-12T23:00:00Z")).status).toBe("fail"); // Saturday's own night
  });
});
