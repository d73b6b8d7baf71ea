/**
 * An independent check of the sanitizer's output, written from the security rules rather than from
 * its configuration: every element and attribute must be harmless, every URL absolute http(s) (or
 * mailto for links), and no character XML forbids may remain.
 */
import { parseDocument } from "htmlparser2";

type ChildNode = ReturnType<typeof parseDocument>["children"][number];

const SAFE_ELEMENTS = new Set(
  (
    "p br hr h1 h2 h3 h4 h5 h6 blockquote pre code div span em strong b i u s del ins sub sup small mark q " +
    "cite abbr a img figure figcaption picture source video audio track ul ol li dl dt dd table thead tbody " +
    "tfoot tr th td caption details summary time kbd samp var section article aside"
  ).split(" "),
);
const SAFE_ATTRIBUTES = new Set(
  "href src srcset alt title width height type media sizes poster controls kind srclang label colspan rowspan scope start reversed value datetime cite".split(
    " ",
  ),
);
const URL_ATTRIBUTES = new Set(["href", "src", "poster", "cite"]);
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are what must not be there
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/u;

/** Throws, naming the first offence, unless `html` holds only safe markup and absolute URLs. */
export function assertSafeHtml(html: string, where = "content"): void {
  if (XML_FORBIDDEN.test(html)) throw new Error(`${where}: a character XML forbids`);
  if (html.includes("<!--")) throw new Error(`${where}: an HTML comment`);
  const visit = (nodes: ChildNode[]) => {
    for (const node of nodes) {
      if (node.type === "comment") throw new Error(`${where}: an HTML comment`);
      if (node.type === "tag" || node.type === "script" || node.type === "style") {
        if (!SAFE_ELEMENTS.has(node.name)) throw new Error(`${where}: element <${node.name}>`);
        for (const [name, value] of Object.entries(node.attribs)) {
          if (!SAFE_ATTRIBUTES.has(name)) throw new Error(`${where}: attribute ${name} on <${node.name}>`);
          if (URL_ATTRIBUTES.has(name)) checkUrl(value, name === "href", `${where}: <${node.name} ${name}>`);
          if (name === "srcset") {
            for (const candidate of value.split(/,\s+/))
              checkUrl(candidate.split(/\s+/)[0] ?? "", false, where);
          }
        }
        visit(node.children);
      }
    }
  };
  visit(parseDocument(html).children);
}

function checkUrl(value: string, isLink: boolean, where: string): void {
  const allowed = isLink ? /^(https?:\/\/|mailto:)/i : /^https?:\/\//i;
  if (!allowed.test(value) || !URL.canParse(value)) throw new Error(`${where}: URL ${JSON.stringify(value)}`);
}
