/**
 * Content negotiation between a document and its precompressed gzip variant (RFC 9110 §12.5.3
 * Accept-Encoding, §8.4.1.3 gzip). The two are different representations, each with its own entity
 * tag and length.
 */
import type { ManifestEntry } from "../model";

/** One representation of a document: where its bytes are, and its validator and length. */
export interface Representation {
  key: string;
  etag: string;
  size: number;
  /** The content coding (`Content-Encoding`), absent for the identity bytes. */
  encoding?: "gzip";
}

/** RFC 9110 §12.4.2: `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`. */
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * The weight the client gives each content coding it names, `*` included; codings are
 * case-insensitive (§8.4.1). A member with a malformed `q` is ignored; the first mention of a coding
 * counts.
 */
export function codingWeights(acceptEncoding: string): Map<string, number> {
  const weights = new Map<string, number>();
  for (const member of acceptEncoding.split(",")) {
    const [coding = "", ...params] = member.split(";").map((part) => part.trim());
    if (coding === "") continue;
    let weight = 1;
    for (const param of params) {
      const [name = "", value = ""] = param.split("=").map((part) => part.trim());
      if (name.toLowerCase() !== "q") continue;
      weight = QVALUE.test(value) ? Number(value) : Number.NaN;
    }
    const name = coding.toLowerCase();
    if (!Number.isNaN(weight) && !weights.has(name)) weights.set(name, weight);
  }
  return weights;
}

/**
 * Whether to answer with gzip. RFC 9110 §12.5.3: a coding is acceptable when listed with a qvalue
 * above 0 or, if not listed, matched by `*` above 0 (so `gzip;q=0` refuses even with `*`); `x-gzip`
 * means gzip (§8.4.1.3). Identity is acceptable unless excluded, and wins only when the client
 * explicitly weights it above gzip. No header at all "implies that the user agent has no
 * preferences", but "does not imply that the user agent will be able to correctly process all
 * encodings": those clients get the identity bytes, as does an empty header (no coding wanted).
 */
export function acceptsGzip(acceptEncoding: string | null): boolean {
  if (acceptEncoding === null) return false;
  const weights = codingWeights(acceptEncoding);
  const gzip = weights.get("gzip") ?? weights.get("x-gzip") ?? weights.get("*") ?? 0;
  const identity = weights.get("identity") ?? weights.get("*");
  return gzip > 0 && (identity === undefined || gzip >= identity);
}

/**
 * The client's own `Accept-Encoding`. Cloudflare's edge may hand a Worker the header rewritten and
 * keep the client's in `request.cf.clientAcceptEncoding` ("the original value of the Accept-Encoding
 * header if Cloudflare modified it", workers-types); Miniflare, as `npm start` runs it, always rewrites
 * it to `br, gzip` and keeps the client's there, `""` when it sent none. Without this, a client that
 * never asked for gzip got the gzip bytes of Atom and JSON Feed documents, which the edge leaves alone.
 */
export function clientAcceptEncoding(request: Request): string | null {
  const original = (request.cf as { clientAcceptEncoding?: unknown } | undefined)?.clientAcceptEncoding;
  if (typeof original === "string") return original === "" ? null : original;
  return request.headers.get("Accept-Encoding");
}

/** The representation of `entry` to send for this `Accept-Encoding`. */
export function selectRepresentation(entry: ManifestEntry, acceptEncoding: string | null): Representation {
  if (entry.gzip && acceptsGzip(acceptEncoding)) return { ...entry.gzip, encoding: "gzip" };
  return { key: entry.key, etag: entry.etag, size: entry.size };
}
