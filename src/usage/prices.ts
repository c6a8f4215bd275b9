import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { parse } from 'yaml';

import type { TokenUsage } from './token-usage.js';

/** The price table shipped with the package (`config/prices.yaml`, next to `dist/` and `src/`). */
export const SHIPPED_PRICES_PATH = fileURLToPath(new URL('../../config/prices.yaml', import.meta.url));

const PER_MILLION = 1_000_000;
/** What may follow a listed name for a longer model name to use its price: a dated snapshot or a Vertex version. */
const NAME_BOUNDARIES = new Set(['-', '@']);
/** Distinct model names whose lookup is remembered; client-chosen names are unbounded, so the memo is not. */
const MAX_REMEMBERED_MODELS = 1_000;
const PRICE_FIELDS = ['input', 'output', 'cached_input'] as const;

/** What one model costs, in US dollars per million tokens. */
export interface ModelPrice {
  readonly inputPerMillion: number;
  readonly outputPerMillion: number;
  /** Prompt tokens served from the provider's prompt cache; the input price when the provider gives none. */
  readonly cachedInputPerMillion: number;
}

/** Model prices, looked up by exact name, else by the longest listed name the model starts with. */
export interface PriceTable {
  /** The price of a model; undefined when no listed name matches. */
  priceOf(model: string): ModelPrice | undefined;
  /** The listed models (lower case) and their prices. */
  readonly models: ReadonlyMap<string, ModelPrice>;
}

/** Where {@link loadPriceTable} reads prices from. */
export interface LoadPriceTableOptions {
  /** An operator's price file whose models replace (or add to) the shipped ones; undefined = none. */
  readonly overridePath?: string | undefined;
  /** The base table. @default {@link SHIPPED_PRICES_PATH} */
  readonly shippedPath?: string;
}

/** A price table, or every problem found in the files (a start-up error). */
export type PriceTableResult =
  | { readonly ok: true; readonly value: PriceTable }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Reads the shipped price table and merges the operator's file over it, model by model. Every problem of
 * both files is reported, each prefixed with its file; nothing is thrown.
 */
export function loadPriceTable(options: LoadPriceTableOptions = {}): PriceTableResult {
  const shipped = readPriceFile(options.shippedPath ?? SHIPPED_PRICES_PATH);
  const override =
    options.overridePath === undefined
      ? { prices: new Map(), problems: [] }
      : readPriceFile(options.overridePath);
  const problems = [...shipped.problems, ...override.problems];
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: createPriceTable(new Map([...shipped.prices, ...override.prices])) };
}

/** Reads the prices of a parsed price document (`models: {name: {input, output, cached_input?}}`). */
export function parsePriceDocument(
  document: unknown,
  source: string,
): { readonly prices: Map<string, ModelPrice>; readonly problems: string[] } {
  const prices = new Map<string, ModelPrice>();
  const problems: string[] = [];
  const problem = (text: string) => problems.push(`${source}: ${text}`);
  if (!isRecord(document) || !isRecord(document.models)) {
    problem('expected a mapping with a "models" mapping of model names to prices');
    return { prices, problems };
  }
  for (const key of Object.keys(document)) if (key !== 'models') problem(`unknown key "${key}"`);
  for (const [name, entry] of Object.entries(document.models)) {
    const model = name.trim().toLowerCase();
    if (model === '') {
      problem('a model name is empty');
      continue;
    }
    if (prices.has(model)) {
      problem(`models.${name}: listed twice (names are compared in lower case)`);
      continue;
    }
    const price = parseModelPrice(entry, `models.${name}`, problem);
    if (price !== undefined) prices.set(model, price);
  }
  return { prices, problems };
}

/** A table over the given prices (names in lower case). */
export function createPriceTable(models: ReadonlyMap<string, ModelPrice>): PriceTable {
  // Longest first, so that the first listed name a model starts with is the most specific one.
  const byLength = [...models.keys()].sort((a, b) => b.length - a.length);
  const remembered = new Map<string, ModelPrice | undefined>();
  return {
    models,
    priceOf(model) {
      if (remembered.has(model)) return remembered.get(model);
      const price = lookUp(models, byLength, model.toLowerCase());
      if (remembered.size >= MAX_REMEMBERED_MODELS) remembered.clear();
      remembered.set(model, price);
      return price;
    },
  };
}

/**
 * The estimated cost of an exchange in US dollars: uncached input, cached input and output at their prices.
 * Cached tokens are part of the input (see {@link TokenUsage}); a provider reporting more cached than input
 * tokens is read as all input cached.
 */
export function estimateCostUsd(price: ModelPrice, usage: TokenUsage): number {
  const cached = Math.min(usage.cachedTokens, usage.inputTokens);
  return (
    ((usage.inputTokens - cached) * price.inputPerMillion +
      cached * price.cachedInputPerMillion +
      usage.outputTokens * price.outputPerMillion) /
    PER_MILLION
  );
}

function lookUp(
  models: ReadonlyMap<string, ModelPrice>,
  byLength: readonly string[],
  model: string,
): ModelPrice | undefined {
  const exact = models.get(model);
  if (exact !== undefined) return exact;
  for (const name of byLength) {
    if (
      model.length > name.length &&
      model.startsWith(name) &&
      NAME_BOUNDARIES.has(model.charAt(name.length))
    ) {
      return models.get(name);
    }
  }
  return undefined;
}

function readPriceFile(path: string): { prices: Map<string, ModelPrice>; problems: string[] } {
  if (!existsSync(path)) return { prices: new Map(), problems: [`${path}: price file not found`] };
  let document: unknown;
  try {
    document = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    return { prices: new Map(), problems: [`${path}: not valid YAML: ${reason}`] };
  }
  return parsePriceDocument(document, path);
}

function parseModelPrice(
  entry: unknown,
  where: string,
  problem: (text: string) => void,
): ModelPrice | undefined {
  if (!isRecord(entry)) {
    problem(`${where}: expected a mapping with input, output and optionally cached_input`);
    return undefined;
  }
  const fields = PRICE_FIELDS as readonly string[];
  for (const key of Object.keys(entry)) {
    if (!fields.includes(key))
      problem(`${where}: unknown key "${key}" (expected ${PRICE_FIELDS.join(', ')})`);
  }
  const read = (field: (typeof PRICE_FIELDS)[number], required: boolean): number | undefined => {
    const value = entry[field];
    if (value === undefined || value === null) {
      if (required) problem(`${where}.${field} is required (US dollars per million tokens)`);
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      problem(`${where}.${field} must be a number of US dollars per million tokens, 0 or more`);
      return undefined;
    }
    return value;
  };
  const input = read('input', true);
  const output = read('output', true);
  const cachedInput = read('cached_input', false);
  if (input === undefined || output === undefined) return undefined;
  return { inputPerMillion: input, outputPerMillion: output, cachedInputPerMillion: cachedInput ?? input };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
