import type { ProxyEvent } from '../proxy-event.js';

/** The field of a stream entry that carries the event's JSON (the original's name). */
export const DATA_FIELD = 'data';

/** One stream entry as Redis returns it; `fields` null when the entry is gone (trimmed) but still pending. */
export interface StreamEntry {
  readonly id: string;
  readonly fields: ReadonlyMap<string, string> | null;
}

/** The entries of an `XRANGE` reply, or of one stream of an `XREADGROUP` reply. */
export function readEntries(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply)) return [];
  const entries: StreamEntry[] = [];
  for (const item of reply) {
    if (!Array.isArray(item) || typeof item[0] !== 'string') continue;
    entries.push({ id: item[0], fields: readFields(item[1]) });
  }
  return entries;
}

/** The entries of an `XREADGROUP` reply for one stream (null: nothing arrived within the block time). */
export function readGroupEntries(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply)) return [];
  const [stream] = reply as unknown[];
  return Array.isArray(stream) ? readEntries(stream[1]) : [];
}

/** `XAUTOCLAIM`'s reply: the cursor for the next call and the entries it claimed. */
export function readAutoClaim(reply: unknown): { cursor: string; entries: StreamEntry[] } {
  if (!Array.isArray(reply) || typeof reply[0] !== 'string') return { cursor: '0-0', entries: [] };
  return { cursor: reply[0], entries: readEntries(reply[1]) };
}

/** The delivery count of the one entry of an extended `XPENDING key group id id 1` reply; 0 when not pending. */
export function readDeliveryCount(reply: unknown): number {
  if (!Array.isArray(reply)) return 0;
  const [row] = reply as unknown[];
  if (!Array.isArray(row)) return 0;
  const count: unknown = row[3];
  return typeof count === 'number' ? count : 0;
}

/** The count of a summary `XPENDING key group` reply. */
export function readPendingCount(reply: unknown): number {
  if (!Array.isArray(reply)) return 0;
  const [count] = reply as unknown[];
  return typeof count === 'number' ? count : 0;
}

/**
 * The event in an entry's `data`, or undefined when it is missing or not an event: a message another program
 * wrote, or a line torn by a crash. Only the fields every consumer relies on are checked.
 */
export function readEvent(data: string | undefined): ProxyEvent | undefined {
  if (data === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const fields = value as Record<string, unknown>;
  const wellFormed =
    typeof fields.id === 'string' &&
    typeof fields.method === 'string' &&
    typeof fields.path === 'string' &&
    typeof fields.status === 'number' &&
    typeof fields.startedAt === 'number' &&
    typeof fields.endedAt === 'number';
  return wellFormed ? (value as ProxyEvent) : undefined;
}

function readFields(value: unknown): ReadonlyMap<string, string> | null {
  if (!Array.isArray(value)) return null;
  const fields = new Map<string, string>();
  for (let index = 0; index + 1 < value.length; index += 2) {
    const name: unknown = value[index];
    const text: unknown = value[index + 1];
    if (typeof name === 'string' && typeof text === 'string') fields.set(name, text);
  }
  return fields;
}
