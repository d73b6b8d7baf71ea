/**
 * Synthetic posts shaped like the finews posts (see /work/shared/corpus/finews/MANIFEST.md): the same
 * front matter keys in the same order, a blockquote digest, one long line of raw HTML with the
 * markup a news scraper leaves behind, the original-article autolink and 返回 back-links. Every word
 * is random (CJK characters, pinyin-like syllables, digits); no text comes from the corpus.
 */
import { chance, integer, pick, type Random, seededRandom, zipfSampler } from "./random";

/** How the corpus is shaped; the defaults give ~2,000 categories at 10,000 posts. */
export interface CorpusShape {
  seed: number;
  /** Category names to draw from (Zipf), and the law's exponent. */
  categoryVocabulary: number;
  categoryExponent: number;
  /** Tag names (Chinese) to draw from (Zipf). */
  tagVocabulary: number;
  /** Share of posts with two space-separated categories (`categories: a b`). */
  twoCategoryShare: number;
  /** Posts are dated uniformly in [first, first + years), in the site's zone (UTC+8). */
  firstDay: string;
  years: number;
  /** Body size in bytes: from `minBody` to `maxBody`, skewed towards small. */
  minBody: number;
  maxBody: number;
}

export const DEFAULT_SHAPE: CorpusShape = {
  seed: 20220330,
  categoryVocabulary: 4000,
  categoryExponent: 1,
  tagVocabulary: 400,
  twoCategoryShare: 0.05,
  firstDay: "2021-06-01",
  years: 3,
  minBody: 1024,
  maxBody: 12 * 1024,
};

/** The site of the synthetic corpus. */
export const SITE_URL = "https://news.example.com";
/** Asia/Shanghai has had no daylight saving time since 1991: local time is UTC+8 throughout. */
const ZONE_OFFSET_MS = 8 * 3600 * 1000;

const INITIALS = [
  "b",
  "p",
  "m",
  "f",
  "d",
  "t",
  "n",
  "l",
  "g",
  "k",
  "h",
  "j",
  "q",
  "x",
  "zh",
  "ch",
  "sh",
  "r",
];
const MORE_INITIALS = ["z", "c", "s", "y", "w", ""];
const FINALS = ["a", "o", "e", "ai", "ei", "ao", "ou", "an", "en", "ang", "eng", "ong", "i", "ia", "ie"];
const MORE_FINALS = ["iao", "iu", "ian", "in", "iang", "ing", "u", "ua", "uo", "uai", "ui", "uan", "un"];
const LATIN_PREFIXES = ["Tech", "Info", "Data", "Fin", "Market", "Global", "Money", "Trade", "Net", "Daily"];
const PUNCTUATION = ["，", "，", "，", "。", "、", "；", "："];
const TITLE_MARKS = ["：", "！", "？", "“", "”", "《", "》", " ", " ", "%"];
const HOSTS = ["www.example.org", "finance.example.net", "quote.example.com", "static.example.net"];

/** The names and characters every post draws from; made once per seed. */
export interface Vocabulary {
  categories: string[];
  tags: string[];
  characters: string[];
  drawCategory: (random: Random) => number;
  drawTag: (random: Random) => number;
}

/** Builds the vocabulary of a corpus: category slugs, Chinese tag names and a CJK character pool. */
export function makeVocabulary(shape: CorpusShape = DEFAULT_SHAPE): Vocabulary {
  const random = seededRandom(shape.seed, 1);
  const characters: string[] = [];
  for (let i = 0; i < 1200; i++) characters.push(String.fromCodePoint(integer(random, 0x4e00, 0x9fa5)));

  const categories = uniqueNames(shape.categoryVocabulary, () => categoryName(random));
  const tags = uniqueNames(shape.tagVocabulary, () => {
    const name = cjkWord(random, characters, 2, 5);
    return chance(random, 0.7) ? `${name}新闻` : name;
  });
  return {
    categories,
    tags,
    characters,
    drawCategory: zipfSampler(categories.length, shape.categoryExponent),
    drawTag: zipfSampler(tags.length, 1),
  };
}

function uniqueNames(count: number, make: () => string): string[] {
  const names = new Set<string>();
  while (names.size < count) names.add(make());
  return [...names];
}

/** A slug like the finews ones: pinyin syllables, sometimes a number, a brand word or a `(place)`. */
function categoryName(random: Random): string {
  let name = "";
  for (let i = integer(random, 2, 5); i > 0; i--) name += syllable(random);
  if (chance(random, 0.1)) name = `${integer(random, 10, 99)}${name}`;
  if (chance(random, 0.1)) name = pick(random, LATIN_PREFIXES) + name;
  if (chance(random, 0.05)) name = name[0]?.toUpperCase() + name.slice(1);
  if (chance(random, 0.02)) name = `${name}(${syllable(random)}${syllable(random)})`;
  return name;
}

