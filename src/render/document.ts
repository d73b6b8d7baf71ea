/**
 * A feed document in three parts: what comes before the items (it depends on the feed), one part
 * per item (it depends on the post only), and what comes after. Rendering a document is joining
 * them, so a build can render each post's item once per format and reuse it in every feed and
 * archive page the post is in.
 */
import type { FeedView, Post } from "../model";

export interface DocumentParts {
  /** Everything before the first item. */
  head(view: FeedView): string;
  /** One item: a pure function of the post, the same in every document. */
  item(post: Post): string;
  /** Between two items. */
  separator: string;
  /** Everything after the last item. */
  tail(view: FeedView): string;
}

/** The whole document of `view` as text. */
export function renderDocument(parts: DocumentParts, view: FeedView): string {
  return (
    parts.head(view) + view.items.map((post) => parts.item(post)).join(parts.separator) + parts.tail(view)
  );
}
