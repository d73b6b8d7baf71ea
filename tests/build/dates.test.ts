/**
 * Post dates in a site's time zone, and a differential test against the implementation before zone
 * offsets were cached (kept below as the reference): every function must give what formatting each
 * instant gave, across DST changes, half-hour and 45-minute zones, and LMT offsets with seconds.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  fileNameDate,
  isKnownTimeZone,
  localDate,
  parsePostDate,
  type WallTime,
  wallTimeIn,
} from "../../src/build/dates";

const SEED = 20260501;
const RUNS = 3000;
const ZONES = [
  "Asia/Shanghai",
  "America/New_York",
  "Australia/Lord_Howe",
  "Asia/Kathmandu",
  "Europe/London",
  "Pacific/Chatham",
  "UTC",
  "America/St_Johns",
];
const YEAR_1900 = Date.UTC(1900, 0, 1);
const YEAR_2100 = Date.UTC(2100, 11, 31, 23, 59, 59, 999);

// The reference: dates.ts as it was before the offset cache (formatting every instant).
const reference = (() => {
  const DATE_PATTERN =
    /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|z|UTC|GMT|[+-]\d{2}:?\d{2}|[+-]\d{1,2})?$/;
  const formatters = new Map<string, Intl.DateTimeFormat>();
  function formatterFor(timeZone: string): Intl.DateTimeFormat {
    let formatter = formatters.get(timeZone);
    if (!formatter) {
      formatter = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
        era: "short",
      });
      formatters.set(timeZone, formatter);
    }
    return formatter;
  }
  function wallTimeIn(millis: number, timeZone: string): WallTime {
    const parts = formatterFor(timeZone).formatToParts(new Date(millis));
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
    return {
      year: get("year"),
      month: get("month"),
      day: get("day"),
      hour: get("hour") % 24,
      minute: get("minute"),
      second: get("second"),
      millisecond: ((millis % 1000) + 1000) % 1000,
    };
  }
  function utcMillis(w: WallTime): number {
    const date = new Date(0);
    date.setUTCFullYear(w.year, w.month - 1, w.day);
    date.setUTCHours(w.hour, w.minute, w.second, w.millisecond);
    return date.getTime();
  }
  function offsetAt(millis: number, timeZone: string): number {
    return utcMillis(wallTimeIn(millis, timeZone)) - millis;
  }
  function zonedToUtc(wall: WallTime, timeZone: string): number {
    const target = utcMillis(wall);
    let guess = target - offsetAt(target, timeZone);
    guess = target - offsetAt(guess, timeZone);
    return guess;
  }
  function isValidWallTime(w: WallTime): boolean {
    if (w.month < 1 || w.month > 12 || w.day < 1 || w.hour > 23 || w.minute > 59 || w.second > 60)
      return false;
    const daysInMonth = new Date(Date.UTC(2000, w.month, 0)).getUTCDate();
    const leap = w.year % 4 === 0 && (w.year % 100 !== 0 || w.year % 400 === 0);
    return w.day <= (w.month === 2 ? (leap ? 29 : 28) : daysInMonth);
  }
  function zoneOffsetMinutes(zone: string): number {
    if (/^(Z|UTC|GMT)$/i.test(zone)) return 0;
    const match = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(zone);
    if (!match) return 0;
    const sign = match[1] === "-" ? -1 : 1;
    return sign * (Number(match[2]) * 60 + Number(match[3] ?? 0));
  }
  function parsePostDate(text: string, timeZone: string): Date | undefined {
    const match = DATE_PATTERN.exec(text.trim());
    if (!match) return undefined;
    const [, y, mo, d, h, mi, s, frac, zone] = match;
    const wall: WallTime = {
      year: Number(y),
      month: Number(mo),
      day: Number(d),
      hour: Number(h ?? 0),
      minute: Number(mi ?? 0),
      second: Number(s ?? 0),
      millisecond: frac ? Math.round(Number(`0.${frac}`) * 1000) : 0,
    };
    if (!isValidWallTime(wall)) return undefined;
    const asUtc = utcMillis(wall);
    if (zone === undefined) return new Date(zonedToUtc(wall, timeZone));
    return new Date(asUtc - zoneOffsetMinutes(zone) * 60_000);
  }
  const pad = (n: number, width: number) => String(n).padStart(width, "0");
  return {
    wallTimeIn,
    offsetAt,
    parsePostDate,
    fileNameDate(fileName: string, timeZone: string): Date | undefined {
      const match = /^(\d{4})-(\d{2})-(\d{2})-/.exec(fileName);
      if (!match) return undefined;
      return parsePostDate(`${match[1]}-${match[2]}-${match[3]}`, timeZone);
    },
    localDate(date: Date, timeZone: string): string {
      const w = wallTimeIn(date.getTime(), timeZone);
      return `${pad(w.year, 4)}-${pad(w.month, 2)}-${pad(w.day, 2)}`;
    },
  };
})();

/** What a call gives, or the error it throws, for comparing. */
function outcome<T>(call: () => T): T | { threw: string } {
  try {
    return call();
  } catch (error) {
    return { threw: String(error) };
  }
}

