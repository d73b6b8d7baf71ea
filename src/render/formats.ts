/** The parts each feed format is made of (see document.ts), by format name. */
import type { FeedFormat } from "../model";
import { atomParts } from "./atom";
import type { DocumentParts } from "./document";
import { jsonFeedParts } from "./jsonfeed";
import { rssParts } from "./rss";

export const FORMAT_PARTS: Record<FeedFormat, DocumentParts> = {
  rss: rssParts,
  atom: atomParts,
  json: jsonFeedParts,
};
