import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import type { Context, Tracer } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

import { VERSION } from '../../core/index.js';
import { decodeExchange } from '../transform/decode-exchange.js';
import type { ProxyEvent } from '../proxy-event.js';
import { SinkError } from './event-sink.js';
import type { EventSink, SinkResult } from './event-sink.js';
import { DEFAULT_DELIVERY_TIMEOUT_MS, isTemporaryStatus } from './http-delivery.js';
import { BatchCollector, EventIdGenerator } from './otel-batch-collector.js';
import { describeSpan } from './otel-span-attributes.js';

/** W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/#traceparent-header). */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Options of {@link OtelEventSink}. */
export interface OtelEventSinkOptions {
  /** OTLP/HTTP traces URL: `http://localhost:4318/v1/traces`, `https://cloud.langfuse.com/api/public/otel/v1/traces` … */
  readonly endpoint: string;
  /** Sent with every export (`Authorization: Basic …` for Langfuse). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The `service.name` resource attribute. @default 'llm-proxy' */
  readonly serviceName?: string;
  /** Put prompts and completions into spans (`gen_ai.input.messages` …). @default false */
  readonly captureContent?: boolean;
  /** Per export, retries of the exporter included. @default 30 000 */
  readonly timeoutMs?: number;
}

/**
 * Sends each event as one CLIENT span with the GenAI semantic conventions to an OTLP/HTTP collector (JSON
 * encoding), with the event's own start and end times. A span joins the client's trace when the request carried
 * a `traceparent`; else its trace id is the request id. Ids are derived from the request id, so a redelivered
 * event is the same span. `send` resolves only once the collector accepted the batch's export.
 */
export class OtelEventSink implements EventSink {
  readonly name = 'otel';
  readonly #captureContent: boolean;
  readonly #secrets: readonly string[];
  readonly #exporter: OTLPTraceExporter;
  readonly #collector = new BatchCollector();
  readonly #ids = new EventIdGenerator();
  readonly #provider: BasicTracerProvider;
  readonly #tracer: Tracer;

  constructor(options: OtelEventSinkOptions) {
    this.#captureContent = options.captureContent ?? false;
    this.#secrets = Object.values(options.headers ?? {});
    this.#exporter = new OTLPTraceExporter({
      url: options.endpoint,
      headers: { ...options.headers },
      timeoutMillis: options.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS,
    });
    this.#provider = new BasicTracerProvider({
      resource: resourceFromAttributes({
        [ATTR_SERVICE_NAME]: options.serviceName ?? 'llm-proxy',
        [ATTR_SERVICE_VERSION]: VERSION,
      }),
      // Every event is delivered: sampling is the collector's business, and a client's unsampled trace must
      // not make the proxy drop its event.
      sampler: new AlwaysOnSampler(),
      idGenerator: this.#ids,
      spanProcessors: [this.#collector],
    });
    this.#tracer = this.#provider.getTracer('llm-proxy', VERSION);
  }

  async send(events: readonly ProxyEvent[]): Promise<SinkResult> {
    if (events.length === 0) return { rejected: [] };
    const spans = this.#collector.collect(() => {
      for (const event of events) this.#record(event);
    });
    const result = await new Promise<ExportResult>((resolve) => {
      this.#exporter.export(spans, resolve);
    });
    if (result.code === ExportResultCode.FAILED) {
      const status = statusOf(result.error);
      const reason = scrub(result.error?.message ?? 'unknown error', this.#secrets);
      const described = status === undefined ? reason : `${status} ${reason}`;
      // As for the other backends: a refusal (a wrong key, a malformed export) is permanent and goes to the dead
      // letters at once, for `dispatcher replay --dead-letters` once it is mended; 408, 425, 429 and 5xx retry.
      throw new SinkError(
        `OTLP export failed: ${described}`,
        status !== undefined && !isTemporaryStatus(status),
        undefined,
        { cause: result.error },
      );
    }
    return { rejected: [] };
  }

  async close(): Promise<void> {
    await this.#provider.shutdown();
    await this.#exporter.shutdown();
  }

  #record(event: ProxyEvent): void {
    const { name, attributes, errorMessage } = describeSpan(
      event,
      decodeExchange(event),
      this.#captureContent,
    );
    this.#ids.next(event.id);
    // Dates, not numbers: the SDK reads a number below the process's start as a performance-clock reading,
    // and an event replayed from the stream may be older than the dispatcher.
    const span = this.#tracer.startSpan(
      name,
      { kind: SpanKind.CLIENT, startTime: new Date(event.startedAt), attributes },
      parentContext(event.requestHeaders.traceparent),
    );
    if (errorMessage !== null) span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage });
    span.end(new Date(event.endedAt));
  }
}

/** The client's trace as the span's parent when it sent a valid `traceparent`; else a new trace. */
function parentContext(traceparent: string | undefined): Context {
  const match = traceparent === undefined ? null : TRACEPARENT.exec(traceparent.trim().toLowerCase());
  if (match?.[1] === undefined || match[2] === undefined || match[3] === undefined) return ROOT_CONTEXT;
  const [, traceId, spanId, flags] = match;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  });
}

function scrub(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (secret !== '') result = result.replaceAll(secret, '[redacted]');
  return result;
}

/** The HTTP status the collector answered a failed export with (the exporter's OTLPExporterError `code`). */
function statusOf(error: Error | undefined): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' && code >= 100 && code <= 599 ? code : undefined;
}