function syllable(random: Random): string {
  const initial = chance(random, 0.85) ? pick(random, INITIALS) : pick(random, MORE_INITIALS);
  const final = chance(random, 0.6) ? pick(random, FINALS) : pick(random, MORE_FINALS);
  return initial + final;
}

function cjkWord(random: Random, characters: readonly string[], min: number, max: number): string {
  let word = "";
  for (let i = integer(random, min, max); i > 0; i--) word += pick(random, characters);
  return word;
}

/** One post file: its name under `_posts/` and its text. */
export interface SyntheticPost {
  fileName: string;
  text: string;
}

/**
 * Writes post number `index` of the corpus. A post depends only on the seed and its index, so a
 * corpus of N+10 posts is the corpus of N posts plus ten new files. A post `fresh` is dated after
 * the whole corpus (as the next posts of a news site are), `index` minutes after its last day.
 */
export function syntheticPost(
  index: number,
  vocabulary: Vocabulary,
  shape = DEFAULT_SHAPE,
  fresh = false,
): SyntheticPost {
  const random = seededRandom(shape.seed, 2, index);
  const first = Date.parse(`${shape.firstDay}T00:00:00+08:00`);
  const span = shape.years * 365 * 86400 * 1000;
  const drawn = first + Math.floor(random() * (span / 1000)) * 1000;
  const instant = fresh ? first + span + index * 60_000 : drawn;
  const local = new Date(instant + ZONE_OFFSET_MS).toISOString();
  const day = local.slice(0, 10);
  const time = local.slice(11, 19);
  const serial = `${day.replaceAll("-", "")}${String(index).padStart(7, "0")}${integer(random, 100, 999)}`;

  const category = vocabulary.categories[vocabulary.drawCategory(random)] ?? "";
  let categories = category;
  if (chance(random, shape.twoCategoryShare)) {
    const second = vocabulary.categories[vocabulary.drawCategory(random)] ?? "";
    if (second !== category) categories = `${category} ${second}`;
  }
  const tag = vocabulary.tags[vocabulary.drawTag(random)] ?? "";
  const zone = chance(random, 0.4) ? " +0800" : "";

  const frontMatter = [
    "---",
    "layout: post",
    `title: "${title(random, vocabulary)}"`,
    `date: ${day} ${time}${zone}`,
    `categories: ${categories}`,
    `tags: ${tag}`,
    "---",
  ].join("\n");
  const budget = bodySize(random, shape);
  const body = postBody(random, vocabulary, { serial, category, tag, budget });
  return { fileName: `${day}-${serial}.md`, text: `${frontMatter}\n${body}` };
}

function bodySize(random: Random, shape: CorpusShape): number {
  const u = random();
  return Math.round(shape.minBody + (shape.maxBody - shape.minBody) * u * u);
}

function title(random: Random, vocabulary: Vocabulary): string {
  let text = "";
  const length = integer(random, 8, 40);
  while (text.length < length) {
    text += cjkWord(random, vocabulary.characters, 2, 6);
    if (chance(random, 0.25)) text += pick(random, TITLE_MARKS);
    if (chance(random, 0.08)) text += `(${String(integer(random, 1, 9999)).padStart(5, "0")}.HK)`;
    if (chance(random, 0.1)) text += `${integer(random, 1, 999)}%`;
  }
  return text.trim();
}

/** Plain text: CJK words with punctuation, a few latin words and figures. */
function sentence(random: Random, vocabulary: Vocabulary, length: number): string {
  let text = "";
  while (text.length < length) {
    text += cjkWord(random, vocabulary.characters, 1, 4);
    const roll = random();
    if (roll < 0.05) text += ` ${syllable(random)}${syllable(random)} `;
    else if (roll < 0.1) text += `${integer(random, 1, 9999)}.${integer(random, 0, 99)}亿元`;
    else if (roll < 0.25) text += pick(random, PUNCTUATION);
  }
  return `${text}。`;
}

interface BodyPlan {
  serial: string;
  category: string;
  tag: string;
  /** Bytes to write (UTF-8), approximately. */
  budget: number;
}

