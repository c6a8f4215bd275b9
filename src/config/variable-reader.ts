import { KindGuard } from '@sinclair/typebox';
import type { TSchema } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';

import { parseBoolean, parseInteger } from './parse-values.js';
import type { Parsed } from './parse-values.js';
import { variableSpec } from './variables.js';
import type { VariableName, VariableSpec, VariableValue } from './variables.js';

/** The layers configuration is read from, lowest precedence first. */
export interface ConfigSources {
  /** Values from the dotenv file. */
  dotenv?: Readonly<Record<string, string | undefined>>;
  /** The process environment. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Values set by command-line flags, keyed by variable name. */
  flags?: Readonly<Record<string, string | undefined>>;
}

/** Reads typed variables for the section resolvers and collects every problem on the way. */
export interface VariableReader {
  /**
   * The typed value: parsed from the highest source that sets the variable, else its default. A value that does
   * not parse or fails its schema is recorded as a problem, and the default is returned so that reading goes on.
   */
  read<N extends VariableName>(name: N): VariableValue<N>;
  /** Whether a source sets the variable to something that is not blank. */
  isSet(name: VariableName): boolean;
  /** Records a problem found by a section (a rule across variables). */
  problem(text: string): void;
  /** Every problem recorded so far. */
  readonly problems: readonly string[];
  /** The merged values as set, for variables named by a pattern rather than declared one by one. */
  readonly values: Readonly<Record<string, string>>;
}

/**
 * Merges the sources (dotenv < environment < flags) into one map of the values set. Defaults are not included:
 * they are typed, and each section applies its own.
 */
export function mergeSources(sources: ConfigSources): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const layer of [sources.dotenv, sources.env, sources.flags]) {
    for (const [name, value] of Object.entries(layer ?? {})) {
      if (value !== undefined) merged[name] = value;
    }
  }
  return merged;
}

/** A reader over the merged sources. */
export function createVariableReader(sources: ConfigSources): VariableReader {
  const values = mergeSources(sources);
  const problems: string[] = [];
  const rawOf = (spec: VariableSpec): string | undefined => {
    const raw = values[spec.name];
    const blankIsUnset = spec.blankIsUnset === true || spec.default === undefined;
    return raw === undefined || (blankIsUnset && raw.trim() === '') ? undefined : raw;
  };
  return {
    read<N extends VariableName>(name: N): VariableValue<N> {
      const spec = variableSpec(name);
      const raw = rawOf(spec);
      // The table declares each default with its schema's type.
      if (raw === undefined) return spec.default as VariableValue<N>;
      const parsed = parserOf(spec)(raw);
      const problem = parsed.ok ? schemaProblem(spec, parsed.value) : parsed.problem;
      if (problem === undefined && parsed.ok) return parsed.value as VariableValue<N>;
      problems.push(`${name}: ${problem ?? ''}`);
      return spec.default as VariableValue<N>;
    },
    isSet: (name) => (values[name] ?? '').trim() !== '',
    problem: (text) => problems.push(text),
    problems,
    values,
  };
}

/** How a variable's text becomes its typed value: its own parser, else the one its schema kind implies. */
function parserOf(spec: VariableSpec): (raw: string) => Parsed<unknown> {
  if (spec.parse !== undefined) return spec.parse;
  const { schema } = spec;
  if (KindGuard.IsBoolean(schema)) return parseBoolean;
  if (KindGuard.IsInteger(schema)) {
    const min = schema.minimum ?? Number.MIN_SAFE_INTEGER;
    const max = schema.maximum ?? Number.MAX_SAFE_INTEGER;
    return (raw) => parseInteger(raw, min, max);
  }
  if (KindGuard.IsUnion(schema) && schema.anyOf.every((member) => KindGuard.IsLiteralString(member))) {
    const allowed = schema.anyOf.map((member) => member.const);
    return (raw) => {
      const value = raw.trim().toLowerCase();
      return allowed.includes(value)
        ? { ok: true, value }
        : { ok: false, problem: `"${raw}" is not one of ${allowed.join(', ')}` };
    };
  }
  if (KindGuard.IsString(schema)) return (raw) => ({ ok: true, value: raw.trim() });
  throw new Error(`${spec.name}: its schema implies no parser; declare one with the variable`);
}

/*
 * The schemas are checked with Ajv (TypeBox schemas are JSON Schema), which the server loads anyway for its
 * routes. TypeBox's own value checker is not used: loading it measurably slowed the server's request handling
 * (node's internals ran slower for the life of the process; see benchmarks/README.md, "A/B").
 */
const ajv = new Ajv({ strict: false, allErrors: false });
const validators = new WeakMap<TSchema, ValidateFunction>();

function schemaProblem(spec: VariableSpec, value: unknown): string | undefined {
  let validate = validators.get(spec.schema);
  if (validate === undefined) {
    validate = ajv.compile(spec.schema);
    validators.set(spec.schema, validate);
  }
  if (validate(value)) return undefined;
  const error = validate.errors?.[0];
  if (error === undefined) return 'is not valid';
  return `${error.instancePath === '' ? '' : `${error.instancePath.slice(1)} `}${error.message ?? 'is not valid'}`;
}
