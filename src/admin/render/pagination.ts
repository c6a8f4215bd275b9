import { html } from './html.js';
import type { SafeHtml } from './html.js';
import type { AdminContext } from './page-context.js';

/** A page of a list, as `?page=&size=` ask for it. */
export interface PageRequest {
  /** 1-based. */
  readonly page: number;
  readonly size: number;
}

/** One page of items with what the pager needs. */
export interface PageOf<T> {
  readonly items: readonly T[];
  readonly page: number;
  readonly size: number;
  readonly total: number;
  readonly pages: number;
}

/**
 * `page` and `size` of a query: whole numbers, page from 1, size 1–`maxSize`; anything else falls back to the
 * first page of `defaultSize` (a list page never fails for a bad pager link).
 */
export function pageRequestOf(query: unknown, defaultSize = 10, maxSize = 100): PageRequest {
  const params = typeof query === 'object' && query !== null ? (query as Record<string, unknown>) : {};
  const page = wholeNumber(params.page) ?? 1;
  const size = wholeNumber(params.size ?? params.page_size) ?? defaultSize;
  return { page: Math.max(page, 1), size: Math.min(Math.max(size, 1), maxSize) };
}

/** The requested page of an in-memory list (a page past the end shows the last one). */
export function paginate<T>(items: readonly T[], request: PageRequest): PageOf<T> {
  const pages = Math.max(Math.ceil(items.length / request.size), 1);
  const page = Math.min(request.page, pages);
  const start = (page - 1) * request.size;
  return {
    items: items.slice(start, start + request.size),
    page,
    size: request.size,
    total: items.length,
    pages,
  };
}

/**
 * Previous / numbered / next links that keep every other query parameter (filters, search, sorting), so that
 * paging never loses them. `pageParam` and `sizeParam` name the parameters (`page_size` on the audit list).
 */
export function pager(
  context: AdminContext,
  path: string,
  current: { readonly page: number; readonly pages: number; readonly size: number; readonly total: number },
  query: Readonly<Record<string, string | undefined>>,
  sizeParam = 'size',
): SafeHtml {
  if (current.pages <= 1) return html`<p class="small text-muted">${current.total} in all</p>`;
  const link = (page: number) => context.url(path, { ...query, page, [sizeParam]: current.size });
  const numbers = pageNumbers(current.page, current.pages);
  return html`<nav aria-label="Pages" class="d-flex flex-wrap align-items-center gap-3">
    <ul class="pagination pagination-sm mb-0">
      <li class="page-item${current.page === 1 ? ' disabled' : ''}">
        <a class="page-link" href="${link(Math.max(current.page - 1, 1))}" rel="prev">Previous</a>
      </li>
      ${numbers.map((page) =>
        page === undefined
          ? html`<li class="page-item disabled"><span class="page-link">…</span></li>`
          : html`<li class="page-item${page === current.page ? ' active' : ''}">
              <a
                class="page-link"
                href="${link(page)}"
                ${page === current.page ? html` aria-current="page"` : ''}
                >${page}</a
              >
            </li>`,
      )}
      <li class="page-item${current.page === current.pages ? ' disabled' : ''}">
        <a class="page-link" href="${link(Math.min(current.page + 1, current.pages))}" rel="next">Next</a>
      </li>
    </ul>
    <span class="small text-muted">Page ${current.page} of ${current.pages} · ${current.total} in all</span>
  </nav>`;
}

function pageNumbers(current: number, pages: number): (number | undefined)[] {
  const shown = new Set(
    [1, pages, current - 1, current, current + 1].filter((page) => page >= 1 && page <= pages),
  );
  const sorted = [...shown].sort((a, b) => a - b);
  const numbers: (number | undefined)[] = [];
  for (const [index, page] of sorted.entries()) {
    const previous = sorted[index - 1];
    if (previous !== undefined && page - previous > 1) numbers.push(undefined);
    numbers.push(page);
  }
  return numbers;
}

function wholeNumber(value: unknown): number | undefined {
  return typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : undefined;
}
