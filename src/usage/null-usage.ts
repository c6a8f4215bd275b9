/** What OpenAI adds to every chunk of a stream that asked for usage (compact JSON, as it writes it). */
const NULL_USAGE = Buffer.from('"usage":null');
const COMMA = 0x2c;

/**
 * The stream bytes without the `"usage":null` member that `stream_options.include_usage` adds to every chunk
 * but the usage chunk (https://platform.openai.com/docs/api-reference/chat-streaming/streaming), with the comma
 * that joined it to its neighbour: the chunks the client would have received had the option not been set. The
 * bytes are returned as they are when they hold none. Inside a JSON string the quotes would be escaped, so the
 * sequence only ever matches a member.
 */
export function withoutNullUsage(bytes: Buffer): Buffer {
  let at = bytes.indexOf(NULL_USAGE);
  if (at === -1) return bytes;
  const parts: Buffer[] = [];
  let from = 0;
  while (at !== -1) {
    let start = at;
    let end = at + NULL_USAGE.length;
    if (bytes[start - 1] === COMMA) start -= 1;
    else if (bytes[end] === COMMA) end += 1;
    parts.push(bytes.subarray(from, start));
    from = end;
    at = bytes.indexOf(NULL_USAGE, end);
  }
  parts.push(bytes.subarray(from));
  return Buffer.concat(parts);
}
