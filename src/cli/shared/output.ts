import Table from 'cli-table3';

import { looksObfuscated, obfuscateSecret, obfuscateToken } from '../../core/index.js';

/** One cell of a human table. */
export type Cell = string | number | boolean | null | undefined;

// No colours: the output is read by people and by scripts alike.
const PLAIN = { head: [], border: [] };

/** Prints a value as the API returned it, as indented JSON. */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** Prints an API answer: its JSON with `--json`, else what the human printer makes of it. */
export function printResult(options: { readonly json: boolean }, body: unknown, human: () => void): void {
  if (options.json) printJson(body);
  else human();
}

/** Prints rows under a header line. */
export function printTable(head: readonly string[], rows: readonly (readonly Cell[])[]): void {
  const table = new Table({ head: [...head], style: PLAIN });
  for (const row of rows) table.push(row.map(display));
  console.log(table.toString());
}

/** Prints one record as a two-column table of field and value. */
export function printRecord(fields: readonly (readonly [string, Cell])[]): void {
  const table = new Table({ style: PLAIN });
  for (const [name, value] of fields) table.push({ [name]: display(value) });
  console.log(table.toString());
}

/** A timestamp for humans (`2025-01-31 12:00:00Z`); `-` when absent. */
export function formatTime(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '-';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

/** A provider API key as shown in tables: masked, even if the server sent it in full. */
export function maskApiKey(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '-';
  return looksObfuscated(value) ? value : obfuscateSecret(value);
}

/** A proxy token as shown in tables: masked unless it already is. */
export function maskToken(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '-';
  return value.includes('*') ? value : obfuscateToken(value);
}

function display(value: Cell): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}
