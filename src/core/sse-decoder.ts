import { TextDecoder } from 'node:util';

// Shared between calls; only ever used synchronously, with lastIndex set before each search.
const LINE_END = /\r\n|\n|\r/g;

/**
 * Turns a server-sent event stream into the data payloads of its events, chunk by chunk, without I/O: the CLI
 * reads chat streams with it and the server can watch the streams it relays.
 * Follows https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation: the stream
 * is UTF-8 and may start with a byte order mark; lines end in CRLF, LF or CR; a blank line dispatches the event;
 * `:` starts a comment; several `data:` lines join with LF. Fields other than `data` (event, id, retry) are
 * ignored: the payloads of the providers we relay carry their own type.
 */
export class SseDecoder {
  #buffer = '';
  #data: string[] = [];
  #started = false;
  // Created on the first byte chunk; `stream: true` keeps a character split across chunks for the next one.
  #utf8: TextDecoder | undefined;

  /** Feeds the next chunk (bytes or already decoded text) and returns the data of every event it completed. */
  push(chunk: string | Uint8Array): string[] {
    const text = typeof chunk === 'string' ? chunk : this.#decode(chunk, true);
    this.#buffer += this.#started ? text : this.#start(text);
    const events: string[] = [];
    let start = 0;
    for (;;) {
      LINE_END.lastIndex = start;
      const found = LINE_END.exec(this.#buffer);
      if (found === null) break;
      // A CR at the very end may be the first half of a CRLF split across chunks: wait for the next one.
      if (found[0] === '\r' && found.index === this.#buffer.length - 1) break;
      this.#line(this.#buffer.slice(start, found.index), events);
      start = found.index + found[0].length;
    }
    this.#buffer = this.#buffer.slice(start);
    return events;
  }

  /** Ends the stream: an unterminated last event is dispatched as well (servers often omit the blank line). */
  end(): string[] {
    const events: string[] = [];
    const tail = this.#decode(new Uint8Array(0), false);
    const rest = (this.#buffer + (this.#started ? tail : this.#start(tail))).replace(/\r$/, '');
    this.#buffer = '';
    if (rest !== '') this.#line(rest, events);
    this.#dispatch(events);
    return events;
  }

  #decode(bytes: Uint8Array, stream: boolean): string {
    if (this.#utf8 === undefined) {
      if (!stream) return '';
      // The byte order mark is removed once, by #start, so that bytes and text are treated alike.
      this.#utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
    }
    return this.#utf8.decode(bytes, { stream });
  }

  #start(text: string): string {
    if (text === '') return text;
    this.#started = true;
    return text.startsWith('\uFEFF') ? text.slice(1) : text;
  }

  #line(line: string, events: string[]): void {
    if (line === '') {
      this.#dispatch(events);
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    if (field !== 'data') return;
    const value = colon === -1 ? '' : line.slice(colon + 1);
    this.#data.push(value.startsWith(' ') ? value.slice(1) : value);
  }

  #dispatch(events: string[]): void {
    if (this.#data.length === 0) return;
    events.push(this.#data.join('\n'));
    this.#data = [];
  }
}

/** Splits a whole event stream at once (convenience for complete bodies and tests). */
export function decodeSse(text: string): string[] {
  const decoder = new SseDecoder();
  return [...decoder.push(text), ...decoder.end()];
}
