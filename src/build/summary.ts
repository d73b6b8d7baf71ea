/** A plain-text summary of a post, cut cleanly for Chinese as well as for spaced scripts. */
import { DomUtils, parseDocument } from "htmlparser2";
import { stripInvalidXmlChars } from "../render/xml";

/** Longest summary, in user-perceived characters (grapheme clusters). */
export const SUMMARY_LIMIT = 200;

const BLOCKS = new Set(["p", "blockquote", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "td", "pre"]);
const SENTENCE_END = /[。！？!?…．.；;]/u;
const graphemes = new Intl.Segmenter("und", { granularity: "grapheme" });

/** Visible text of an HTML fragment, whitespace collapsed. */
export function htmlToText(html: string): string {
  return collapse(DomUtils.textContent(parseDocument(html).children));
}

/** The text of the first block of `html` that has any, or of the whole fragment. */
export function firstParagraphText(html: string): string {
  const document = parseDocument(html);
  const block = DomUtils.findOne(
    (element) => BLOCKS.has(element.name) && collapse(DomUtils.textContent(element)) !== "",
    document.children,
    true,
  );
  return collapse(DomUtils.textContent(block ?? document.children));
}

/**
 * Cuts `text` to at most `limit` grapheme clusters: at the last sentence end if that keeps at least
 * half, else at the last space, else between two characters; an ellipsis marks a cut.
 */
export function cutSummary(text: string, limit = SUMMARY_LIMIT): string {
  const clusters = Array.from(graphemes.segment(text), (s) => s.segment);
  if (clusters.length <= limit) return text;
  const head = clusters.slice(0, limit - 1);
  let cut = -1;
  for (let i = head.length - 1; i >= limit / 2; i--) {
    if (SENTENCE_END.test(head[i] ?? "")) {
      cut = i + 1;
      break;
    }
  }
  if (cut > 0) return head.slice(0, cut).join("");
  for (let i = head.length - 1; i >= limit / 2; i--) {
    if (/\s/.test(head[i] ?? "")) {
      cut = i;
      break;
    }
  }
  return `${head
    .slice(0, cut > 0 ? cut : head.length)
    .join("")
    .trimEnd()}…`;
}

function collapse(text: string): string {
  return stripInvalidXmlChars(text).replace(/\s+/g, " ").trim();
}