const time = (date: Date | undefined) => date?.getTime();

/** Instants around which `zone`'s offset changes, found by weekly steps and bisection. */
function offsetChanges(zone: string, from: number, to: number): number[] {
  const WEEK = 7 * 86_400_000;
  const changes: number[] = [];
  let before = from;
  let offset = reference.offsetAt(before, zone);
  for (let at = from + WEEK; at <= to + WEEK; at += WEEK) {
    const next = reference.offsetAt(at, zone);
    if (next !== offset) {
      let [low, high] = [before, at];
      while (high - low > 1) {
        const middle = low + Math.floor((high - low) / 2);
        if (reference.offsetAt(middle, zone) === offset) low = middle;
        else high = middle;
      }
      changes.push(high);
      offset = next;
    }
    before = at;
  }
  return changes;
}

describe("parsePostDate", () => {
  it("reads dates without a zone in the site's zone", () => {
    expect(parsePostDate("2022-03-30 17:30:36", "Asia/Shanghai")?.toISOString()).toBe(
      "2022-03-30T09:30:36.000Z",
    );
    expect(parsePostDate("2022-03-30", "Asia/Kathmandu")?.toISOString()).toBe("2022-03-29T18:15:00.000Z");
    expect(parsePostDate("2022-03-30T12:00:00.5", "America/St_Johns")?.toISOString()).toBe(
      "2022-03-30T14:30:00.500Z",
    );
    expect(parsePostDate("2022-01-01 12:00", "Pacific/Chatham")?.toISOString()).toBe(
      "2021-12-31T22:15:00.000Z",
    );
  });

  it("keeps the zone a date gives", () => {
    expect(parsePostDate("2022-03-30 17:30:36 +0800", "America/New_York")?.toISOString()).toBe(
      "2022-03-30T09:30:36.000Z",
    );
    expect(parsePostDate("2022-03-30T09:30:36Z", "Asia/Shanghai")?.toISOString()).toBe(
      "2022-03-30T09:30:36.000Z",
    );
  });

  it("settles on one instant in a DST gap and in an overlap", () => {
    // New York skipped 02:00-03:00 on 2021-03-14 (02:30 reads as 01:30 EST) and repeated
    // 01:00-02:00 on 2021-11-07 (the first, EDT, is taken).
    expect(parsePostDate("2021-03-14 02:30", "America/New_York")?.toISOString()).toBe(
      "2021-03-14T06:30:00.000Z",
    );
    expect(parsePostDate("2021-11-07 01:30", "America/New_York")?.toISOString()).toBe(
      "2021-11-07T05:30:00.000Z",
    );
    // Lord Howe Island moves its clocks by half an hour (+11 to +10:30 on 2022-04-03 at 02:00).
    expect(parsePostDate("2022-04-03 01:45", "Australia/Lord_Howe")?.toISOString()).toBe(
      "2022-04-02T15:15:00.000Z",
    );
    expect(parsePostDate("2022-10-02 02:15", "Australia/Lord_Howe")?.toISOString()).toBe(
      "2022-10-01T15:45:00.000Z",
    );
  });

  it("keeps the seconds of local mean time", () => {
    // Shanghai kept LMT (+08:05:43) until 1901.
    expect(parsePostDate("1900-06-01 12:00", "Asia/Shanghai")?.toISOString()).toBe(
      "1900-06-01T03:54:17.000Z",
    );
    expect(wallTimeIn(Date.UTC(1900, 5, 1, 3, 54, 17), "Asia/Shanghai")).toEqual({
      year: 1900,
      month: 6,
      day: 1,
      hour: 12,
      minute: 0,
      second: 0,
      millisecond: 0,
    });
  });

  it("rejects what is not a date", () => {
    for (const text of [
      "",
      "2022-02-30",
      "2022-13-01",
      "2022-03-30 24:00",
      "yesterday",
      "2022-03-30 +0800x",
    ]) {
      expect(parsePostDate(text, "Asia/Shanghai")).toBeUndefined();
    }
  });
});

describe("the other date functions", () => {
  it("gives the calendar date and wall time in a zone", () => {
    const instant = new Date("2022-03-30T20:00:00.250Z");
    expect(localDate(instant, "Asia/Shanghai")).toBe("2022-03-31");
    expect(localDate(instant, "America/New_York")).toBe("2022-03-30");
    expect(wallTimeIn(instant.getTime(), "Asia/Kathmandu")).toEqual({
      year: 2022,
      month: 3,
      day: 31,
      hour: 1,
      minute: 45,
      second: 0,
      millisecond: 250,
    });
    expect(fileNameDate("2022-03-30-slug.md", "Asia/Shanghai")?.toISOString()).toBe(
      "2022-03-29T16:00:00.000Z",
    );
    expect(fileNameDate("slug.md", "Asia/Shanghai")).toBeUndefined();
  });

  it("knows the zones the runtime knows, and fails alike on the others", () => {
    expect(isKnownTimeZone("Asia/Shanghai")).toBe(true);
    expect(isKnownTimeZone("Mars/Olympus_Mons")).toBe(false);
    expect(outcome(() => wallTimeIn(0, "Mars/Olympus_Mons"))).toEqual(
      outcome(() => reference.wallTimeIn(0, "Mars/Olympus_Mons")),
    );
    expect(outcome(() => parsePostDate("2022-03-30", "Mars/Olympus_Mons"))).toEqual(
      outcome(() => reference.parsePostDate("2022-03-30", "Mars/Olympus_Mons")),
    );
    expect(isKnownTimeZone("Mars/Olympus_Mons")).toBe(false);
  });
});

