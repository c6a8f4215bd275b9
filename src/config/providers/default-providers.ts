/**
 * The providers served when no provider file exists: OpenAI (its URL from OPENAI_API_URL) and Anthropic.
 * Kept identical to `config/api_providers.yaml`, which a test checks.
 */
export function defaultProvidersDocument(openaiUrl: string): Record<string, unknown> {
  return {
    default_api: 'openai',
    apis: {
      openai: {
        base_url: openaiUrl,
        auth: { header: 'Authorization', scheme: 'Bearer' },
        allowed_endpoints: [
          '/v1/chat/completions',
          '/v1/completions',
          '/v1/embeddings',
          '/v1/models',
          '/v1/moderations',
          '/v1/responses',
          '/v1/files',
          '/v1/uploads',
          '/v1/batches',
          '/v1/images/generations',
          '/v1/images/edits',
          '/v1/images/variations',
          '/v1/audio/speech',
          '/v1/audio/transcriptions',
          '/v1/audio/translations',
          '/v1/threads',
          '/v1/assistants',
          '/v1/vector_stores',
        ],
        allowed_methods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
        timeouts: { connect: '10s', response_header: '10m', idle_read: '5m', idle_connection: '90s' },
      },
      anthropic: {
        base_url: 'https://api.anthropic.com',
        auth: { header: 'x-api-key', scheme: '' },
        allowed_endpoints: ['/v1/messages', '/v1/complete', '/v1/models'],
        allowed_methods: ['GET', 'POST', 'OPTIONS'],
        timeouts: { connect: '10s', response_header: '10m', idle_read: '5m', idle_connection: '90s' },
      },
    },
  };
}
