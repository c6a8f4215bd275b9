import type { ProxyEvent } from '../proxy-event.js';
import { finishReasons, outputText } from './completion-facts.js';
import { decodeBody } from './decode-body.js';
import type { DecodedBody, DecodedExchange } from './decoded-exchange.js';
import { redactSecrets, redactText } from './redact.js';

/**
 * Decodes an event's request and response for a backend: decompressed, streams merged into one completion,
 * binary and multipart bodies replaced by a note, secrets redacted, and the completion's text and finish
 * reasons picked out. Pure: no I/O, the event is not changed.
 */
export function decodeExchange(event: ProxyEvent): DecodedExchange {
  const request = redactBody(decodeBody(event.requestBody, 'request').body);
  const decodedResponse = decodeBody(event.responseBody, 'response');
  const response = redactBody(decodedResponse.body);
  const answer = response.kind === 'json' ? response.value : undefined;
  return {
    request,
    response,
    streamed: decodedResponse.streamed,
    outputText: outputText(answer),
    finishReasons: finishReasons(answer),
  };
}

function redactBody(body: DecodedBody): DecodedBody {
  switch (body.kind) {
    case 'json':
      return { kind: 'json', value: redactSecrets(body.value) };
    case 'text':
      return { kind: 'text', text: redactText(body.text) };
    default:
      return body;
  }
}
