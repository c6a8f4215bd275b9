import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';

import type { ProxyEvent } from '../proxy-event.js';
import type { DecodedExchange } from '../transform/decoded-exchange.js';
import {
  apiStyle,
  asRecord,
  assistantMessages,
  requestMessages,
  stringField,
} from './lunary-chat-messages.js';
import type { ApiStyle } from './lunary-chat-messages.js';
import { isFailure, errorMessage } from './lunary-run-events.js';
import { genAiMessages, systemInstructions } from './otel-gen-ai-messages.js';

/**
 * GenAI semantic-convention attribute names (https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/).
 * Spelled out here: the package marks its copies deprecated since the conventions moved to their own
 * repository, and the names on the wire are what collectors and Langfuse match on.
 */
const GEN_AI = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  requestTemperature: 'gen_ai.request.temperature',
  requestTopP: 'gen_ai.request.top_p',
  requestTopK: 'gen_ai.request.top_k',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  requestFrequencyPenalty: 'gen_ai.request.frequency_penalty',
  requestPresencePenalty: 'gen_ai.request.presence_penalty',
  requestSeed: 'gen_ai.request.seed',
  requestChoiceCount: 'gen_ai.request.choice.count',
  requestStream: 'gen_ai.request.stream',
  responseModel: 'gen_ai.response.model',
  responseId: 'gen_ai.response.id',
  responseFinishReasons: 'gen_ai.response.finish_reasons',
  /** Seconds from the request to the first chunk of a streamed answer. */
  responseTimeToFirstChunk: 'gen_ai.response.time_to_first_chunk',
  usageInputTokens: 'gen_ai.usage.input_tokens',
  usageOutputTokens: 'gen_ai.usage.output_tokens',
  usageCacheReadInputTokens: 'gen_ai.usage.cache_read.input_tokens',
  usageReasoningOutputTokens: 'gen_ai.usage.reasoning.output_tokens',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  systemInstructions: 'gen_ai.system_instructions',
} as const;

/** Well-known `gen_ai.provider.name` values; a configured provider of another name is reported by its name. */
const KNOWN_PROVIDERS: ReadonlySet<string> = new Set([
  'openai',
  'anthropic',
  'azure.ai.openai',
  'aws.bedrock',
  'cohere',
  'deepseek',
  'gcp.gemini',
  'gcp.vertex_ai',
  'groq',
  'mistral_ai',
  'perplexity',
  'x_ai',
]);

/** The span's name and attributes for one event. */
export interface SpanDescription {
  /** `{gen_ai.operation.name} {gen_ai.request.model}`, as the conventions name inference spans. */
  readonly name: string;
  readonly attributes: Attributes;
  /** Why it failed, for the span status; null for a success. */
  readonly errorMessage: string | null;
}

/**
 * The GenAI attributes of one event's span, plus HTTP and `llm_proxy.*` ones. Message content
 * (`gen_ai.input.messages`, `gen_ai.output.messages`, `gen_ai.system_instructions`) only when asked for: the
 * conventions leave it opt-in because prompts are often personal or secret.
 */
