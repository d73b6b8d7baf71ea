/**
 * Splits a post file into front matter and body, the way Jekyll does, but forgiving the mistakes
 * real generators make (each one reported): a byte-order mark, CRLF line endings, blank lines before
 * the opening `---`, and unescaped double quotes inside a double-quoted value.
 */
import matter from "gray-matter";
import yaml from "js-yaml";
import { isRecord } from "./config";
import type { ProblemLog } from "./problems";

export interface FrontMatterFile {
  data: Record<string, unknown>;
  body: string;
  /** The front matter as written, for messages that quote it. */
  raw: string;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Reads a post's bytes. Returns `undefined` (with an error logged) when the file cannot be a post:
 * not UTF-8, empty, no front matter, or front matter that cannot be read even after repair.
 */
export function readFrontMatter(bytes: Uint8Array, log: ProblemLog): FrontMatterFile | undefined {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    log.error("not valid UTF-8", "post skipped");
    return undefined;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.includes("\r")) text = text.replace(/\r\n?/g, "\n");
  if (text.trim() === "") {
    log.error("empty file", "post skipped");
    return undefined;
  }
  const leading = /^(?:[ \t]*\n)+(?=---[ \t]*\n)/.exec(text);
  if (leading) {
    // Jekyll itself would not see front matter here; the intent is plain, so read it and say so.
    log.warn("blank line before the front matter's opening ---", "front matter read anyway");
    text = text.slice(leading[0].length);
  }
  if (!/^---[ \t]*\n/.test(text)) {
    log.error("no front matter (a post starts with a --- line)", "post skipped");
    return undefined;
  }
  if (!/\n---[ \t]*(\n|$)/.test(text.slice(3))) {
    log.error("front matter is not closed by a --- line", "post skipped");
    return undefined;
  }
  try {
    return parse(text);
  } catch (error) {
    const repaired = repairQuotedValues(text);
    if (repaired !== text) {
      try {
        const result = parse(repaired);
        log.warn("front matter has unescaped double quotes inside a quoted value", "quotes escaped");
        return result;
      } catch {
        // fall through to the original error, which names the first problem
      }
    }
    log.error(`front matter is not valid YAML: ${firstLine(error)}`, "post skipped");
    return undefined;
  }
}

/**
 * gray-matter is handed the post up to the end of the line where it finds the front matter's end (the
 * first `\n---` after the opening one): given the whole post, it also encodes the body to UTF-8 and
 * looks the whole text up in its cache of earlier calls. Reading the 10,000 bench posts' front matter
 * took 0.4-0.6 s instead of 0.7-1.1 s (six alternating rounds in one process). The body is
 * what it cut from that line, then the rest of the post: what it cuts from the whole post, as it only
 * ever removes a line break or two right after `---` (tests/build/front-matter.test.ts).
 */
function parse(text: string): FrontMatterFile {
  const end = text.indexOf("\n---", 3);
  const lineEnd = end === -1 ? -1 : text.indexOf("\n", end + 4);
  const head = lineEnd === -1 ? text : text.slice(0, lineEnd + 1);
  const file = matter(head, {
    // The core schema keeps dates as the strings written, so zones are read by our rules, not js-yaml's.
    engines: { yaml: (source: string) => yaml.load(source, { schema: yaml.CORE_SCHEMA }) as object },
  });
  const data = file.data ?? {};
  if (!isRecord(data)) throw new Error("front matter is not a mapping of keys to values");
  return { data, body: file.content + text.slice(head.length), raw: file.matter };
}

/** `title: "他说"好""` becomes `title: "他说\"好\""`, for lines of the front matter only. */
function repairQuotedValues(text: string): string {
  const end = text.indexOf("\n---", 3);
  const head = text
    .slice(0, end)
    .replace(/^([\w-]+:[ \t]*)"(.*)"[ \t]*$/gm, (line, key: string, inner: string) => {
      if (!/(^|[^\\])"/.test(inner)) return line;
      return `${key}"${inner.replace(/\\?"/g, '\\"')}"`;
    });
  return head + text.slice(end);
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] ?? message;
}
