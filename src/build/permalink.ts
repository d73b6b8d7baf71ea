/**
 * A post's address on the site, computed the way Jekyll does (docs: "Permalinks"): a built-in style
 * or a template of placeholders, filled from the post's date in the site's zone, its categories
 * (lower-cased, as Jekyll's URL drop does) and its slug.
 */
import { wallTimeIn } from "./dates";

/** Jekyll's built-in permalink styles. */
const STYLES: Record<string, string> = {
  date: "/:categories/:year/:month/:day/:title:output_ext",
  pretty: "/:categories/:year/:month/:day/:title/",
  ordinal: "/:categories/:year/:y_day/:title:output_ext",
  weekdate: "/:categories/:year/W:week/:short_day/:title:output_ext",
  none: "/:categories/:title:output_ext",
};

export interface PermalinkInput {
  /** The site or front-matter `permalink` setting. */
  pattern: string;
  date: Date;
  timeZone: string;
  categories: string[];
  slug: string;
}

/** The path part of a post's permalink, percent-encoded, e.g. `/emnews/2021/12/08/abc.html`. */
export function permalinkPath(input: PermalinkInput): string {
  const template = STYLES[input.pattern] ?? input.pattern;
  const w = wallTimeIn(input.date.getTime(), input.timeZone);
  const pad = (n: number) => String(n).padStart(2, "0");
  const yearStart = Date.UTC(w.year, 0, 1);
  const yDay = Math.floor((Date.UTC(w.year, w.month - 1, w.day) - yearStart) / 86_400_000) + 1;
  const title = slugify(input.slug);
  const values: Record<string, string> = {
    year: String(w.year),
    short_year: String(w.year).slice(-2),
    month: pad(w.month),
    i_month: String(w.month),
    day: pad(w.day),
    i_day: String(w.day),
    y_day: String(yDay).padStart(3, "0"),
    hour: pad(w.hour),
    minute: pad(w.minute),
    second: pad(w.second),
    title,
    slug: title,
    // Jekyll's URL.escape_path keeps "/", so a category `a/b` makes two folders.
    categories: [...new Set(input.categories.map((c) => c.toLowerCase()))]
      .map((c) => c.split("/").map(encodeSegment).join("/"))
      .join("/"),
    output_ext: ".html",
  };
  const path = template.replace(/:(\w+)/g, (whole, name: string) =>
    // Own keys only: `:constructor` is no placeholder (an `in` test would find Object.prototype's).
    Object.hasOwn(values, name) ? (values[name] ?? "") : whole,
  );
  // Like Jekyll's URL sanitizing: empty placeholders leave double slashes, squeezed; a category named
  // `.` or `..` must not climb out of the site, so dot segments go.
  const segments = path.split("/").filter((segment, i, all) => {
    if (segment === "." || segment === "..") return false;
    return segment !== "" || i === all.length - 1;
  });
  return `/${segments.join("/")}`;
}

/** Jekyll's "pretty" slug mode, cased: keeps letters, digits and `._~!$&'()+,;=@`, hyphens the rest. */
export function slugify(text: string): string {
  const slug = text
    .replace(/[^\p{L}\p{N}._~!$&'()+,;=@-]+/gu, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-|-$/g, "");
  return encodeSegment(slug);
}

export function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/%2C|%3B|%3D|%40|%24|%26|%2B/g, (c) => decodeURIComponent(c));
}
