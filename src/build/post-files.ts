/** Which files under `_posts/` are posts, by extension (Jekyll's converters: Markdown and HTML). */

/** Extensions read as Markdown; `.html`/`.htm` bodies are taken as HTML. */
export const MARKDOWN_EXTENSIONS = new Set([".md", ".markdown", ".mkdown", ".mkdn", ".mkd", ".mdown"]);
export const HTML_EXTENSIONS = new Set([".html", ".htm"]);
