import { Type } from '@sinclair/typebox';

import { MAX_PAGE_NUMBER } from './schema-parts.js';

/** Largest page of a paged token list. */
export const MAX_TOKEN_PAGE_SIZE = 1000;

/** The order and paging parameters of `GET /manage/tokens` (the admin UI's token list pages through them). */
export const TOKEN_LIST_ORDER_AND_PAGES = {
  sort: Type.Optional(
    Type.Unsafe<'created' | 'expires' | 'last_used' | 'requests'>({
      type: 'string',
      enum: ['created', 'expires', 'last_used', 'requests'],
      description: 'order by creation (default), expiry, last use or requests counted',
    }),
  ),
  order: Type.Optional(
    Type.Unsafe<'asc' | 'desc'>({
      type: 'string',
      enum: ['asc', 'desc'],
      description: 'desc (default) or asc; tokens that never expire or were never used come last either way',
    }),
  ),
  page: Type.Optional(
    Type.Integer({ minimum: 1, maximum: MAX_PAGE_NUMBER, description: 'with page_size: only that page' }),
  ),
  page_size: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_TOKEN_PAGE_SIZE,
      description: `1..${String(MAX_TOKEN_PAGE_SIZE)}; with page: the answer holds one page and X-Total-Count the total`,
    }),
  ),
};
