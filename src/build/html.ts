/**
 * From a post's body to the HTML published in feeds: Markdown rendered (raw HTML allowed, since
 * bodies mix both), then sanitized to an allowlist, hidden blocks dropped, every URL made absolute.
 */
import MarkdownIt from "markdown-it";
import sanitizeHtml from "sanitize-html";
import { stripInvalidXmlChars } from "../render/xml";

const markdown = new MarkdownIt({ html: true, linkify: false, typographer: false });

/** Renders Markdown (CommonMark with raw HTML) to HTML. */
export function renderMarkdown(source: string): string {
  return markdown.render(source);
}

/** Tags whose whole subtree is dropped, text included. */
const DROPPED_SUBTREES = new Set([
  "script",
  "style",
  "template",
  "svg",
  "math",
  "iframe",
  "frame",
  "frameset",
  "object",
  "embed",
  "applet",
  "noscript",
  "noembed",
  "noframes",
  "xmp",
  "plaintext",
  "textarea",
  "select",
  "option",
  "button",
  "input",
  "head",
  "title",
  "meta",
  "link",
  "base",
]);

/** The same, as sanitize-html's `nonTextTags` wants them. */
const NON_TEXT_TAGS = [...DROPPED_SUBTREES];

/** Renamed-to marker for elements dropped with their content (see `exclusiveFilter`). */
const DROP = "x-drop";

/** Attributes holding one URL. */
const URL_ATTRIBUTES = ["href", "src", "poster", "cite"] as const;

const ALLOWED_TAGS = [
  ...["p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code", "div", "span"],
  ...["em", "strong", "b", "i", "u", "s", "del", "ins", "sub", "sup", "small", "mark", "q", "cite", "abbr"],
  ...["a", "img", "figure", "figcaption", "picture", "source", "video", "audio", "track"],
  ...["ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption"],
  ...["details", "summary", "time", "kbd", "samp", "var", "section", "article", "aside", DROP],
];

/** No `style`, `class`, `id`, `data-*` or event handler ever passes: only these. */
const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  [DROP]: [DROP],
  a: ["href", "title"],
  img: ["src", "srcset", "alt", "title", "width", "height"],
  source: ["src", "srcset", "type", "media", "sizes"],
  video: ["src", "poster", "controls", "width", "height"],
  audio: ["src", "controls"],
  track: ["src", "kind", "srclang", "label"],
  td: ["colspan", "rowspan"],
  th: ["colspan", "rowspan", "scope"],
  ol: ["start", "reversed"],
  li: ["value"],
  time: ["datetime"],
  q: ["cite"],
  blockquote: ["cite"],
  del: ["cite", "datetime"],
  ins: ["cite", "datetime"],
  abbr: ["title"],
};

const SAFE_SCHEMES = new Set(["http:", "https:", "mailto:"]);
const SAFE_MEDIA_SCHEMES = new Set(["http:", "https:"]);

/**
 * Sanitizes rendered HTML. `baseUrl` is the post's own absolute address: relative URLs resolve
 * against it and protocol-relative ones become `https:`.
 */
export function sanitizePostHtml(html: string, baseUrl: string): string {
  return stripInvalidXmlChars(sanitizeHtml(html, sanitizeOptions(baseUrl))).trim();
}

/** What sanitize-html is told for a post whose address is `baseUrl`. */
export function sanitizeOptions(baseUrl: string): sanitizeHtml.IOptions {
  return {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: ALLOWED_ATTRIBUTES,
    allowedSchemes: ["http", "https", "mailto"],
    allowedSchemesByTag: { img: ["http", "https"], source: ["http", "https"], video: ["http", "https"] },
    allowedSchemesAppliedToAttributes: ["href", "src", "cite", "poster"],
    allowProtocolRelative: false,
    allowedStyles: {},
    disallowedTagsMode: "discard",
    nonTextTags: NON_TEXT_TAGS,
    transformTags: {
      "*": (tagName, attribs) => {
        if (DROPPED_SUBTREES.has(tagName) || isHidden(attribs))
          return { tagName: DROP, attribs: { [DROP]: "" } };
        return { tagName, attribs: absolutizeAttributes(tagName, attribs, baseUrl) };
      },
    },
    // `frame.tag` is the name before transformTags; the marker attribute survives the renaming.
    exclusiveFilter: (frame) => DROP in frame.attribs,
  };
}

/** A declaration that hides an element, in a style with whitespace removed and lower-cased. */
const HIDING_DECLARATION = /(^|;)(display:none|visibility:hidden)/;

/** `display:none`, `visibility:hidden` and the `hidden` attribute: tracking blocks readers never see. */
function isHidden(attribs: Record<string, string>): boolean {
  if ("hidden" in attribs) return true;
  const style = attribs.style;
  return style !== undefined && HIDING_DECLARATION.test(style.toLowerCase().replace(/\s+/g, ""));
}