describe("the offset cache", () => {
  const zone = fc.constantFrom(...ZONES);

  it("gives the wall time formatting gives, for instants from 1900 to 2100", () => {
    fc.assert(
      fc.property(fc.integer({ min: YEAR_1900, max: YEAR_2100 }), zone, (millis, timeZone) => {
        expect(wallTimeIn(millis, timeZone)).toEqual(reference.wallTimeIn(millis, timeZone));
        expect(localDate(new Date(millis), timeZone)).toBe(reference.localDate(new Date(millis), timeZone));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("gives what formatting gives for any instant, fractional and out of range ones included", () => {
    const instant = fc.oneof(
      fc.integer({ min: -8.64e15, max: 8.64e15 }),
      fc.double({ min: -8.64e15, max: 8.64e15 }),
      fc.constantFrom(
        -8.64e15,
        8.64e15,
        -62_135_596_800_000,
        -62_135_596_800_001,
        -62_198_755_200_000,
        // 29 February of 1 BC and 5 BC (proleptic years 0 and -4, leap years; 1 and 5 of the era are not)
        -62_162_078_400_000,
        -62_288_308_800_000,
        253_402_300_800_000,
        -0,
        -0.5,
        0.5,
        999.5,
        -1e16,
        1e16,
        Number.NaN,
        Number.POSITIVE_INFINITY,
      ),
    );
    fc.assert(
      fc.property(instant, zone, (millis, timeZone) => {
        expect(outcome(() => wallTimeIn(millis, timeZone))).toEqual(
          outcome(() => reference.wallTimeIn(millis, timeZone)),
        );
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("reads dates as before, for dates from 1900 to 2100 with and without a zone", () => {
    const two = (n: number) => String(n).padStart(2, "0");
    const date = fc
      .record({
        year: fc.integer({ min: 1900, max: 2100 }),
        month: fc.integer({ min: 1, max: 12 }),
        day: fc.integer({ min: 1, max: 31 }),
        hour: fc.integer({ min: 0, max: 23 }),
        minute: fc.integer({ min: 0, max: 59 }),
        second: fc.integer({ min: 0, max: 60 }),
        fraction: fc.constantFrom("", ".5", ".123", ".9999"),
        form: fc.constantFrom("date", "minutes", "seconds"),
        separator: fc.constantFrom(" ", "T"),
        zone: fc.constantFrom("", "", "", " +0800", "Z", " -03:30", "+5", " UTC"),
      })
      .map((d) => {
        const day = `${d.year}-${two(d.month)}-${two(d.day)}`;
        if (d.form === "date") return `${day}${d.zone}`;
        const minutes = `${day}${d.separator}${two(d.hour)}:${two(d.minute)}`;
        return d.form === "minutes"
          ? `${minutes}${d.zone}`
          : `${minutes}:${two(d.second)}${d.fraction}${d.zone}`;
      });
    fc.assert(
      fc.property(date, zone, (text, timeZone) => {
        expect(time(parsePostDate(text, timeZone))).toBe(time(reference.parsePostDate(text, timeZone)));
        const fileName = `${text.slice(0, 10)}-post.md`;
        expect(time(fileNameDate(fileName, timeZone))).toBe(time(reference.fileNameDate(fileName, timeZone)));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("is exact around every offset change of the zones from 1900 to 2100", () => {
    const HOUR = 3_600_000;
    const DAY = 24 * HOUR;
    let checked = 0;
    for (const timeZone of ZONES) {
      for (const change of offsetChanges(timeZone, YEAR_1900, YEAR_2100)) {
        for (const delta of [-DAY - 1, -DAY, -HOUR, -1000, -1, 0, 1, 1000, HOUR, DAY, DAY + 1]) {
          const millis = change + delta;
          expect(wallTimeIn(millis, timeZone)).toEqual(reference.wallTimeIn(millis, timeZone));
        }
        // Wall times within two hours of the change, every quarter of an hour: in and out of gaps and overlaps.
        const local = reference.wallTimeIn(change, timeZone);
        const base = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
        for (let quarter = -8; quarter <= 8; quarter++) {
          const text = new Date(base + quarter * 15 * 60_000).toISOString().slice(0, 19);
          expect(time(parsePostDate(text, timeZone))).toBe(time(reference.parsePostDate(text, timeZone)));
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });
});
