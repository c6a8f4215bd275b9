import type { TokenCreatedView } from '../../manage/index.js';
import { count, timestamp } from '../render/format.js';
import { html } from '../render/html.js';
import type { SafeHtml } from '../render/html.js';
import type { AdminContext } from '../render/page-context.js';

/** The lifetimes the "Generate Token" form offers, in minutes (the original's list). */
export const TOKEN_DURATIONS: readonly number[] = [
  5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 4320, 10080, 43200, 525600,
];

/** The lifetime a new token gets unless another is chosen. */
export const DEFAULT_TOKEN_DURATION = 15;

const MINUTE = { minutes: 1, name: 'minute' };
const UNITS: readonly { readonly minutes: number; readonly name: string }[] = [
  { minutes: 525_600, name: 'year' },
  { minutes: 10_080, name: 'week' },
  { minutes: 1_440, name: 'day' },
  { minutes: 60, name: 'hour' },
];

/** A lifetime in words, in the largest unit that divides it: "15 minutes", "6 hours", "1 day", "30 days". */
export function durationLabel(minutes: number): string {
  const unit = UNITS.find((candidate) => minutes % candidate.minutes === 0) ?? MINUTE;
  const amount = minutes / unit.minutes;
  return `${String(amount)} ${unit.name}${amount === 1 ? '' : 's'}`;
}

/**
 * How to call the proxy with a new token: curl, and the OpenAI SDKs for Python and Node.js pointed at the
 * proxy's `/v1`. Each block has a copy button; the texts are escaped like any other data.
 */
export function usageSnippets(proxyBaseUrl: string, token: string): SafeHtml {
  const baseUrl = `${proxyBaseUrl.replace(/\/+$/, '')}/v1`;
  const snippets = [
    {
      id: 'snippet-curl',
      title: 'curl',
      code: [
        `curl ${baseUrl}/chat/completions \\`,
        `  -H "Authorization: Bearer ${token}" \\`,
        '  -H "Content-Type: application/json" \\',
        `  -d '{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello!"}]}'`,
      ].join('\n'),
    },
    {
      id: 'snippet-python',
      title: 'Python',
      code: [
        'from openai import OpenAI',
        '',
        `client = OpenAI(base_url="${baseUrl}", api_key="${token}")`,
        'reply = client.chat.completions.create(',
        '    model="gpt-4o-mini",',
        '    messages=[{"role": "user", "content": "Hello!"}],',
        ')',
        'print(reply.choices[0].message.content)',
      ].join('\n'),
    },
    {
      id: 'snippet-node',
      title: 'Node.js',
      code: [
        "import OpenAI from 'openai';",
        '',
        `const client = new OpenAI({ baseURL: '${baseUrl}', apiKey: '${token}' });`,
        'const reply = await client.chat.completions.create({',
        "  model: 'gpt-4o-mini',",
        "  messages: [{ role: 'user', content: 'Hello!' }],",
        '});',
        'console.log(reply.choices[0].message.content);',
      ].join('\n'),
    },
  ];
  return html`${snippets.map(
    (snippet) =>
      html`<div class="mb-3">
        <div class="d-flex justify-content-between align-items-center mb-1">
          <h3 class="h6 mb-0">${snippet.title}</h3>
          <button type="button" class="btn btn-outline-secondary btn-sm" data-copy-target="${snippet.id}">
            Copy
          </button>
        </div>
        <pre id="${snippet.id}" class="bg-light border rounded p-2 mb-0" tabindex="0">${snippet.code}</pre>
      </div>`,
  )}`;
}

/**
 * The page shown right after creation, the only one that ever holds the secret: the token with a copy
 * button, what it allows, a reminder that it is not shown again, and how to use it.
 */
export function tokenCreatedBody(
  context: AdminContext,
  created: TokenCreatedView,
  project: { readonly id: string; readonly name: string },
): SafeHtml {
  return html`<div class="alert alert-success" role="status">
      The token was generated for project <strong>${project.name}</strong>.
    </div>
    <div class="alert alert-warning" role="alert">
      <i class="bi bi-exclamation-triangle" aria-hidden="true"></i>
      <strong>This is the only time the token is shown.</strong> Copy it now and keep it somewhere safe: it
      cannot be displayed again. If it is lost, generate a new one and revoke this one.
    </div>
    <div class="card mb-4">
      <div class="card-body">
        <h2 class="h5">Your token</h2>
        <div class="d-flex flex-wrap align-items-center gap-2 mb-3">
          <code id="tokenValue" class="fs-6 text-break user-select-all">${created.token}</code>
          <button type="button" class="btn btn-outline-primary btn-sm" data-copy-target="tokenValue">
            Copy
          </button>
        </div>
        <dl class="row mb-0">
          <dt class="col-sm-3">Token ID</dt>
          <dd class="col-sm-9"><code>${created.id}</code></dd>
          ${
            created.name !== undefined &&
            html`<dt class="col-sm-3">Name</dt>
              <dd class="col-sm-9">${created.name}</dd>`
          }
          <dt class="col-sm-3">Project</dt>
          <dd class="col-sm-9"><a href="${context.url(`/projects/${project.id}`)}">${project.name}</a></dd>
          <dt class="col-sm-3">Expires</dt>
          <dd class="col-sm-9">${timestamp(created.expires_at, 'Never')}</dd>
          <dt class="col-sm-3">Limit</dt>
          <dd class="col-sm-9">
            ${created.max_requests === undefined ? 'Unlimited' : `${count(created.max_requests)} requests`}
          </dd>
        </dl>
      </div>
    </div>
    <div class="card mb-4">
      <div class="card-body">
        <h2 class="h5">Use it</h2>
        <p>Point any OpenAI client at the proxy and use the token as its API key.</p>
        ${usageSnippets(context.proxyBaseUrl, created.token)}
      </div>
    </div>
    <div class="d-flex flex-wrap gap-2">
      <a class="btn btn-primary" href="${context.url(`/tokens/${created.id}`)}">View Token Details</a>
      <a class="btn btn-outline-primary" href="${context.url('/tokens/new', { project_id: project.id })}"
        >Generate Another</a
      >
      <a class="btn btn-outline-secondary" href="${context.url('/tokens')}">Back to Tokens</a>
    </div>`;
}