/**
 * `attribs` with every URL made absolute and unsafe ones removed; most elements have none, and get
 * `attribs` itself back (sanitize-html takes the object returned in place of the one it passed).
 */
function absolutizeAttributes(
  tagName: string,
  attribs: Record<string, string>,
  baseUrl: string,
): Record<string, string> {
  if (attribs.srcset === undefined && !URL_ATTRIBUTES.some((name) => attribs[name] !== undefined))
    return attribs;
  const out: Record<string, string> = { ...attribs };
  const media = tagName !== "a" && tagName !== "q" && tagName !== "blockquote";
  for (const name of URL_ATTRIBUTES) {
    const value = out[name];
    if (value === undefined) continue;
    const absolute = absoluteUrl(
      value,
      baseUrl,
      name === "href" || !media ? SAFE_SCHEMES : SAFE_MEDIA_SCHEMES,
    );
    if (absolute === undefined) delete out[name];
    else out[name] = absolute;
  }
  if (out.srcset !== undefined) {
    const srcset = absoluteSrcset(out.srcset, baseUrl);
    if (srcset) out.srcset = srcset;
    else delete out.srcset;
  }
  return out;
}

/**
 * Resolves `value` against `baseUrl`; `undefined` for an unsafe scheme or an unparsable URL.
 * Control characters and whitespace that browsers ignore inside schemes are removed first, so that
 * `java\tscript:` cannot slip through.
 */
export function absoluteUrl(value: string, baseUrl: string, schemes = SAFE_SCHEMES): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
  const trimmed = value.replace(/[\u0000-\u001F\u007F]+/g, "").trim();
  if (trimmed === "") return undefined;
  const base = parsedBase(baseUrl);
  if (!base) return undefined;
  // Most URLs of a post are absolute or protocol-relative and already as the parser would write them.
  const absolute = trimmed.startsWith("//") ? `https:${trimmed}` : trimmed;
  if (isSerializedHttpUrl(absolute))
    return schemes.has(absolute.startsWith("https:") ? "https:" : "http:") ? absolute : undefined;
  try {
    // An absolute URL ignores the base: the protocol-relative one was given `https:` above.
    const url = new URL(absolute, base);
    return schemes.has(url.protocol) ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An absolute `http:`/`https:` URL written exactly as the URL Standard serializes it, so that
 * `new URL(value).href === value` (checked against the parser in tests/build/url-fast-path.test.ts):
 * a lower-case ASCII host whose last label starts with a letter (so it is not read as an IPv4 address)
 * and no label is Punycode (which the parser would check), no user, password or port, then a path,
 * query and fragment that hold no dot segment (`.`, `..`, `%2e`: the parser removes them) and only
 * characters that no component percent-encodes (URL Standard §4.4; the query leaves out `'`, which
 * special schemes encode there). Anything else goes through the parser.
 */
const SERIALIZED_HTTP_URL =
  /^https?:\/\/(?!xn--|[^/]*\.xn--)(?:[a-z0-9-]+\.)*[a-z][a-z0-9-]*(?![^?#]*\/(?:\.|%2[eE]))\/[\w\-.~!$&()*+,;=:@/%]*(?:\?[\w\-.~!$&()*+,;=:@/?%]*)?(?:#[\w\-.~!$&()*+,;=:@/?%]*)?$/;

/** True when `value` is an absolute http(s) URL the URL parser would give back unchanged. */
export function isSerializedHttpUrl(value: string): boolean {
  return SERIALIZED_HTTP_URL.test(value);
}

/** The base URL last parsed: a post's URLs all resolve against its one address. */
let lastBase: { text: string; url: URL | undefined } = { text: "", url: undefined };

/** `baseUrl` parsed (`undefined` when it cannot be), once for as many calls in a row as use it. */
function parsedBase(baseUrl: string): URL | undefined {
  if (lastBase.text !== baseUrl) {
    let url: URL | undefined;
    try {
      url = new URL(baseUrl);
    } catch {
      url = undefined;
    }
    lastBase = { text: baseUrl, url };
  }
  return lastBase.url;
}

/** Each candidate of a `srcset` (HTML §4.8.4.2.1) made absolute; unsafe candidates dropped. */
function absoluteSrcset(srcset: string, baseUrl: string): string {
  return srcset
    .split(/,\s+|,(?=\S+\s+\d)/)
    .map((candidate) => candidate.trim())
    .filter(Boolean)
    .map((candidate) => {
      const [url = "", ...descriptor] = candidate.split(/\s+/);
      const absolute = absoluteUrl(url, baseUrl, SAFE_MEDIA_SCHEMES);
      return absolute ? [absolute, ...descriptor].join(" ") : "";
    })
    .filter(Boolean)
    .join(", ");
}
