/**
 * The feed Worker: looks the request path up in the served build's manifest and answers with the
 * pre-rendered document from KV. No parsing or rendering happens here; at most two KV reads per
 * request (the manifest, cached per isolate, and the document).
 */
import { Hono } from "hono";
import { canonicalPath } from "../paths";
import type { Env } from "./env";
import { ALLOWED_METHODS, feedHeaders, isNotModified, RETRY_AFTER_SECONDS, textResponse } from "./http";
import { currentManifest, Unavailable } from "./manifest";

const app = new Hono<{ Bindings: Env }>();

app.on(["GET", "HEAD"], "*", async (c) => {
  const manifest = await currentManifest(c.env);
  const path = canonicalPath(new URL(c.req.url).pathname);
  const entry = path === undefined ? undefined : manifest.routes[path];
  if (!entry || path === undefined) return textResponse(404, `No feed at ${new URL(c.req.url).pathname}`);

  const headers = feedHeaders(entry, manifest.siteUrl + path);
  if (isNotModified(c.req.raw, entry)) return new Response(null, { status: 304, headers });
  headers.set("Content-Length", String(entry.size));
  if (c.req.method === "HEAD") return new Response(null, { status: 200, headers });

  let body: ReadableStream | null;
  try {
    body = await c.env.FEEDS.get(entry.key, "stream");
  } catch (error) {
    throw new Unavailable(`cannot read ${entry.key}: ${(error as Error).message}`);
  }
  if (body === null) throw new Unavailable(`${entry.key} is not in KV (yet)`);
  return new Response(body, { status: 200, headers });
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
