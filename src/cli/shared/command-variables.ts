/**
 * Variables that commands read themselves, outside the configuration sections (flags' environment defaults);
 * the server's unknown-variable check counts them as known.
 */
export const COMMAND_VARIABLES: readonly string[] = [
  'ENV',
  'PID_FILE',
  'MANAGE_API_BASE_URL',
  'ADMIN_UI_LISTEN_ADDR',
  'ADMIN_UI_API_BASE_URL',
  'ADMIN_UI_PROXY_BASE_URL',
  'OPENAI_API_KEY',
  'PROXY_URL',
  'PROXY_TOKEN',
  'MODEL',
  'TEMPERATURE',
  'MAX_TOKENS',
  'SYSTEM_PROMPT',
  'VERBOSE',
  'USE_STREAMING',
];
