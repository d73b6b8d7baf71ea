/** Permalinks as Jekyll computes them: built-in styles, placeholders, and what is not a placeholder. */
import { describe, expect, it } from "vitest";
import { permalinkPath } from "../../src/build/permalink";

// 2022-05-26 01:02:03 in Shanghai (UTC+8) is still 2022-05-25 in UTC: the site's zone decides the day.
const base = {
  date: new Date("2022-05-25T17:02:03Z"),
  timeZone: "Asia/Shanghai",
  categories: ["EMNews", "Bond Market"],
  slug: "Hello, World",
};

describe("permalinkPath", () => {
  it("fills the built-in styles in the site's zone, with categories lower-cased", () => {
    expect(permalinkPath({ ...base, pattern: "date" })).toBe(
      "/emnews/bond%20market/2022/05/26/Hello,-World.html",
    );
    expect(permalinkPath({ ...base, pattern: "pretty" })).toBe(
      "/emnews/bond%20market/2022/05/26/Hello,-World/",
    );
    expect(permalinkPath({ ...base, pattern: "none" })).toBe("/emnews/bond%20market/Hello,-World.html");
  });

  it("fills a template's placeholders and leaves unknown names, even Object.prototype's, as written", () => {
    expect(permalinkPath({ ...base, pattern: "/:year/:i_month/:i_day/:hour:minute/:slug" })).toBe(
      "/2022/5/26/0102/Hello,-World",
    );
    expect(permalinkPath({ ...base, pattern: "/:constructor/:toString/:nope/:title" })).toBe(
      "/:constructor/:toString/:nope/Hello,-World",
    );
  });

  it("squeezes empty placeholders and drops dot segments", () => {
    expect(permalinkPath({ ...base, categories: [], pattern: "/:categories/:title/" })).toBe(
      "/Hello,-World/",
    );
    expect(permalinkPath({ ...base, categories: [".."], pattern: "/:categories/:title" })).toBe(
      "/Hello,-World",
    );
  });
});
