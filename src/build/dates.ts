/**
 * Reading the dates Jekyll sites write. Dates with a zone are taken as given; dates without one are
 * wall-clock times in the site's IANA time zone (Jekyll's `timezone` setting).
 */

/** `2022-03-30`, `2022-03-30 17:30`, `2022-03-30T17:30:36.5`, each optionally followed by `Z`, `+0800` or `+08:00`. */
const DATE_PATTERN =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|z|UTC|GMT|[+-]\d{2}:?\d{2}|[+-]\d{1,2})?$/;

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/**
 * Parses a front-matter date into a UTC `Date`, or `undefined` when it is not a date.
 * `timeZone` applies only when the text has no zone of its own.
 */
export function parsePostDate(text: string, timeZone: string): Date | undefined {
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

/** The date a Jekyll post file name starts with (`YYYY-MM-DD-`), at midnight in the site's zone. */
export function fileNameDate(fileName: string, timeZone: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})-/.exec(fileName);
  if (!match) return undefined;
  return parsePostDate(`${match[1]}-${match[2]}-${match[3]}`, timeZone);
}

/** The calendar date (`YYYY-MM-DD`) of an instant as seen in `timeZone`. */
export function localDate(date: Date, timeZone: string): string {
  const w = wallTimeIn(date.getTime(), timeZone);
  return `${pad(w.year, 4)}-${pad(w.month, 2)}-${pad(w.day, 2)}`;
}

/** Wall-clock fields of an instant in `timeZone`. */
export function wallTimeIn(millis: number, timeZone: string): WallTime {
  if (!isCacheable(millis)) return formattedWallTime(millis, timeZone);
  const local = new Date(millis + cachedOffset(millis, timeZone));
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
    millisecond: ((millis % 1000) + 1000) % 1000,
  };
}

/** Wall-clock fields of an instant in `timeZone`, as the zone's formatter gives them. */
function formattedWallTime(millis: number, timeZone: string): WallTime {
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

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

function zonedToUtc(wall: WallTime, timeZone: string): number {
  // Guess the offset at the wall time read as UTC, then correct once with the offset at the result;
  // this settles on the right instant on both sides of a DST change.
  const target = utcMillis(wall);
  let guess = target - offsetAt(target, timeZone);
  guess = target - offsetAt(guess, timeZone);
  return guess;
}

/** How far `timeZone`'s wall clock is ahead of UTC at `millis`, in milliseconds. */
function offsetAt(millis: number, timeZone: string): number {
  return isCacheable(millis) ? cachedOffset(millis, timeZone) : exactOffset(millis, timeZone);
}

function exactOffset(millis: number, timeZone: string): number {
  return utcMillis(formattedWallTime(millis, timeZone)) - millis;
}

/*
 * Formatting takes microseconds a call and a post needs several offsets (file name date, front
 * matter date, permalink), mostly of instants within a day of those of other posts. So offsets are
 * read at the starts of UTC days, once each per zone, and an instant takes the offset at the start
 * of its day when the next day starts with the same offset. That is exact as long as no zone changes
 * its offset twice within 24 hours (and back): the closest two offset changes in the tz database
 * (2025b, backzone history included) are four days apart (Africa/Freetown, September 1939). A day
 * whose ends differ holds a change, and its instants are formatted one by one. Offsets are whole
 * seconds (LMT included), exactly as formatting gives them. (Quarter-hour buckets would need less of the tz data, but posts
 * are hours apart: they formatted about as often as before.)
 */
const OFFSET_BUCKET_MS = 86_400_000;
/** Offsets read at bucket starts, by zone and bucket number; emptied when it grows past the limit. */
const bucketOffsets = new Map<string, Map<number, number>>();
const BUCKET_OFFSETS_LIMIT = 100_000;
/**
 * Instants cached: integers whose wall times, and those of their bucket's ends, are within years 1
 * to 275760, where the formatter's year (of the AD/BC era) is `Date`'s proleptic Gregorian year.
 * Offsets are under a day.
 */
const CACHEABLE_MARGIN = OFFSET_BUCKET_MS + 2 * 86_400_000;
const CACHEABLE_MIN = -62_135_596_800_000 + CACHEABLE_MARGIN;
const CACHEABLE_MAX = 8_640_000_000_000_000 - CACHEABLE_MARGIN;

function isCacheable(millis: number): boolean {
  return Number.isInteger(millis) && millis >= CACHEABLE_MIN && millis <= CACHEABLE_MAX;
}

function cachedOffset(millis: number, timeZone: string): number {
  let offsets = bucketOffsets.get(timeZone);
  if (!offsets) {
    formatterFor(timeZone); // throws on an unknown zone before the zone gets an entry
    offsets = new Map();
    bucketOffsets.set(timeZone, offsets);
  } else if (offsets.size > BUCKET_OFFSETS_LIMIT) {
    offsets.clear();
  }
  const bucket = Math.floor(millis / OFFSET_BUCKET_MS);
  const start = bucketEndOffset(offsets, bucket, timeZone);
  return start === bucketEndOffset(offsets, bucket + 1, timeZone) ? start : exactOffset(millis, timeZone);
}

function bucketEndOffset(offsets: Map<number, number>, bucket: number, timeZone: string): number {
  let offset = offsets.get(bucket);
  if (offset === undefined) {
    offset = exactOffset(bucket * OFFSET_BUCKET_MS, timeZone);
    offsets.set(bucket, offset);
  }
  return offset;
}

function utcMillis(w: WallTime): number {
  const date = new Date(0);
  date.setUTCFullYear(w.year, w.month - 1, w.day);
  date.setUTCHours(w.hour, w.minute, w.second, w.millisecond);
  return date.getTime();
}

function isValidWallTime(w: WallTime): boolean {
  if (w.month < 1 || w.month > 12 || w.day < 1 || w.hour > 23 || w.minute > 59 || w.second > 60) return false;
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

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}
