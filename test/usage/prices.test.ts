import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { createPriceTable, estimateCostUsd, loadPriceTable } from '../../src/usage/index.js';
import type { PriceTable, TokenUsage } from '../../src/usage/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function priceFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'llm-proxy-prices-'));
  dirs.push(dir);
  const path = join(dir, 'prices.yaml');
  writeFileSync(path, text);
  return path;
}

function shipped(): PriceTable {
  const result = loadPriceTable();
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.value;
}

const usage = (overrides: Partial<TokenUsage> = {}): TokenUsage => ({
  inputTokens: 0,
  outputTokens: 0,
  cachedTokens: 0,
  reasoningTokens: 0,
  estimated: false,
  ...overrides,
});

describe('the shipped price table', () => {
  it('loads without problems and prices the current OpenAI and Anthropic models', () => {
    const table = shipped();
    for (const model of [
      'gpt-4o',
      'gpt-4o-mini',
      'gpt-4.1',
      'gpt-4.1-mini',
      'gpt-4.1-nano',
      'o1',
      'o3',
      'o3-mini',
      'o4-mini',
      'gpt-5',
      'gpt-5-mini',
      'gpt-5-nano',
      'claude-3-5-haiku',
      'claude-3-5-sonnet',
      'claude-3-7-sonnet',
      'claude-sonnet-4',
      'claude-opus-4',
      'text-embedding-3-small',
    ]) {
      expect(table.models.has(model), model).toBe(true);
    }
    for (const [model, price] of table.models) {
      expect(price.cachedInputPerMillion, model).toBeLessThanOrEqual(price.inputPerMillion);
    }
    expect(table.priceOf('gpt-4o')).toEqual({
      inputPerMillion: 2.5,
      outputPerMillion: 10,
      cachedInputPerMillion: 1.25,
    });
  });

  it('matches dated snapshots by the longest listed prefix, and an exact name first', () => {
    const table = shipped();
    expect(table.priceOf('gpt-4o-2024-08-06')).toBe(table.priceOf('gpt-4o'));
    expect(table.priceOf('gpt-4o-mini-2024-07-18')).toBe(table.priceOf('gpt-4o-mini'));
    expect(table.priceOf('gpt-4o-2024-05-13')?.inputPerMillion).toBe(5);
    expect(table.priceOf('claude-sonnet-4-20250514')).toBe(table.priceOf('claude-sonnet-4'));
    expect(table.priceOf('claude-opus-4-1-20250805')).toBe(table.priceOf('claude-opus-4-1'));
    expect(table.priceOf('claude-opus-4-20250514')).toBe(table.priceOf('claude-opus-4'));
    expect(table.priceOf('claude-3-5-sonnet@20240620')).toBe(table.priceOf('claude-3-5-sonnet'));
    expect(table.priceOf('GPT-4o-2024-08-06')).toBe(table.priceOf('gpt-4o'));
  });

  it('leaves models unpriced rather than guess across a name boundary', () => {
    const table = shipped();
    expect(table.priceOf('llama-3.1-70b')).toBeUndefined();
    expect(table.priceOf('gpt-4oo')).toBeUndefined();
    expect(table.priceOf('gpt-5.9')).toBeUndefined();
    expect(table.priceOf('')).toBeUndefined();
  });
});

describe('estimated cost', () => {
  const price = { inputPerMillion: 2.5, outputPerMillion: 10, cachedInputPerMillion: 1.25 };

  it('prices uncached input, cached input and output per million tokens', () => {
    // 600 uncached × 2.50 + 400 cached × 1.25 + 500 output × 10.00, per million.
    const cost = estimateCostUsd(price, usage({ inputTokens: 1000, cachedTokens: 400, outputTokens: 500 }));
    expect(cost).toBeCloseTo(0.007, 12);
    expect(estimateCostUsd(price, usage({ inputTokens: 1_000_000 }))).toBe(2.5);
  });

  it('reads more cached than input tokens as all input cached', () => {
    expect(estimateCostUsd(price, usage({ inputTokens: 100, cachedTokens: 500 }))).toBeCloseTo(
      (100 * 1.25) / 1_000_000,
      12,
    );
  });
});

describe('an operator price file', () => {
  it('replaces the shipped entries it names and adds new ones; the rest stay', () => {
    const overridePath = priceFile(
      [
        'models:',
        '  gpt-4o: { input: 1, output: 2 }',
        '  My-Local-Model: { input: 0.5, output: 0.5, cached_input: 0.1 }',
      ].join('\n'),
    );
    const result = loadPriceTable({ overridePath });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    const table = result.value;
    expect(table.priceOf('gpt-4o-2024-08-06')).toEqual({
      inputPerMillion: 1,
      outputPerMillion: 2,
      cachedInputPerMillion: 1,
    });
    expect(table.priceOf('my-local-model')?.cachedInputPerMillion).toBe(0.1);
    expect(table.priceOf('o3')).toEqual(shipped().priceOf('o3'));
  });

  it('is refused with every problem listed, each naming the file', () => {
    const overridePath = priceFile(
      [
        'currency: EUR',
        'models:',
        '  gpt-4o: { input: -1, output: 2 }',
        '  gpt-4o-mini: { output: "cheap" }',
        '  o3: 5',
        '  o4-mini: { input: 1, output: 1, batch: 0.5 }',
        '  GPT-5: { input: 1, output: 1 }',
        '  gpt-5: { input: 1, output: 1 }',
      ].join('\n'),
    );
    const result = loadPriceTable({ overridePath });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      `${overridePath}: unknown key "currency"`,
      `${overridePath}: models.gpt-4o.input must be a number of US dollars per million tokens, 0 or more`,
      `${overridePath}: models.gpt-4o-mini.input is required (US dollars per million tokens)`,
      `${overridePath}: models.gpt-4o-mini.output must be a number of US dollars per million tokens, 0 or more`,
      `${overridePath}: models.o3: expected a mapping with input, output and optionally cached_input`,
      `${overridePath}: models.o4-mini: unknown key "batch" (expected input, output, cached_input)`,
      `${overridePath}: models.gpt-5: listed twice (names are compared in lower case)`,
    ]);
  });

  it('that is missing, not YAML or not a price file is refused with a clear message', () => {
    const missing = join(tmpdir(), 'llm-proxy-no-such-prices.yaml');
    expect(loadPriceTable({ overridePath: missing })).toEqual({
      ok: false,
      problems: [`${missing}: price file not found`],
    });
    const broken = priceFile('models: { gpt-4o: [\n');
    const notYaml = loadPriceTable({ overridePath: broken });
    expect(notYaml.ok).toBe(false);
    if (!notYaml.ok) expect(notYaml.problems[0]).toMatch(new RegExp(`^${broken}: not valid YAML: `));
    const list = priceFile('- gpt-4o\n');
    expect(loadPriceTable({ overridePath: list })).toEqual({
      ok: false,
      problems: [`${list}: expected a mapping with a "models" mapping of model names to prices`],
    });
  });
});

describe('a price table', () => {
  it('remembers lookups without growing without bound', () => {
    const table = createPriceTable(
      new Map([['m', { inputPerMillion: 1, outputPerMillion: 1, cachedInputPerMillion: 1 }]]),
    );
    for (let i = 0; i < 5_000; i += 1) table.priceOf(`client-chosen-${String(i)}`);
    expect(table.priceOf('m-2025')).toBe(table.models.get('m'));
  });
});
