import { brotliDecompressSync, constants, gunzipSync, inflateSync } from 'node:zlib';

import {
  StreamUsageReader,
  answerText,
  requestText,
  streamText,
  usageFromJson,
  usageFromJsonTail,
} from '../usage/index.js';
import type { CollectedText, TokenUsage } from '../usage/index.js';
import type { RequestBody } from './request-body.js';

/** Bytes of a too-large JSON answer kept to find its usage in (it comes last). */
const TAIL_BYTES = 64 * 1024;

/** The codings a collected answer can be decoded from (as the key mask decodes error bodies). */
type Decoder = (input: Buffer, options: { maxOutputLength: number; finishFlush?: number }) => Buffer;
const DECODERS: ReadonlyMap<string, Decoder> = new Map<string, Decoder>([
  ['gzip', gunzipSync],
  ['x-gzip', gunzipSync],
  ['deflate', inflateSync],
  ['br', brotliDecompressSync],
]);

/** What an answer's end says about its usage: the upstream's, an estimate to make, or nothing to record. */
export type AnswerUsage =
  | { readonly kind: 'reported'; readonly usage: TokenUsage }
  | { readonly kind: 'estimate'; readonly output: CollectedText; readonly outputScale: number }
  | { readonly kind: 'none' };

const NONE: AnswerUsage = { kind: 'none' };

/**
 * A JSON answer's body, or an encoded (gzip, deflate, br) JSON or SSE answer, collected as it passes — whole up
 * to `maxBytes`, then only its last 64 KiB for a plain JSON answer — and read for usage once it is over.
 */
export class CollectedAnswer {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private overflow = false;

  constructor(
    private readonly maxBytes: number,
    /** The answer's Content-Encoding, lower-case; undefined when it is plain JSON. */
    private readonly encoding: string | undefined,
    /** The answer is a server-sent event stream (only collected when encoded). */
    private readonly stream: boolean,
  ) {}

  /** Keeps a chunk of the answer (a reference: chunks are never changed). */
  add(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (!this.overflow && this.bytes <= this.maxBytes) {
      this.chunks.push(chunk);
      return;
    }
    // An encoded answer is only readable whole; a plain JSON one keeps its tail, where the usage is.
    this.overflow = true;
    if (this.encoding !== undefined) {
      this.chunks = [];
      return;
    }
    this.chunks.push(chunk);
    let kept = this.chunks.reduce((sum, part) => sum + part.length, 0);
    while (this.chunks.length > 1 && kept - (this.chunks[0] as Buffer).length >= TAIL_BYTES) {
      kept -= (this.chunks.shift() as Buffer).length;
    }
  }

  /** Reads the answer's usage, or says what an estimate must be made from. */
  usage(): AnswerUsage {
    const body = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    this.chunks = [];
    if (this.encoding === undefined) return jsonUsage(body, !this.overflow);
    if (this.overflow) return NONE;
    const decoded = decode(body, this.encoding, this.maxBytes);
    if (decoded === undefined) return NONE;
    if (!this.stream) return jsonUsage(decoded, true);
    const reader = new StreamUsageReader({ keepBytes: this.maxBytes });
    reader.push(decoded);
    reader.end();
    return streamUsage(reader);
  }
}

/** The usage a stream reported, or the text an estimate is made from (scaled to the part not kept). */
export function streamUsage(reader: StreamUsageReader): AnswerUsage {
  const usage = reader.usage();
  if (usage !== undefined) return { kind: 'reported', usage };
  const kept = reader.keptStream();
  return {
    kind: 'estimate',
    output: streamText(kept.chunks),
    outputScale: kept.keptBytes === 0 ? 1 : kept.totalBytes / kept.keptBytes,
  };
}

/** The request's model and prompt text, for an estimate; undefined when its body names no model. */
export function estimateBasis(
  body: RequestBody | undefined,
): { model: string; input: CollectedText } | undefined {
  if (body === undefined || !body.json || !Buffer.isBuffer(body.payload)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body.payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const model = (value as Record<string, unknown>).model;
  // Without a model no tokens were generated (a file, a batch, a list): there is nothing to estimate.
  return typeof model === 'string' ? { model, input: requestText(value) } : undefined;
}

/**
 * The usage of a JSON answer, read where it comes — last (see usageFromJsonTail), which spares parsing the whole
 * answer — or, for an answer read `whole` that has none there, from the parsed answer, else its text.
 */
function jsonUsage(body: Buffer, whole: boolean): AnswerUsage {
  const usage = usageFromJsonTail(body.length > TAIL_BYTES ? body.subarray(-TAIL_BYTES) : body);
  if (usage !== undefined) return { kind: 'reported', usage };
  if (!whole) return NONE;
  let answer: unknown;
  try {
    answer = JSON.parse(body.toString('utf8'));
  } catch {
    return NONE;
  }
  const parsed = usageFromJson(answer);
  return parsed === undefined
    ? { kind: 'estimate', output: answerText(answer), outputScale: 1 }
    : { kind: 'reported', usage: parsed };
}

function decode(body: Buffer, encoding: string, maxBytes: number): Buffer | undefined {
  const decoder = DECODERS.get(encoding);
  if (decoder === undefined) return undefined;
  try {
    // A stream cut midway still yields what arrived, rather than an "unexpected end of file".
    const finishFlush =
      decoder === brotliDecompressSync ? constants.BROTLI_OPERATION_FLUSH : constants.Z_SYNC_FLUSH;
    return decoder(body, { maxOutputLength: maxBytes, finishFlush });
  } catch {
    return undefined;
  }
}
