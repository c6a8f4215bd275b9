import { html, trusted } from './html.js';
import type { SafeHtml } from './html.js';

/**
 * A row of small cards, one figure each: label above, value below. `statName` names the data attribute the
 * values carry (`data-cache-stat="Entries"`), which tests and scripts find them by.
 */
export function statCards(figures: readonly (readonly [string, string])[], statName: string): SafeHtml {
  return html`<div class="row g-3 mb-4">
    ${figures.map(
      ([label, value]) =>
        html`<div class="col-6 col-md-3">
          <div class="card h-100">
            <div class="card-body">
              <div class="text-muted small">${label}</div>
              <div class="stat-value" ${statAttribute(statName, label)}>${value}</div>
            </div>
          </div>
        </div>`,
    )}
  </div>`;
}

function statAttribute(statName: string, label: string): SafeHtml {
  // The attribute name is a constant of the page, never data; only its value comes from the figure.
  if (!/^data-[a-z-]+$/.test(statName)) throw new Error(`not a data attribute name: ${statName}`);
  return html`${trusted(statName)}="${label}"`;
}
