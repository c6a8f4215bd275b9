import { Type } from '@sinclair/typebox';

import { variable } from '../variable-declaration.js';

/** The `database` and `encryption` sections: where state lives and how provider keys are kept at rest. */
export const STORAGE_VARIABLES = {
  DB_DRIVER: variable({
    section: 'database',
    schema: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')]),
    default: 'sqlite',
    description: 'Database: `sqlite` or `postgres`.',
  }),
  DATABASE_PATH: variable({
    section: 'database',
    schema: Type.String(),
    default: './data/llm-proxy.db',
    description: 'SQLite file (`:memory:` for a throw-away database). Its folder is created.',
  }),
  DATABASE_URL: variable({
    section: 'database',
    schema: Type.String(),
    default: '',
    secret: true,
    description: 'PostgreSQL connection URL; required when `DB_DRIVER=postgres`.',
  }),
  DATABASE_POOL_SIZE: variable({
    section: 'database',
    schema: Type.Integer({ minimum: 1, maximum: 1000 }),
    default: 10,
    description: 'Maximum PostgreSQL connections (1..1000).',
  }),
  ENCRYPTION_KEY: variable({
    section: 'encryption',
    schema: Type.String(),
    default: '',
    secret: true,
    description:
      'Base64 of 32 random bytes; provider API keys are then stored AES-256-GCM encrypted (`enc:v1:`). `llm-proxy setup` generates one.',
  }),
  ENCRYPTION_KEYS_PREVIOUS: variable({
    section: 'encryption',
    schema: Type.String(),
    default: '',
    secret: true,
    description:
      'Comma list of earlier `ENCRYPTION_KEY` values, still used to read keys written with them (key rotation); `llm-proxy migrate encrypt` re-encrypts those with `ENCRYPTION_KEY`.',
  }),
  REQUIRE_ENCRYPTION_KEY: variable({
    section: 'encryption',
    schema: Type.Boolean(),
    default: false,
    description: 'Refuse to start without `ENCRYPTION_KEY`.',
  }),
};
