import type { Static, TSchema } from '@sinclair/typebox';

import type { Parsed } from './parse-values.js';

/** A group of variables that one part of the program reads; a command resolves only the sections it uses. */
export type ConfigSection =
  | 'server'
  | 'connections'
  | 'database'
  | 'encryption'
  | 'log'
  | 'audit'
  | 'providers'
  | 'proxy'
  | 'cache'
  | 'events'
  | 'dispatcher'
  | 'usage'
  | 'metrics'
  | 'admin'
  | 'redis';

/** One configuration variable as the table declares it (its name is its key in the table). */
export interface VariableDeclaration<
  S extends TSchema = TSchema,
  D extends Static<S> | undefined = Static<S> | undefined,
> {
  readonly section: ConfigSection;
  /** Schema of the typed value; booleans, bounded integers, string enums and strings are parsed from it. */
  readonly schema: S;
  /** Parser for values whose schema kind does not say how they are written (durations, sizes, addresses, URLs). */
  readonly parse?: (raw: string) => Parsed<Static<S>>;
  /** Typed value when no source sets the variable; undefined means it has none (and an empty value is unset). */
  readonly default: D;
  /** The default as an operator writes it, when it is not the typed value printed as is (`30s`, `50MiB`). */
  readonly defaultText?: string;
  /** An empty value counts as unset, so the default applies (the original program reads these that way). */
  readonly blankIsUnset?: boolean;
  /** Markdown, one or two sentences; shown in the README. */
  readonly description: string;
  /** Secrets are never printed, logged or echoed in error messages. */
  readonly secret?: boolean;
}

/**
 * One configuration variable, declared once: from it follow its parsing and validation, the section that reads
 * it and the README's reference table.
 */
export interface VariableSpec extends VariableDeclaration {
  readonly name: string;
}

/** Declares a variable, keeping its schema and default types for the table that reads it. */
export function variable<S extends TSchema, const D extends Static<S> | undefined>(
  declaration: VariableDeclaration<S, D>,
): VariableDeclaration<S, D> {
  return declaration;
}
