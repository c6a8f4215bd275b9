import { arrayOf, isRecord, stringOf } from './json-values.js';

/**
 * The completion's text in a decoded answer, or null when it has none: chat completions
 * (`choices[0].message.content`), legacy completions (`choices[0].text`), the Responses API (`output_text`, else
 * the `output_text` parts of its message items) and Anthropic messages (its text blocks).
 */
export function outputText(answer: unknown): string | null {
  if (!isRecord(answer)) return null;
  if (Array.isArray(answer.choices)) return choiceText(answer.choices[0]);
  if (answer.object === 'response') {
    return (
      stringOf(answer.output_text) ?? joinTexts(arrayOf(answer.output).flatMap(messageParts), 'output_text')
    );
  }
  if (answer.type === 'message') return joinTexts(arrayOf(answer.content), 'text');
  return null;
}

/** The `finish_reason` of each choice, an Anthropic `stop_reason` or a Responses API `status`, in order. */
export function finishReasons(answer: unknown): string[] {
  if (!isRecord(answer)) return [];
  const reasons: string[] = [];
  for (const choice of arrayOf(answer.choices)) {
    const reason = isRecord(choice) ? stringOf(choice.finish_reason) : undefined;
    if (reason !== undefined) reasons.push(reason);
  }
  const stopReason = stringOf(answer.stop_reason);
  if (stopReason !== undefined) reasons.push(stopReason);
  const status = answer.object === 'response' ? stringOf(answer.status) : undefined;
  if (status !== undefined) reasons.push(status);
  return reasons;
}

function choiceText(choice: unknown): string | null {
  if (!isRecord(choice)) return null;
  if (isRecord(choice.message)) {
    const content = choice.message.content;
    // Some compatible servers answer with content parts rather than a string.
    return Array.isArray(content) ? joinTexts(content, 'text') : (stringOf(content) ?? null);
  }
  return stringOf(choice.text) ?? null;
}

function messageParts(item: unknown): readonly unknown[] {
  return isRecord(item) && item.type === 'message' ? arrayOf(item.content) : [];
}

function joinTexts(parts: readonly unknown[], type: string): string | null {
  const texts: string[] = [];
  for (const part of parts) {
    const text = isRecord(part) && part.type === type ? stringOf(part.text) : undefined;
    if (text !== undefined) texts.push(text);
  }
  return texts.length === 0 ? null : texts.join('');
}
