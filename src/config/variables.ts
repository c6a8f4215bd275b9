import type { Static, TSchema } from '@sinclair/typebox';

import type { ConfigSection, VariableSpec } from './variable-declaration.js';
import { ADMIN_VARIABLES } from './variables/admin-variables.js';
import { CACHE_VARIABLES } from './variables/cache-variables.js';
import { DISPATCHER_VARIABLES, EVENT_VARIABLES, USAGE_VARIABLES } from './variables/events-variables.js';
import { LOG_VARIABLES } from './variables/log-variables.js';
import { PROXY_VARIABLES } from './variables/proxy-variables.js';
import { SERVER_VARIABLES } from './variables/server-variables.js';
import { SERVICE_VARIABLES } from './variables/services-variables.js';
import { STORAGE_VARIABLES } from './variables/storage-variables.js';

export type { ConfigSection, VariableDeclaration, VariableSpec } from './variable-declaration.js';

/** The sections in the order the README and every problem list show them, with the README's heading and intro. */
export const CONFIG_SECTIONS: readonly { readonly name: ConfigSection; readonly intro: string }[] = [
  { name: 'server', intro: 'Where `llm-proxy server` listens and the secret of its management API.' },
  {
    name: 'connections',
    intro:
      'How long a client may take to send a request and how many connections and requests one client address may hold (see "Connection limits"). `0` switches off the body timeout, the minimum rate and each connection limit.',
  },
  { name: 'database', intro: 'Where state lives: a SQLite file (the default) or PostgreSQL.' },
  { name: 'encryption', intro: 'Provider API keys at rest.' },
  { name: 'log', intro: 'Process logs (pino JSON lines by default); secrets are always redacted.' },
  { name: 'audit', intro: 'The audit trail of management actions.' },
  { name: 'providers', intro: 'The upstream APIs (see "Providers").' },
  { name: 'proxy', intro: 'Limits and caches of the `/v1` proxy.' },
  {
    name: 'cache',
    intro:
      'The HTTP response cache of `/v1` (see "Response cache"): what may be stored, where, and how much.',
  },
  {
    name: 'events',
    intro:
      'Request events (see "Events"): what an event holds and the bus it travels. Off the request path: publishing never waits or fails a request.',
  },
  {
    name: 'dispatcher',
    intro:
      'Delivery of events to an observability backend, by `llm-proxy dispatcher` or inside the server (`DISPATCHER_IN_PROCESS`).',
  },
  {
    name: 'usage',
    intro: 'Token usage and its estimated cost (see "Usage and cost").',
  },
  { name: 'metrics', intro: 'The JSON and Prometheus metrics endpoints.' },
  {
    name: 'admin',
    intro:
      'The admin web UI (see "Admin UI"): where `llm-proxy server` serves it, how long a sign-in lasts and where it is kept.',
  },
  {
    name: 'redis',
    intro:
      'Redis shares state between instances (cache invalidation, admin sessions). Nothing needs it by default: unlike the original program, whose `REDIS_ADDR` defaults to `localhost:6379`, no address means no Redis.',
  },
];

// Keyed by name so that a section reads a variable with its typed value; one entry per variable, declared by
// section in ./variables/, spread here in the order of CONFIG_SECTIONS.
const TABLE = {
  ...SERVER_VARIABLES,
  ...STORAGE_VARIABLES,
  ...LOG_VARIABLES,
  ...PROXY_VARIABLES,
  ...CACHE_VARIABLES,
  ...EVENT_VARIABLES,
  ...DISPATCHER_VARIABLES,
  ...USAGE_VARIABLES,
  ...SERVICE_VARIABLES,
  ...ADMIN_VARIABLES,
};

/** Name of a variable the program reads. */
export type VariableName = keyof typeof TABLE;

/** The typed value of a variable: its schema's type, or undefined for a variable without a default. */
export type VariableValue<N extends VariableName> = (typeof TABLE)[N] extends {
  readonly schema: infer S extends TSchema;
  readonly default: infer D;
}
  ? Static<S> | (undefined extends D ? undefined : never)
  : never;

/** Every environment variable the program reads, in the order of the README. */
export const VARIABLES: readonly VariableSpec[] = Object.entries(TABLE).map(([name, spec]): VariableSpec => ({
  ...spec,
  name,
}));

/** Names of the variables that hold secrets. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set(
  VARIABLES.filter((variable) => variable.secret === true).map((variable) => variable.name),
);

/** The declaration of one variable. */
export function variableSpec(name: VariableName): VariableSpec {
  return { ...TABLE[name], name };
}

/** A variable's default as an operator writes it; undefined for a variable without one. */
export function writtenDefault(variable: VariableSpec): string | undefined {
  const value = variable.default;
  if (variable.defaultText !== undefined || value === undefined) return variable.defaultText;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  throw new Error(`${variable.name}: declare how its default is written (defaultText)`);
}
