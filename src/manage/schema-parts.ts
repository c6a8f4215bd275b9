import { Type } from '@sinclair/typebox';
import type { Static, TSchema } from '@sinclair/typebox';

/** Longest accepted value of a query filter. */
export const MAX_FILTER_LENGTH = 256;

/** Largest accepted page number of a paged list. */
export const MAX_PAGE_NUMBER = 1_000_000;

/** A point in time as the management API writes it. */
export const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601, UTC' });

/** Marks a schema as also accepting null (OpenAPI 3.0 `nullable`). */
export function Nullable<T extends TSchema>(schema: T): ReturnType<typeof Type.Unsafe<Static<T> | null>> {
  return Type.Unsafe<Static<T> | null>({ ...schema, nullable: true });
}

/** An optional query parameter compared exactly (bounded in length). */
export function queryFilter(description: string) {
  return Type.Optional(Type.String({ maxLength: MAX_FILTER_LENGTH, description }));
}
