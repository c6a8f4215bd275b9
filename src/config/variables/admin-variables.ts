import { Type } from '@sinclair/typebox';

import { parseDuration } from '../parse-values.js';
import type { Parsed } from '../parse-values.js';
import { variable } from '../variable-declaration.js';

/** Paths the server answers itself, which the admin UI may not be mounted on or under. */
const RESERVED_PATHS = ['/v1', '/manage', '/health', '/ready', '/live', '/metrics'];

/** The `admin` section: the admin web UI that `llm-proxy server` serves and its sign-in sessions. */
export const ADMIN_VARIABLES = {
  ADMIN_UI_ENABLED: variable({
    section: 'admin',
    schema: Type.Boolean(),
    default: true,
    description:
      'Serve the admin web UI on the server\'s own port under `ADMIN_UI_PATH` (see "Admin UI"). `llm-proxy admin` serves it whatever this says.',
  }),
  ADMIN_UI_PATH: variable({
    section: 'admin',
    schema: Type.String(),
    parse: parseAdminPath,
    default: '/admin',
    description:
      'Where `llm-proxy server` mounts the admin UI: a path such as `/admin` or `/ops/admin`, outside `/v1`, `/manage`, the probes and metrics. `llm-proxy admin` serves it at the root.',
  }),
  ADMIN_UI_SESSION_IDLE_TIMEOUT: variable({
    section: 'admin',
    schema: Type.Integer({ minimum: 60_000 }),
    parse: parseDuration,
    default: 1_800_000,
    defaultText: '30m',
    description: 'A signed-in session that makes no request for this long is signed out (at least `1m`).',
  }),
  ADMIN_UI_SESSION_MAX_AGE: variable({
    section: 'admin',
    schema: Type.Integer({ minimum: 60_000 }),
    parse: parseDuration,
    default: 43_200_000,
    defaultText: '12h',
    description: 'A session ends this long after sign-in, however active it is.',
  }),
  ADMIN_UI_REMEMBER_ME_MAX_AGE: variable({
    section: 'admin',
    schema: Type.Integer({ minimum: 60_000 }),
    parse: parseDuration,
    default: 2_592_000_000,
    defaultText: '30d',
    description:
      'With "Remember me" ticked, the session cookie outlives the browser and the session ends this long after sign-in (idle expiry is then the same length).',
  }),
  ADMIN_UI_SESSION_STORE: variable({
    section: 'admin',
    schema: Type.Union([Type.Literal('memory'), Type.Literal('redis')]),
    default: 'memory',
    description:
      'Where sign-in sessions are kept: `memory` (this process: a restart signs everyone out, and several instances behind a load balancer need sticky sessions) or `redis` (the shared Redis of `REDIS_URL` or `REDIS_ADDR`, required then: every instance knows every sign-in). `llm-proxy admin` reads it too.',
  }),
  ADMIN_UI_SESSION_KEY_PREFIX: variable({
    section: 'admin',
    schema: Type.String({ minLength: 1 }),
    default: 'llm-proxy:admin-session:',
    description:
      'Put in front of the Redis key of every session (`redis` store). Deployments that share one Redis need prefixes of their own, or a sign-in to one would be accepted by the other.',
  }),
};

function parseAdminPath(raw: string): Parsed<string> {
  const path = raw.trim().replace(/\/+$/, '');
  const reserved = RESERVED_PATHS.some(
    (taken) => path === taken || path.startsWith(`${taken}/`) || taken.startsWith(`${path}/`),
  );
  if (!/^(\/[A-Za-z0-9_.-]+)+$/.test(path) || reserved) {
    return {
      ok: false,
      problem: `"${raw}" must be a path like /admin, outside ${RESERVED_PATHS.join(', ')}`,
    };
  }
  return { ok: true, value: path };
}
