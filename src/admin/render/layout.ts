import { assetFileName } from './assets.js';
import type { AssetName } from './assets.js';
import { html } from './html.js';
import type { HtmlValue, SafeHtml } from './html.js';
import type { Flash } from '../session/session-store.js';
import type { AdminContext } from './page-context.js';

/** The sections of the navigation bar. */
export type NavSection = 'dashboard' | 'projects' | 'tokens' | 'audit' | 'cache' | 'events';

const NAV: readonly { readonly section: NavSection; readonly path: string; readonly label: string }[] = [
  { section: 'dashboard', path: '/dashboard', label: 'Dashboard' },
  { section: 'projects', path: '/projects', label: 'Projects' },
  { section: 'tokens', path: '/tokens', label: 'Tokens' },
  { section: 'audit', path: '/audit', label: 'Audit' },
  { section: 'cache', path: '/cache', label: 'Cache' },
  { section: 'events', path: '/events', label: 'Events' },
];

/** What a signed-in page puts into the layout. */
export interface PageContent {
  /** The `<title>` and the page heading. */
  readonly title: string;
  readonly section: NavSection;
  readonly body: HtmlValue;
  /** A bootstrap-icons name (`shield-check`) shown before the heading. */
  readonly icon?: string;
  /** Buttons or links beside the heading. */
  readonly actions?: HtmlValue;
  /** Load Chart.js for the page's `canvas[data-chart]` elements. */
  readonly charts?: boolean;
}

/** A whole signed-in page: navigation, the session's one-time notice (taken, so shown once), heading, content. */
export async function renderPage(context: AdminContext, content: PageContent): Promise<string> {
  return renderSignedInLayout(context, content, await context.takeFlash());
}

/**
 * A signed-in page with the given notice, or none. Error pages use it without one: the pending notice waits for
 * the next regular page (an error may be the session store's own, which cannot be asked to give it up).
 */
export function renderSignedInLayout(
  context: AdminContext,
  content: PageContent,
  flash: Flash | undefined,
): string {
  const body = html` <nav class="navbar navbar-expand-md navbar-dark bg-dark mb-4">
      <div class="container-fluid">
        <a class="navbar-brand" href="${context.url('/dashboard')}">llm-proxy</a>
        <button
          class="navbar-toggler"
          type="button"
          data-bs-toggle="collapse"
          data-bs-target="#main-nav"
          aria-controls="main-nav"
          aria-expanded="false"
          aria-label="Toggle navigation"
        >
          <span class="navbar-toggler-icon"></span>
        </button>
        <div class="collapse navbar-collapse" id="main-nav">
          <ul class="navbar-nav me-auto">
            ${NAV.map(
              (item) =>
                html`<li class="nav-item">
                  <a
                    class="nav-link${item.section === content.section ? ' active' : ''}"
                    href="${context.url(item.path)}"
                    ${item.section === content.section ? html` aria-current="page"` : ''}
                    >${item.label}</a
                  >
                </li>`,
            )}
          </ul>
          <form method="post" action="${context.url('/auth/logout')}" class="d-flex">
            <input type="hidden" name="_csrf" value="${context.session.csrfToken}" />
            <button type="submit" class="btn btn-outline-light btn-sm">Sign Out</button>
          </form>
        </div>
      </div>
    </nav>
    <main class="container-lg pb-5">
      ${flash === undefined ? '' : html`<div class="alert alert-${flash.kind}" role="alert">${flash.message}</div>`}
      <div class="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-3">
        <h1 class="h3 mb-0">
          ${content.icon === undefined ? '' : html`<i class="bi bi-${content.icon}" aria-hidden="true"></i> `}${content.title}
        </h1>
        <div class="d-flex flex-wrap gap-2">${content.actions}</div>
      </div>
      ${content.body}
    </main>`;
  return documentOf(context.basePath, content.title, body, content.charts === true ? ['chart.js'] : []);
}

/** A page outside the signed-in layout (sign-in, errors before sign-in). */
export function renderBarePage(basePath: string, title: string, body: HtmlValue): string {
  return documentOf(basePath, title, html`<main class="container py-5">${body}</main>`, []);
}

/** The hidden field every state-changing form carries. */
export function csrfField(context: AdminContext): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${context.session.csrfToken}" />`;
}

function documentOf(basePath: string, title: string, body: HtmlValue, scripts: readonly AssetName[]): string {
  const asset = (name: AssetName) => `${basePath}/assets/${assetFileName(name)}`;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · llm-proxy admin</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="${asset('bootstrap.css')}" />
        <link rel="stylesheet" href="${asset('bootstrap-icons.css')}" />
        <link rel="stylesheet" href="${asset('admin.css')}" />
      </head>
      <body>
        ${body}
        <script src="${asset('bootstrap.js')}" defer></script>
        ${scripts.map((name) => html`<script src="${asset(name)}" defer></script>`)}
        <script src="${asset('admin.js')}" defer></script>
      </body>
    </html> `.text;
}
