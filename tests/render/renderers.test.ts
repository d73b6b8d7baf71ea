/**
 * What holds for every format: determinism, purity, well-formedness, and that real parsers read back
 * the same items (count, ids, links, dates, titles) in each format.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { FEED_FORMATS, type FeedFormat, type FeedView } from "../../src/model";
import { renderAtom } from "../../src/render/atom";
import { renderJsonFeed } from "../../src/render/jsonfeed";
import { renderRss } from "../../src/render/rss";
import {
  assertJsonFeed11,
  assertWellFormedXml,
  type ParsedItem,
  parseWithAll,
} from "../helpers/feed-parsers";
import { deepFreeze, HOSTILE_TITLE_TEXT, makeView } from "./fixture";

const RENDERERS: Record<FeedFormat, (view: FeedView) => string> = {
  rss: renderRss,
  atom: renderAtom,
  json: renderJsonFeed,
};

/** What every parser must report for the fixture, from the input alone. */
function expectedItems(view: FeedView): ParsedItem[] {
  return view.items.map((post, i) => ({
    id: post.id,
    link: post.link,
    title: i === 0 ? HOSTILE_TITLE_TEXT : post.title,
    published: new Date(post.published).toISOString(),
  }));
}

afterEach(() => {
  vi.useRealTimers();
});

describe.each(FEED_FORMATS)("%s renderer", (format) => {
  const render = RENDERERS[format];

  it("is deterministic, does not read the clock and does not touch its input", () => {
    const view = makeView();
    const pristine = structuredClone(view);
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2030-01-01T00:00:00Z"));
    const first = render(deepFreeze(view));
    vi.setSystemTime(new Date("2031-06-15T12:34:56Z"));
    const second = render(view);
    expect(second).toBe(first);
    expect(render(makeView())).toBe(first);
    expect(view).toEqual(pristine);
  });

  it("ends with a newline and contains no forbidden character", () => {
    const body = render(makeView());
    expect(body.endsWith("\n")).toBe(true);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML 1.0 forbids
    expect(body).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
  });

  if (format !== "json") {
    it("is well-formed XML without CDATA", () => {
      const body = render(makeView());
      expect(() => assertWellFormedXml(body)).not.toThrow();
      expect(body).not.toContain("<![CDATA[");
    });
  }

  it("reads back the same items with every parser", async () => {
    const view = makeView();
    const parsed = await parseWithAll(format, render(view));
    expect(parsed.length).toBeGreaterThanOrEqual(2);
    for (const feed of parsed) {
      expect({ parser: feed.parser, title: feed.title }).toEqual({ parser: feed.parser, title: view.title });
      expect({ parser: feed.parser, items: feed.items }).toEqual({
        parser: feed.parser,
        items: expectedItems(view),
      });
    }
  });

  it("reads back the hostile title as text, without the control characters", async () => {
    const parsed = await parseWithAll(format, render(makeView()));
    expect(parsed.map((feed) => feed.items[0]?.title)).toEqual(parsed.map(() => HOSTILE_TITLE_TEXT));
  });

  it("renders a valid document with no items", () => {
    const body = render({ ...makeView(), items: [] });
    if (format === "json") assertJsonFeed11(body);
    else assertWellFormedXml(body);
  });
});
