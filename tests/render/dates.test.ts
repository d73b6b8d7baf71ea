import { describe, expect, it } from "vitest";
import { httpDate, parseRfc3339, rfc822, rfc3339 } from "../../src/render/dates";

describe("rfc822", () => {
  it("gives the RSS form with a four-digit year and GMT", () => {
    expect(rfc822("2022-03-30T09:30:36Z")).toBe("Wed, 30 Mar 2022 09:30:36 GMT");
  });

  it("converts offsets to GMT", () => {
    expect(rfc822("2022-03-30T17:30:36+08:00")).toBe("Wed, 30 Mar 2022 09:30:36 GMT");
  });

  it.each(["2022-03-30", "30 Mar 2022", "2022-03-30 09:30:36", "", "2022-13-01T00:00:00Z"])(
    "rejects %j",
    (value) => {
      expect(() => rfc822(value)).toThrow(RangeError);
    },
  );

  it("rejects years that have no four-digit form", () => {
    expect(() => rfc822("0999-01-01T00:00:00Z")).toThrow(RangeError);
  });
});

describe("httpDate", () => {
  it("gives the RFC 9110 IMF-fixdate", () => {
    expect(httpDate("1994-11-06T08:49:37Z")).toBe("Sun, 06 Nov 1994 08:49:37 GMT");
  });
});

describe("rfc3339", () => {
  it("gives UTC without milliseconds", () => {
    expect(rfc3339(new Date(Date.UTC(2022, 2, 30, 9, 30, 36, 789)))).toBe("2022-03-30T09:30:36Z");
  });

  it("rejects an invalid date", () => {
    expect(() => rfc3339(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe("parseRfc3339", () => {
  it("accepts fractions, offsets and lower-case t/z", () => {
    expect(parseRfc3339("2022-03-30t09:30:36.5z").toISOString()).toBe("2022-03-30T09:30:36.500Z");
    expect(parseRfc3339("2022-03-30T09:30:36-01:30").toISOString()).toBe("2022-03-30T11:00:36.000Z");
  });
});
