/**
 * Date forms used by the formats. Input dates are RFC 3339 strings (the model's form); anything else is
 * rejected rather than guessed, so a bad date fails the build instead of producing an invalid feed.
 */

/** RFC 3339 §5.6 `date-time` (the `T` and `Z` may be lower case, §5.6 NOTE). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** Parses an RFC 3339 date-time; throws `RangeError` on anything else. */
export function parseRfc3339(value: string): Date {
  const date = new Date(value);
  if (!RFC3339.test(value) || Number.isNaN(date.getTime())) {
    throw new RangeError(`not an RFC 3339 date-time: ${JSON.stringify(value)}`);
  }
  return date;
}

/**
 * RSS 2.0 date, RFC 822 with a four-digit year and `GMT` (RFC 1123 §5.2.14), e.g.
 * `Wed, 30 Mar 2022 09:30:36 GMT`.
 */
export function rfc822(rfc3339: string): string {
  const date = parseRfc3339(rfc3339);
  const year = date.getUTCFullYear();
  if (year < 1000 || year > 9999) throw new RangeError(`year ${year} has no four-digit RFC 822 form`);
  // ECMA-262 Date.prototype.toUTCString: "Www, DD Mmm YYYY HH:MM:SS GMT".
  return date.toUTCString();
}

/** RFC 9110 §5.6.7 IMF-fixdate (the form of `Last-Modified`), e.g. `Wed, 30 Mar 2022 09:30:36 GMT`. */
export function httpDate(rfc3339: string): string {
  return rfc822(rfc3339);
}

/** RFC 3339 in UTC without fractional seconds, e.g. `2022-03-30T09:30:36Z`. */
export function rfc3339(date: Date): string {
  // toISOString throws RangeError on an invalid date.
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
