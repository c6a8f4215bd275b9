import { Ajv } from 'ajv';
import type { ErrorObject, Options as AjvOptions, ValidateFunction } from 'ajv';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';

import { AppError, ERRORS } from '../core/index.js';

/**
 * Schema annotation with messages that replace the generated ones, keyed by Ajv keyword
 * (`required`, `minimum`, …). Kept for compatibility with the original program's error texts.
 */
export const ERROR_MESSAGES_KEYWORD = 'x-error-messages';

const MAX_FIELD_NAME_LENGTH = 64;
/** How an integer is written in a query string: decimal digits only (no `1e3`, `1.0`, `0x10`, spaces). */
const DECIMAL_INTEGER = /^-?\d+$/;

const SHARED_OPTIONS: AjvOptions = {
  allErrors: true,
  verbose: true,
  useDefaults: true,
  strict: true,
  logger: false,
};

/** One problem found in a request part. */
export interface ValidationProblem {
  readonly keyword: string;
  readonly field: string;
  readonly message: string;
}

/** A request that does not match its schema; the message names every problem. */
export class RequestValidationError extends AppError {
  readonly problems: readonly ValidationProblem[];

  constructor(problems: readonly ValidationProblem[]) {
    const messages = [...new Set(problems.map((problem) => problem.message))];
    super(ERRORS.VALIDATION_FAILED, { message: messages.join('; ') || ERRORS.VALIDATION_FAILED.message });
    this.name = 'RequestValidationError';
    this.problems = problems;
  }
}

/**
 * The validator compiler of the management API. Bodies are checked strictly (no type coercion, unknown fields
 * rejected); query strings and path parameters are text by nature and are coerced to the schema's types.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<FastifySchema> {
  const bodies = newAjv({ coerceTypes: false, removeAdditional: false });
  const params = newAjv({ coerceTypes: true, removeAdditional: false });
  return function compileManagementValidator({ schema, httpPart }) {
    const validate = (httpPart === 'body' ? bodies : params).compile(schema);
    const part = httpPart === 'body' ? 'request body' : (httpPart ?? 'request');
    const integers = httpPart === 'body' ? [] : integerProperties(schema);
    return function validateManagementRequest(data: unknown) {
      // Checked before coercion, which reads `1e308` or `1.0` as integers and 400 digits as Infinity.
      const problems = integers.flatMap((integer) => integerProblem(data, integer));
      if (problems.length > 0) return { error: new RequestValidationError(problems) };
      if (validate(data)) return { value: data };
      return { error: new RequestValidationError(describeErrors(validate, part)) };
    };
  };
}

/** An integer property of a query or path schema. */
interface IntegerProperty {
  readonly name: string;
  readonly maximum: number | undefined;
}

function integerProperties(schema: unknown): IntegerProperty[] {
  if (!isRecord(schema) || !isRecord(schema.properties)) return [];
  return Object.entries(schema.properties).flatMap(([name, property]) =>
    isRecord(property) && property.type === 'integer'
      ? [{ name, maximum: typeof property.maximum === 'number' ? property.maximum : undefined }]
      : [],
  );
}

/** The problem of a text parameter that is not a plain decimal integer of a size JavaScript holds exactly. */
function integerProblem(data: unknown, integer: IntegerProperty): ValidationProblem[] {
  const value = isRecord(data) ? data[integer.name] : undefined;
  if (value === undefined || typeof value === 'number') return [];
  const { name, maximum } = integer;
  if (typeof value !== 'string' || !DECIMAL_INTEGER.test(value)) {
    return [problem('type', name, `${name} must be an integer`)];
  }
  if (Number.isSafeInteger(Number(value))) return [];
  return [
    problem(
      'maximum',
      name,
      maximum === undefined ? `${name} is too large` : `${name} must be <= ${String(maximum)}`,
    ),
  ];
}

function newAjv(options: AjvOptions): Ajv {
  const ajv = new Ajv({ ...SHARED_OPTIONS, ...options });
  ajv.addKeyword({ keyword: ERROR_MESSAGES_KEYWORD, schemaType: 'object' });
  ajv.addFormat('date-time', true);
  return ajv;
}

function describeErrors(validate: ValidateFunction, part: string): ValidationProblem[] {
  return (validate.errors ?? []).map((error) => describeError(error, part));
}

function describeError(error: ErrorObject, part: string): ValidationProblem {
  const path = fieldPath(error.instancePath);
  if (error.keyword === 'required') {
    const missing = String(error.params.missingProperty);
    const field = joinPath(path, missing);
    const propertySchema = propertySchemaOf(error.parentSchema, missing);
    return problem('required', field, override(propertySchema, 'required') ?? `${field} is required`);
  }
  if (error.keyword === 'additionalProperties') {
    const extra = String(error.params.additionalProperty);
    return problem('additionalProperties', joinPath(path, extra), `unknown field "${joinPath(path, extra)}"`);
  }
  const field = path === '' ? part : path;
  const custom = override(error.parentSchema, error.keyword);
  return problem(error.keyword, field, custom ?? `${field} ${generatedMessage(error)}`);
}

function generatedMessage(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type':
      return describeType(String(params.type));
    case 'minimum':
      return `must be >= ${String(params.limit)}`;
    case 'maximum':
      return `must be <= ${String(params.limit)}`;
    case 'minLength':
      return Number(params.limit) === 1
        ? 'must not be empty'
        : `must be at least ${String(params.limit)} characters`;
    case 'maxLength':
      return `must be at most ${String(params.limit)} characters`;
    case 'enum':
      return `must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'pattern':
      return 'has an invalid format';
    default:
      return error.message ?? 'is invalid';
  }
}

function describeType(type: string): string {
  switch (type) {
    case 'object':
      return 'must be a JSON object';
    case 'integer':
      return 'must be an integer';
    case 'array':
      return 'must be an array';
    default:
      return `must be a ${type}`;
  }
}

function problem(keyword: string, field: string, message: string): ValidationProblem {
  return { keyword, field, message };
}

/** `/a/0/b` → `a[0].b` */
function fieldPath(instancePath: string): string {
  if (instancePath === '') return '';
  return instancePath
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : joinPath(path, segment)), '');
}

function joinPath(path: string, name: string): string {
  // Field names come from the client: keep them short in messages, logs and audit reasons.
  const shown = name.length > MAX_FIELD_NAME_LENGTH ? `${name.slice(0, MAX_FIELD_NAME_LENGTH)}…` : name;
  return path === '' ? shown : `${path}.${shown}`;
}

function propertySchemaOf(objectSchema: unknown, property: string): unknown {
  if (!isRecord(objectSchema) || !isRecord(objectSchema.properties)) return undefined;
  return objectSchema.properties[property];
}

function override(schema: unknown, keyword: string): string | undefined {
  if (!isRecord(schema)) return undefined;
  const messages = schema[ERROR_MESSAGES_KEYWORD];
  if (!isRecord(messages)) return undefined;
  const message = messages[keyword];
  return typeof message === 'string' ? message : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