export function describeSpan(
  event: ProxyEvent,
  decoded: DecodedExchange,
  captureContent: boolean,
): SpanDescription {
  const style = apiStyle(event.path);
  const operation = operationName(style, event.endpoint ?? event.path);
  const request = decoded.request.kind === 'json' ? asRecord(decoded.request.value) : null;
  const response = decoded.response.kind === 'json' ? asRecord(decoded.response.value) : null;
  const failed = isFailure(event);
  const attributes: Attributes = {
    [GEN_AI.operationName]: operation,
    [ATTR_HTTP_REQUEST_METHOD]: event.method,
    [ATTR_URL_PATH]: event.path,
    [ATTR_HTTP_RESPONSE_STATUS_CODE]: event.status,
    'llm_proxy.request_id': event.id,
    'llm_proxy.outcome': event.outcome,
    'llm_proxy.cache_hit': event.cacheHit,
    'llm_proxy.duration_ms': event.durationMs,
  };
  const put = (
    name: string,
    value: string | number | boolean | readonly string[] | null | undefined,
  ): void => {
    if (value !== null && value !== undefined) attributes[name] = value as Attributes[string];
  };
  put(GEN_AI.providerName, providerName(event.provider));
  put(GEN_AI.requestModel, event.model);
  putRequestParams(put, request);
  put(GEN_AI.responseModel, stringField(response, 'model'));
  put(GEN_AI.responseId, stringField(response, 'id'));
  if (decoded.finishReasons.length > 0) put(GEN_AI.responseFinishReasons, decoded.finishReasons);
  if (decoded.streamed && event.firstByteMs !== null)
    put(GEN_AI.responseTimeToFirstChunk, event.firstByteMs / 1000);
  const { usage } = event;
  if (usage !== null) {
    put(GEN_AI.usageInputTokens, usage.inputTokens);
    put(GEN_AI.usageOutputTokens, usage.outputTokens);
    if (usage.cachedTokens > 0) put(GEN_AI.usageCacheReadInputTokens, usage.cachedTokens);
    if (usage.reasoningTokens > 0) put(GEN_AI.usageReasoningOutputTokens, usage.reasoningTokens);
    put('llm_proxy.usage.estimated', usage.estimated);
  }
  put('llm_proxy.provider', event.provider);
  put('llm_proxy.endpoint', event.endpoint);
  put('llm_proxy.project_id', event.projectId);
  put('llm_proxy.token_id', event.tokenId);
  put('llm_proxy.cache', event.cache);
  put('llm_proxy.source', event.source);
  put('llm_proxy.error_code', event.errorCode);
  put('llm_proxy.upstream_ms', event.upstreamMs);
  put('llm_proxy.first_byte_ms', event.firstByteMs);
  if (failed) put(ATTR_ERROR_TYPE, errorType(event));
  if (captureContent) putContent(put, decoded, style);
  return {
    name: event.model === null ? operation : `${operation} ${event.model}`,
    attributes,
    errorMessage: failed ? errorMessage(event, decoded) : null,
  };
}

type Put = (name: string, value: string | number | boolean | readonly string[] | null | undefined) => void;

function putRequestParams(put: Put, request: Record<string, unknown> | null): void {
  if (request === null) return;
  const number = (name: string): number | null => (typeof request[name] === 'number' ? request[name] : null);
  put(GEN_AI.requestTemperature, number('temperature'));
  put(GEN_AI.requestTopP, number('top_p'));
  put(GEN_AI.requestTopK, number('top_k'));
  put(
    GEN_AI.requestMaxTokens,
    number('max_tokens') ?? number('max_completion_tokens') ?? number('max_output_tokens'),
  );
  put(GEN_AI.requestFrequencyPenalty, number('frequency_penalty'));
  put(GEN_AI.requestPresencePenalty, number('presence_penalty'));
  put(GEN_AI.requestSeed, number('seed'));
  const choices = number('n');
  if (choices !== null && choices !== 1) put(GEN_AI.requestChoiceCount, choices);
  if (typeof request.stream === 'boolean') put(GEN_AI.requestStream, request.stream);
}

function putContent(put: Put, decoded: DecodedExchange, style: ApiStyle): void {
  const prompt = requestMessages(decoded.request, style);
  if (prompt !== null) {
    const instructions = systemInstructions(prompt);
    if (instructions.length > 0) put(GEN_AI.systemInstructions, JSON.stringify(instructions));
    put(GEN_AI.inputMessages, JSON.stringify(genAiMessages(prompt)));
  }
  const answer =
    decoded.response.kind === 'json' || decoded.outputText !== null
      ? assistantMessages(decoded.response, decoded.outputText)
      : null;
  if (answer !== null)
    put(GEN_AI.outputMessages, JSON.stringify(genAiMessages(answer, decoded.finishReasons)));
}

/** `gen_ai.operation.name` of an endpoint: the conventions' value where one fits, else the endpoint's path. */
function operationName(style: ApiStyle, endpoint: string): string {
  switch (style) {
    case 'chat':
    case 'responses':
    case 'anthropic-messages':
      return 'chat';
    case 'completions':
      return 'text_completion';
    case 'embeddings':
      return 'embeddings';
    case 'other':
      // A bounded custom value: the allowlisted endpoint (`/v1/images/generations` → `images.generations`).
      return (
        endpoint
          .replace(/^\/v\d+\//, '')
          .replace(/^\/+|\/+$/g, '')
          .replaceAll('/', '.') || 'http'
      );
  }
}

/** Null before a provider was chosen (a request refused that early names none). */
function providerName(provider: string | null): string | null {
  if (provider === null) return null;
  return KNOWN_PROVIDERS.has(provider.toLowerCase()) ? provider.toLowerCase() : provider;
}

/** The proxy's own error code, else the HTTP status, else the outcome (`client_gone`, `interrupted` …). */
function errorType(event: ProxyEvent): string {
  if (event.errorCode !== null) return event.errorCode;
  if (event.status >= 400) return String(event.status);
  return event.outcome;
}