/** The body: digest, one long line of raw HTML, autolink, back-links (none, relative or `//`). */
function postBody(random: Random, vocabulary: Vocabulary, plan: BodyPlan): string {
  const parts: string[] = [];
  if (chance(random, 0.6)) parts.push(`> ${sentence(random, vocabulary, integer(random, 30, 90))}`, "");

  const html: string[] = [];
  let bytes = 0;
  const add = (markup: string) => {
    html.push(markup);
    bytes += Buffer.byteLength(markup);
  };
  add(trackingParagraph());
  if (chance(random, 0.5)) add(stockChart(random));
  while (bytes < plan.budget - 400) add(htmlBlock(random, vocabulary));
  add(`<p class="em_media">（文章来源：${cjkWord(random, vocabulary.characters, 2, 4)}报）</p>`);
  parts.push(html.join(""), "");

  parts.push(`<http://${pick(random, HOSTS)}/news/${integer(random, 1000, 1999)},${plan.serial}.html>`);
  const backLinks = random();
  if (backLinks < 0.35) {
    parts.push("", `[返回${plan.tag}](../${plan.category}/)`, "[返回首页](../)");
  } else if (backLinks < 0.7) {
    const site = SITE_URL.replace(/^https:/, "");
    parts.push("", `[返回${plan.tag}](${site}/category/${plan.category}.html)｜[返回首页](${site}/)`);
  }
  return parts.join("\n");
}

function trackingParagraph(): string {
  return '<p style="display:none;height:1px;overflow:hidden;"><br /></p>';
}

function stockChart(random: Random): string {
  const code = String(integer(random, 1, 99999)).padStart(5, "0");
  const market = pick(random, ["105", "106", "116", "0", "1"]);
  const image = `https://img.example.net/chart?nid=${market}.${code}&amp;type=k&amp;at=1`;
  return (
    `<!-- CHART_START --><p style="text-align:center;"><a href="http://quote.example.com/r/${market}.${code}" ` +
    `data-code="${code}|${market}|5" class="ChartRemark" target="_blank"><img src="${image}" border="0" ` +
    `alt="K ${code}" style="border:#d1d1d1 1px solid;" width="578" height="276" /></a></p><!-- CHART_END -->`
  );
}

/** One block of the article: a paragraph with links, a heading, a picture, a comment. */
function htmlBlock(random: Random, vocabulary: Vocabulary): string {
  const roll = random();
  if (roll < 0.55) return `<p>${inline(random, vocabulary)}</p>`;
  if (roll < 0.65) return `<p><strong>${sentence(random, vocabulary, integer(random, 6, 20))}</strong></p>`;
  if (roll < 0.75) {
    const image = `https://img.example.org/download/D${integer(random, 1e8, 9e8)}_w750h${integer(random, 300, 1300)}.jpg`;
    return `<center><img src="${image}" width="580" style="border:#d1d1d1 1px solid;padding:3px;margin:5px 0;" /></center>`;
  }
  if (roll < 0.8)
    return `<!-- ad ${integer(random, 1, 99)} --><p style="text-indent:2em;">${inline(random, vocabulary)}</p>`;
  if (roll < 0.85) return trackingParagraph();
  if (roll < 0.9)
    return `<p style="color:#333;font-size:14px;"><span web="1">${inline(random, vocabulary)}</span></p>`;
  return `<p>${inline(random, vocabulary)}</p><p>${sentence(random, vocabulary, integer(random, 20, 60))}</p>`;
}

/** Text with a link or two: absolute, protocol-relative or relative, and the odd `&lt;` entity. */
function inline(random: Random, vocabulary: Vocabulary): string {
  let text = sentence(random, vocabulary, integer(random, 40, 160));
  if (chance(random, 0.4)) {
    const roll = random();
    const href =
      roll < 0.4
        ? `https://${pick(random, HOSTS)}/a/${integer(random, 1, 1e6)}.html`
        : roll < 0.7
          ? `//${pick(random, HOSTS)}/s/${integer(random, 1, 1e6)}`
          : `../${syllable(random)}${syllable(random)}/${integer(random, 1, 9999)}.html`;
    text += `<a href="${href}" target="_blank" style="color:#06c;">${cjkWord(random, vocabulary.characters, 2, 6)}</a>`;
    text += sentence(random, vocabulary, integer(random, 10, 60));
  }
  if (chance(random, 0.05)) text += `精度&lt;${integer(random, 1, 9)}%`;
  return text;
}

/** The `_config.yml` of the synthetic site. */
export function siteConfig(): string {
  return [
    "title: 合成新闻",
    `url: ${SITE_URL}`,
    "lang: zh-CN",
    "timezone: Asia/Shanghai",
    "author: Bench",
    "",
  ].join("\n");
}
