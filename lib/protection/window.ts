/**
 * The deploy-window condition: is `now` inside the window's hours, on one of its days, in its time
 * zone? Daylight saving is the time zone's (Intl), and the clock is always given, so tests and
 * replays decide as of a moment of their choosing.
 */
import { WEEKDAYS, type DeployWindow, type Weekday } from "../config/protection-schema.ts";
import type { ConditionResult } from "./types.ts";

interface LocalTime {
  day: number;
  minutes: number;
}

/**
 * Whether a deploy may start now, with the local time and, when closed, when it next opens.
 *
 * @example
 * windowCondition({ timeZone: "Europe/Berlin", days: ["mon"], hours: [{ from: 540, to: 960, text: "09:00-16:00" }] }, new Date("2026-12-07T08:30:00Z"));
 * // { name: "window", status: "pass", summary: "inside the deploy window (mon 09:00-16:00 Europe/Berlin; it is mon 09:30 there)" }
 */
export function windowCondition(window: DeployWindow, now: Date): ConditionResult {
  const local = localTime(now, window.timeZone);
  const days = new Set(window.days.map((d) => WEEKDAYS.indexOf(d)));
  const open = window.hours.some(({ from, to }) =>
    from < to ? days.has(local.day) && local.minutes >= from && local.minutes < to : (days.has(local.day) && local.minutes >= from) || (days.has((local.day + 6) % 7) && local.minutes < to),
  );
  const shown = `${describeDays(window.days)} ${window.hours.map((h) => h.text).join(", ")} ${window.timeZone}`;
  const there = `it is ${WEEKDAYS[local.day]} ${clock(local.minutes)} there`;
  if (open) return { name: "window", status: "pass", summary: `inside the deploy window (${shown}; ${there})` };
  const next = nextOpening(window, days, local);
  return { name: "window", status: "fail", summary: `outside the deploy window (${shown}; ${there})${next ? `: it opens ${next}` : ""}` };
}

function localTime(now: Date, timeZone: string): LocalTime {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const day = WEEKDAYS.indexOf(part("weekday").toLowerCase() as Weekday);
  return { day: day < 0 ? 0 : day, minutes: Number(part("hour")) * 60 + Number(part("minute")) };
}

/** The next opening, in the window's own time: "tue 09:00", or "at 13:00" later today. */
function nextOpening(window: DeployWindow, days: Set<number>, local: LocalTime): string | undefined {
  for (let ahead = 0; ahead <= 7; ahead++) {
    const day = (local.day + ahead) % 7;
    if (!days.has(day)) continue;
    const starts = window.hours.map((h) => h.from).filter((from) => ahead > 0 || from > local.minutes);
    if (starts.length === 0) continue;
    const at = clock(Math.min(...starts));
    return ahead === 0 ? `at ${at} today` : `${WEEKDAYS[day]} ${at}`;
  }
  return undefined;
}

function describeDays(days: readonly Weekday[]): string {
  return days.length === 7 ? "every day" : days.join(", ");
}

function clock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}
