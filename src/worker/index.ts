/**
 * The feed Worker: looks the request up in the served build's manifest and answers with the
 * pre-rendered document from KV, in the representation the client accepts. No parsing or rendering
 * happens here; at most two KV reads per request (the manifest, cached per isolate, and the document).
 */
import { Hono } from "hono";
import { clientAcceptEncoding, selectRepresentation } from "./encoding";
import type { Env } from "./env";
import {
  ALLOWED_METHODS,
  cacheControl,
  documentHeaders,
  isNotModified,
  RETRY_AFTER_SECONDS,
  textResponse,
} from "./http";
import { feedLinks, isFeed } from "./links";
import { currentManifest, Unavailable } from "./manifest";
import { requestRoute } from "./route";
import { effectiveEntry, nextChange } from "./schedule";

const app = new Hono<{ Bindings: Env }>();

app.on(["GET", "HEAD"], "*", async (c) => {
  const url = new URL(c.req.url);
  const manifest = await currentManifest(c.env);
  const route = requestRoute(url);
  if (route && "badRequest" in route) return textResponse(400, route.badRequest);
  const now = Date.now();
  const entry = route && effectiveEntry(manifest, route.path, now);
  if (!route || !entry) return textResponse(404, `No feed at ${url.pathname}`);

  const representation = selectRepresentation(entry, clientAcceptEncoding(c.req.raw));
  const change = nextChange(manifest, route.path, now);
  const cache = cacheControl(entry, isFeed(entry), change === undefined ? undefined : (change - now) / 1000);
  const headers = documentHeaders(entry, representation, cache, feedLinks(manifest, route.path, entry, now));
  if (isNotModified(c.req.raw, representation.etag, entry.lastModified)) {
    return new Response(null, { status: 304, headers });
  }
  headers.set("Content-Length", String(representation.size));
  if (representation.encoding) headers.set("Content-Encoding", representation.encoding);
  // The gzip bytes are sent as they are: without "manual" the runtime would compress them again.
  const encodeBody = representation.encoding ? "manual" : "automatic";
  if (c.req.method === "HEAD") return new Response(null, { status: 200, headers, encodeBody });

  let body: ReadableStream | null;
  try {
    body = await c.env.FEEDS.get(representation.key, "stream");
  } catch (error) {
    throw new Unavailable(`cannot read ${representation.key}: ${(error as Error).message}`);
  }
  if (body === null) throw new Unavailable(`${representation.key} is not in KV (yet)`);
  return new Response(body, { status: 200, headers, encodeBody });
});

// CORS preflight: browsers send one before a conditional GET (If-None-Match is not a safelisted header).
app.options("*", () => {
  return new Response(null, {
    status: 204,
    headers: {
      Allow: ALLOWED_METHODS,
      "Access-Control-Allow-Origin": "*",
      "Access-Control-Allow-Methods": "GET, HEAD",
      "Access-Control-Allow-Headers": "If-None-Match, If-Modified-Since",
      "Access-Control-Max-Age": "86400",
    },
  });
});

app.all("*", (c) => textResponse(405, `Method ${c.req.method} not allowed`, { Allow: ALLOWED_METHODS }));

app.onError((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  return textResponse(503, "Feeds are temporarily unavailable, please retry shortly", {
    "Retry-After": RETRY_AFTER_SECONDS,
  });
});

export default app;
