import type { ProxyEvent } from '../proxy-event.js';
import type { DecodedBody, DecodedExchange } from '../transform/decoded-exchange.js';
import type { TokenUsage } from '../../usage/index.js';
import { apiStyle, asRecord } from './lunary-chat-messages.js';
import type { ApiStyle } from './lunary-chat-messages.js';

/** Helicone keys a log by this id and wants a UUID; the proxy's request ids are UUIDs. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A point in time as Helicone's custom logging API takes it. */
export interface HeliconeTime {
  readonly seconds: number;
  readonly milliseconds: number;
}

/**
 * The body of Helicone's custom logging API (`POST /custom/v1/log`, "HeliconeAsyncLogRequest" in its docs).
 * `providerRequest.meta` is read as Helicone request headers (`Helicone-User-Id`, `Helicone-Property-*` …).
 */
export interface HeliconeLogRequest {
  readonly providerRequest: {
    readonly url: string;
    readonly json: Readonly<Record<string, unknown>>;
    readonly meta: Readonly<Record<string, string>>;
  };
  readonly providerResponse: {
    readonly status: number;
    readonly headers: Readonly<Record<string, string>>;
    readonly json?: Readonly<Record<string, unknown>>;
    /** For an answer that is not JSON; also carries the note of an answer the proxy did not keep. */
    readonly textBody?: string;
  };
  readonly timing: {
    readonly startTime: HeliconeTime;
    readonly endTime: HeliconeTime;
    /** Milliseconds from the request to the first streamed byte; only for streamed answers. */
    readonly timeToFirstToken?: number;
  };
}

/**
 * The Helicone log of one proxy event: the decoded request, the real status and response headers, the answer
 * (with `usage` in the provider's own shape when the proxy knows it and the answer lacks it) and real timing.
 * An answer the proxy did not keep — or that never came — is logged with a note in `textBody` instead.
 */
export function heliconeLogRequest(event: ProxyEvent, decoded: DecodedExchange): HeliconeLogRequest {
  const style = apiStyle(event.path);
  return {
    providerRequest: { url: event.path, json: requestJson(decoded.request), meta: metaOf(event) },
    providerResponse: {
      status: event.status,
      headers: event.responseHeaders,
      ...responseBody(decoded.response, event, style),
    },
    timing: {
      startTime: heliconeTime(event.startedAt),
      endTime: heliconeTime(event.endedAt),
      ...(decoded.streamed && event.firstByteMs !== null ? { timeToFirstToken: event.firstByteMs } : {}),
    },
  };
}

/** Epoch milliseconds as Helicone's `{seconds, milliseconds}`. */
export function heliconeTime(epochMs: number): HeliconeTime {
  return { seconds: Math.floor(epochMs / 1000), milliseconds: epochMs % 1000 };
}

/**
 * `usage` in the shape the provider itself reports it, so that Helicone counts and prices it. Anthropic's
 * `input_tokens` leaves cache reads out, which the proxy's input count includes.
 */
export function providerUsage(usage: TokenUsage, style: ApiStyle): Record<string, unknown> {
  const total = usage.inputTokens + usage.outputTokens;
  switch (style) {
    case 'anthropic-messages':
      return {
        input_tokens: usage.inputTokens - usage.cachedTokens,
        output_tokens: usage.outputTokens,
        cache_read_input_tokens: usage.cachedTokens,
      };
    case 'responses':
      return {
        input_tokens: usage.inputTokens,
        output_tokens: usage.outputTokens,
        total_tokens: total,
        input_tokens_details: { cached_tokens: usage.cachedTokens },
        output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
      };
    case 'embeddings':
      return { prompt_tokens: usage.inputTokens, total_tokens: usage.inputTokens };
    case 'chat':
    case 'completions':
    case 'other':
      return {
        prompt_tokens: usage.inputTokens,
        completion_tokens: usage.outputTokens,
        total_tokens: total,
        prompt_tokens_details: { cached_tokens: usage.cachedTokens },
        completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
      };
  }
}

function requestJson(request: DecodedBody): Record<string, unknown> {
  switch (request.kind) {
    case 'json':
      return asRecord(request.value) ?? { body: request.value };
    case 'text':
      return { body: request.text };
    case 'omitted':
      return { note: request.note };
    case 'none':
      return {};
  }
}

function responseBody(
  response: DecodedBody,
  event: ProxyEvent,
  style: ApiStyle,
): { json: Record<string, unknown> } | { textBody: string } {
  switch (response.kind) {
    case 'json': {
      const json = asRecord(response.value) ?? { body: response.value };
      if (event.usage === null || json.usage !== undefined) return { json };
      return { json: { ...json, usage: providerUsage(event.usage, style) } };
    }
    case 'text':
      return { textBody: response.text };
    case 'omitted':
      return { textBody: response.note };
    case 'none':
      return { textBody: `<no response body: ${event.outcome}>` };
  }
}

function metaOf(event: ProxyEvent): Record<string, string> {
  const meta: Record<string, string> = {};
  const put = (name: string, value: string | number | boolean | null): void => {
    if (value !== null) meta[name] = String(value);
  };
  if (UUID.test(event.id)) put('Helicone-Request-Id', event.id);
  put('Helicone-User-Id', event.projectId);
  put('Helicone-Property-Request-Id', event.id);
  put('Helicone-Property-Provider', event.provider);
  put('Helicone-Property-Endpoint', event.endpoint);
  put('Helicone-Property-Token-Id', event.tokenId);
  put('Helicone-Property-Outcome', event.outcome);
  put('Helicone-Property-Cache-Hit', event.cacheHit);
  if (event.usage?.estimated === true) put('Helicone-Property-Usage-Estimated', true);
  return meta;
}
