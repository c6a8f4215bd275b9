import type { FastifyInstance } from 'fastify';

import type { SystemStatusView } from '../../manage/index.js';
import { badge, count, timestamp } from '../render/format.js';
import { html } from '../render/html.js';
import { statCards } from '../render/stat-cards.js';
import type { SafeHtml } from '../render/html.js';
import { renderPage } from '../render/layout.js';
import { adminContext } from '../render/page-context.js';
import { loadSystemStatus } from './system-status.js';

/** Registers `GET /events`: the event bus and the dispatchers this instance runs. */
export function registerEventsPage(app: FastifyInstance): void {
  app.get('/events', async (request, reply) => {
    const context = adminContext(request);
    const events = (await loadSystemStatus(context)).events;
    const body = html`${
        events.enabled
          ? ''
          : html`<div class="alert alert-info" role="status">
              Request events are off on this server (OBSERVABILITY_ENABLED=false, or nothing consumes them).
            </div>`
      }
      ${statCards(
        [
          ['Bus', events.bus ?? 'off'],
          ['Published', count(events.published)],
          ['Dropped', count(events.dropped)],
          ['Waiting in the spool', count(events.spooled)],
        ],
        'data-events-stat',
      )}
      <h2 class="h5">Dispatchers in this server</h2>
      ${dispatcherTable(events.dispatchers)}
      <p class="text-muted small mt-2">
        Counts are this instance's since it started. <code>llm-proxy dispatcher</code> processes report on
        their own health port (<code>/health</code>, <code>/metrics</code>).
      </p>`;
    return reply
      .type('text/html; charset=utf-8')
      .send(await renderPage(context, { title: 'Events', section: 'events', body }));
  });
}

function dispatcherTable(dispatchers: SystemStatusView['events']['dispatchers']): SafeHtml {
  if (dispatchers.length === 0) {
    return html`<p class="text-muted">
      None: set FILE_EVENT_LOG or DISPATCHER_IN_PROCESS to deliver events from the server itself.
    </p>`;
  }
  return html`<div class="table-responsive">
    <table class="table table-sm align-middle">
      <thead>
        <tr>
          <th scope="col">Backend</th>
          <th scope="col">State</th>
          <th scope="col">Delivered</th>
          <th scope="col">Failed</th>
          <th scope="col">Retried</th>
          <th scope="col">Dead letters</th>
          <th scope="col">Buffered</th>
          <th scope="col">Lag</th>
          <th scope="col">Last delivery</th>
        </tr>
      </thead>
      <tbody>
        ${dispatchers.map(
          (dispatcher) =>
            html`<tr>
              <td>${dispatcher.sink}</td>
              <td>
                ${dispatcher.failing_since === null ? badge('Delivering', 'success') : html`${badge('Failing', 'danger')} since ${timestamp(dispatcher.failing_since)}`}
              </td>
              <td>${count(dispatcher.delivered)}</td>
              <td>${count(dispatcher.failed)}</td>
              <td>${count(dispatcher.retried)}</td>
              <td>${count(dispatcher.dead_lettered)}</td>
              <td>${count(dispatcher.buffered)}</td>
              <td>${dispatcher.lag === null ? 'unknown' : count(dispatcher.lag)}</td>
              <td>${timestamp(dispatcher.last_delivery_at)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
