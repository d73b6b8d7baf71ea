/** A plain-text summary of a post, cut cleanly for Chinese as well as for spaced scripts. */
import { DomUtils, Parser, parseDocument } from "htmlparser2";
import { stripInvalidXmlChars } from "../render/xml";

/** Longest summary, in user-perceived characters (grapheme clusters). */
export const SUMMARY_LIMIT = 200;

const BLOCKS = new Set(["p", "blockquote", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "td", "pre"]);
const SENTENCE_END = /[。！？!?…．.；;]/u;
const graphemes = new Intl.Segmenter("und", { granularity: "grapheme" });
/** A lone surrogate: `u` makes a paired one count as one code point, which this does not match. */
const LONE_SURROGATE = /\p{Cs}/u;
/** Any surrogate, paired or not: text without one (most) needs no `u` scan, which costs ~4x more. */
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Visible text of an HTML fragment, whitespace collapsed: all its text, comments excluded, as
 * htmlparser2's `DomUtils.textContent` of the parsed document gives it, without building the tree.
 */
export function htmlToText(html: string): string {
  const texts: string[] = [];
  new Parser({ ontext: (data) => texts.push(data) }).end(html);
  return collapse(texts.join(""));
}

/** The text of the first block of `html` that has any, or of the whole fragment. */
export function firstParagraphText(html: string): string {
  // Text split around a tag (`\uD83D<b>\uDE00</b>`) may pair up into a character in a block's text
  // while each piece alone is stripped; the streaming test looks at one piece at a time, so such
  // input takes the tree.
  if (SURROGATE.test(html) && LONE_SURROGATE.test(html)) return firstParagraphTextOfTree(html);
  return firstParagraphTextStreamed(html) ?? firstParagraphTextOfTree(html);
}

/**
 * `firstParagraphTextOfTree` without the tree, stopping at the end of the block it picks.
 *
 * The callbacks mirror htmlparser2's DomHandler (what `parseDocument` builds the tree with): each
 * `onopentag` adds an element under the innermost open one, each `onclosetag` closes the innermost,
 * and each piece of text goes into the innermost open element, so it is in the text of every open
 * element. The first block in document order whose collapsed text is non-empty is then the
 * outermost block open when the first non-blank piece of text inside a block arrives: blocks opened
 * before it and already closed had only blank text, and blocks opened after it come later in
 * document order. Its text is that piece and all text up to its close; the blank text before it
 * collapses away. With no such piece, the answer is the whole text, as with the tree.
 *
 * "Non-blank" is judged piece by piece, which is exact because the text is split into pieces only
 * next to the ASCII characters of tags and entities, so never inside a surrogate pair (input with
 * lone surrogates takes the tree).
 * Returns `undefined` when DomHandler would close the document itself, which happens when the input
 * ends inside a tag (`<p class="x`); the tree decides then.
 */
function firstParagraphTextStreamed(html: string): string | undefined {
  /** Open elements, outermost first; `true` for a block. The document itself is not in it. */
  const open: boolean[] = [];
  /** Index in `open` of the outermost open block, or -1. */
  let outerBlock = -1;
  /** Index in `open` of the block found, or -1 before it is found. */
  let found = -1;
  let texts: string[] = [];
  let result: string | undefined;
  let underflow = false;
  const parser: Parser = new Parser({
    onopentag(name) {
      if (result !== undefined) return;
      const block = BLOCKS.has(name);
      if (block && outerBlock < 0) outerBlock = open.length;
      open.push(block);
    },
    onclosetag() {
      if (result !== undefined) return;
      if (open.length === 0) {
        // DomHandler would close the document itself; only the closes at the end do this.
        underflow = true;
        return;
      }
      open.pop();
      const index = open.length;
      if (index === found) {
        result = collapse(texts.join(""));
        parser.pause();
      } else if (index === outerBlock) {
        outerBlock = -1;
      }
    },
    ontext(data) {
      if (result !== undefined || underflow) return;
      if (found < 0 && outerBlock >= 0 && collapse(data) !== "") {
        found = outerBlock;
        texts = [];
      }
      texts.push(data);
    },
  });
  parser.end(html);
  if (result !== undefined) return result;
  if (found >= 0 || underflow) return undefined;
  return collapse(texts.join(""));
}

function firstParagraphTextOfTree(html: string): string {
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
  // Every cluster is at least one UTF-16 unit long.
  if (text.length <= limit) return text;
  if (!Number.isInteger(limit) || limit < 1) {
    const clusters = Array.from(graphemes.segment(text), (s) => s.segment);
    return clusters.length <= limit ? text : cutClusters(clusters, limit);
  }
  // Only the first `limit` clusters are kept, and one more tells that there is a cut.
  const clusters: string[] = [];
  for (const { segment } of graphemes.segment(text)) {
    if (clusters.length === limit) return cutClusters(clusters, limit);
    clusters.push(segment);
  }
  return text;
}

/** The cut of a text of more than `limit` clusters, from (at least) its first `limit` clusters. */
function cutClusters(clusters: string[], limit: number): string {
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
