import { ReadBody } from './request-body.js';
import type { JsonBodyFacts, RequestBody } from './request-body.js';

/** Found in every body that may stream; its absence spares parsing the JSON of most non-streamed requests. */
const STREAM_KEY = Buffer.from('"stream"');
const STREAM_OPTIONS_KEY = Buffer.from('"stream_options"');
/** Added before the body's closing brace: the client's bytes stay as they were, in front of it. */
const INCLUDE_USAGE = Buffer.from(',"stream_options":{"include_usage":true}');
const CLOSE_BRACE = 0x7d;

/**
 * The body of a streamed request with `stream_options: {"include_usage": true}` added, so that the upstream
 * reports the stream's usage in an extra chunk before `[DONE]`
 * (https://platform.openai.com/docs/api-reference/chat/create#chat-create-stream_options); undefined when nothing
 * is added: the request does not stream, or the client chose `include_usage` itself (`true` or `false`, either
 * is respected), or the body is not a JSON object. The JSON is parsed at most once, by the body's facts, and not
 * at all when its bytes hold no `"stream"` key.
 *
 * Without `stream_options` the option is inserted before the closing brace and every byte of the client's is
 * kept; `stream_options` the client sent without `include_usage` (or as null) is merged into, and the body is
 * written anew.
 */
export function withStreamUsage(body: RequestBody): RequestBody | undefined {
  const { payload } = body;
  if (!body.json || !Buffer.isBuffer(payload) || payload.indexOf(STREAM_KEY) === -1) return undefined;
  const facts = body.facts();
  if (facts?.stream !== true) return undefined;
  const options = facts.streamOptions;
  if (options !== undefined && Object.hasOwn(options, 'include_usage')) return undefined;
  let bytes: Buffer | undefined;
  if (options !== undefined) bytes = rewritten(body, options);
  else if (payload.indexOf(STREAM_OPTIONS_KEY) === -1) bytes = inserted(payload);
  else {
    // The key's bytes are there: a `stream_options` that is null (or not an object), or only text in a string.
    const value = parsedObject(body);
    const sent = value?.stream_options;
    if (sent === undefined) bytes = inserted(payload);
    else if (sent === null) bytes = rewritten(body, {});
    // Anything else is not an object: the upstream refuses it as it would without the proxy.
  }
  return bytes === undefined ? undefined : new StreamUsageBody(bytes, body, facts);
}

/**
 * A request body the proxy added `include_usage` to. The upstream gets bytes the client did not send, so it is
 * `decoded` for the forward step: sent plain (the client's were read as JSON), without the client's
 * Content-Encoding, with a Content-Length of its own. Its size and facts stay the client's.
 */
class StreamUsageBody implements RequestBody {
  readonly json = true;
  readonly decoded = true;

  constructor(
    readonly payload: Buffer,
    private readonly original: RequestBody,
    private readonly clientFacts: JsonBodyFacts,
  ) {}

  size(): number {
    return this.original.size();
  }

  facts(): JsonBodyFacts {
    return this.clientFacts;
  }
}

function inserted(payload: Buffer): Buffer | undefined {
  let last = payload.length - 1;
  // JSON whitespace (RFC 8259 §2) may follow the object.
  while (
    last >= 0 &&
    (payload[last] === 0x20 || payload[last] === 0x0a || payload[last] === 0x0d || payload[last] === 0x09)
  )
    last -= 1;
  if (payload[last] !== CLOSE_BRACE) return undefined;
  return Buffer.concat([payload.subarray(0, last), INCLUDE_USAGE, payload.subarray(last)]);
}

function rewritten(body: RequestBody, options: Readonly<Record<string, unknown>>): Buffer | undefined {
  const value = parsedObject(body);
  if (value === undefined) return undefined;
  return Buffer.from(JSON.stringify({ ...value, stream_options: { ...options, include_usage: true } }));
}

/** The body's JSON object, as its facts already parsed it. */
function parsedObject(body: RequestBody): Record<string, unknown> | undefined {
  if (!(body instanceof ReadBody)) return undefined;
  const value = body.value();
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
