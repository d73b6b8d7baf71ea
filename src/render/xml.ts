/**
 * Text hygiene shared by the renderers: XML 1.0 escaping, and removal of the code points that XML 1.0
 * forbids (they are meaningless control characters, so JSON Feed drops them too).
 * Escaping only, never CDATA, so `]]>` needs no special case.
 */

/**
 * XML 1.0 §2.2 `Char` excludes U+0000-U+0008, U+000B, U+000C, U+000E-U+001F, surrogates, U+FFFE and
 * U+FFFF. With the `u` flag a well-formed surrogate pair is one astral code point, so the class below
 * only matches lone surrogates.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML 1.0 forbids
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/gu;
/**
 * The same class without `u`, so any surrogate matches: a string it does not match has nothing to
 * remove, and testing it is several times cheaper than a `u` replace (most text has no surrogates).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML 1.0 forbids
const MAYBE_INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** XML 1.0 §2.4: `&` and `<` must be escaped in text, `>` too so that `]]>` can never appear. */
const TEXT_ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/**
 * XML 1.0 §3.3.3: attribute-value normalization turns literal tab, newline and carriage return into
 * spaces, character references survive it; quotes are escaped so either delimiter is safe.
 */
const ATTR_ESCAPES: Readonly<Record<string, string>> = {
  ...TEXT_ESCAPES,
  '"': "&quot;",
  "'": "&apos;",
  "\t": "&#9;",
  "\n": "&#10;",
  "\r": "&#13;",
};
const ATTR_SPECIALS = /[&<>"'\t\n\r]/g;

/**
 * The last long text seen clean, and the last long text escaped with its escape: a post's HTML goes
 * through `stripInvalidXmlChars` for each format's item and through `escapeText` for RSS and then
 * Atom, with short texts (titles, dates) in between, so one entry for long texts saves those passes.
 * Strings compare by value, so a hit is always right.
 */
const LONG_TEXT = 1024;
let lastClean = "";
let lastEscaped = { text: "", escaped: "" };

/** Removes every code point XML 1.0 does not allow in a document. */
export function stripInvalidXmlChars(s: string): string {
  if (s.length >= LONG_TEXT && s === lastClean) return s;
  if (MAYBE_INVALID_XML_CHARS.test(s)) return s.replace(INVALID_XML_CHARS, "");
  if (s.length >= LONG_TEXT) lastClean = s;
  return s;
}

/**
 * Makes `s` safe as XML character data (element content). Three plain replaces, `&` first: a post's
 * HTML has thousands of `<` and `>`, and a replace calling a function for each was a third slower.
 */
export function escapeText(s: string): string {
  if (s.length >= LONG_TEXT && s === lastEscaped.text) return lastEscaped.escaped;
  const escaped = stripInvalidXmlChars(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  if (s.length >= LONG_TEXT) lastEscaped = { text: s, escaped };
  return escaped;
}

/** Makes `s` safe inside a quoted attribute value, keeping tabs and line breaks as they are. */
export function escapeAttr(s: string): string {
  return stripInvalidXmlChars(s).replace(ATTR_SPECIALS, (c) => ATTR_ESCAPES[c] ?? c);
}

/** Attributes in writing order; every value is escaped. */
export type XmlAttrs = Readonly<Record<string, string>>;

function attrList(attrs: XmlAttrs): string {
  let list = "";
  for (const name of Object.keys(attrs)) list += ` ${name}="${escapeAttr(attrs[name] as string)}"`;
  return list;
}

/** `<name attrs>text</name>`, with the text escaped and no whitespace added inside. */
export function textElement(name: string, text: string, attrs: XmlAttrs = {}): string {
  return `<${name}${attrList(attrs)}>${escapeText(text)}</${name}>`;
}

/** `<name attrs/>`. */
export function emptyElement(name: string, attrs: XmlAttrs): string {
  return `<${name}${attrList(attrs)}/>`;
}

/** `<name attrs>`, for an element whose children follow. */
export function openTag(name: string, attrs: XmlAttrs = {}): string {
  return `<${name}${attrList(attrs)}>`;
}

/**
 * `open`, each of `lines` indented by `indent`, then `close`, one per line, ending with a line break.
 * Built by appending rather than by spreading arrays into a new one: V8 compiled the renderers
 * again each time such an array came empty or not (a different elements kind).
 */
export function indentedBlock(open: string, lines: readonly string[], close: string, indent: string): string {
  let block = `${open}\n`;
  for (const line of lines) block += `${indent}${line}\n`;
  return `${block}${close}\n`;
}

/** XML 1.0 §2.8: the declaration every document here starts with. */
export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';
