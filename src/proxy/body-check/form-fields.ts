import { AppError, ERRORS } from '../../core/index.js';

/** Values of the form fields looked for, by name, in the order they occur. */
export type FormFields = Map<string, string[]>;

const CRLF = Buffer.from('\r\n');
const HEADERS_END = Buffer.from('\r\n\r\n');
const DASH = 0x2d;
// Content-Transfer-Encoding values that leave the bytes as they are (RFC 7578 §4.7 deprecates the header).
const PLAIN_TRANSFER = new Set(['7bit', '8bit', 'binary']);

/**
 * The fields `names` of an `application/x-www-form-urlencoded` body (WHATWG URL §5.1: `+` is a space, names
 * are percent-decoded). Throws `invalid_form` for a body a decoder could read in more than one way: raw `;`
 * (which older decoders also split on) or broken percent-encoding.
 */
export function urlEncodedFields(text: string, names: ReadonlySet<string>): FormFields {
  if (text.includes(';')) throw invalidForm("a raw ';' in a form body is split on by some decoders");
  const fields: FormFields = new Map();
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = decodeFormPart(equals === -1 ? pair : pair.slice(0, equals));
    if (!names.has(name)) continue;
    add(fields, name, equals === -1 ? '' : decodeFormPart(pair.slice(equals + 1)));
  }
  return fields;
}

/**
 * The fields `names` of a `multipart/form-data` body (RFC 7578, RFC 2046 §5.1.1), file parts included —
 * some servers read a file part as a field of the same name. Strict where parsers differ: lines end in CRLF,
 * the close delimiter must be there, a part has one `Content-Disposition: form-data` with one plain `name`
 * (no `name*=`, backslash or `%`), no folded headers and no transfer encoding; anything else is
 * `invalid_form`, so a body labelled multipart that is something else (JSON) is refused, not passed.
 */
export function multipartFields(body: Buffer, boundary: string, names: ReadonlySet<string>): FormFields {
  if (boundary === '' || boundary.length > 70)
    throw invalidForm('the multipart boundary is missing or too long');
  const delimiter = Buffer.from(`--${boundary}`);
  const separator = Buffer.concat([CRLF, delimiter]);
  let at: number;
  if (body.subarray(0, delimiter.length).equals(delimiter)) at = 0;
  else {
    const found = body.indexOf(separator);
    if (found === -1) throw invalidForm('the body holds no multipart boundary');
    at = found + CRLF.length;
  }
  const fields: FormFields = new Map();
  for (;;) {
    at += delimiter.length;
    if (body[at] === DASH && body[at + 1] === DASH) return fields;
    while (body[at] === 0x20 || body[at] === 0x09) at += 1;
    if (body[at] !== 0x0d || body[at + 1] !== 0x0a)
      throw invalidForm('a multipart delimiter is not followed by CRLF');
    const headersStart = at + 2;
    let contentStart: number;
    let headerText: string;
    if (body[headersStart] === 0x0d && body[headersStart + 1] === 0x0a) {
      headerText = '';
      contentStart = headersStart + 2;
    } else {
      const headersEnd = body.indexOf(HEADERS_END, headersStart);
      if (headersEnd === -1) throw invalidForm('a multipart part has no end of headers');
      headerText = body.toString('latin1', headersStart, headersEnd);
      contentStart = headersEnd + HEADERS_END.length;
    }
    const next = body.indexOf(separator, contentStart);
    if (next === -1) throw invalidForm('the multipart body is not closed by its boundary');
    const name = partName(headerText);
    if (name !== undefined && names.has(name)) add(fields, name, body.toString('utf8', contentStart, next));
    at = next + CRLF.length;
  }
}

/** The `name` of a part from its header block, or undefined for a part without one. */
function partName(headerText: string): string | undefined {
  let disposition: string | undefined;
  for (const line of headerText === '' ? [] : headerText.split('\r\n')) {
    if (line.startsWith(' ') || line.startsWith('\t')) throw invalidForm('a multipart header is folded');
    const colon = line.indexOf(':');
    if (colon <= 0) throw invalidForm('a multipart header line has no name');
    const header = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (header === 'content-disposition') {
      if (disposition !== undefined)
        throw invalidForm('a multipart part has two Content-Disposition headers');
      disposition = value;
    } else if (header === 'content-transfer-encoding' && !PLAIN_TRANSFER.has(value.toLowerCase())) {
      throw invalidForm('a multipart part has a Content-Transfer-Encoding');
    }
  }
  if (disposition === undefined) return undefined;
  const params = disposition.split(';');
  if (params[0]?.trim().toLowerCase() !== 'form-data') throw invalidForm('a multipart part is not form-data');
  let name: string | undefined;
  for (const param of params.slice(1)) {
    const equals = param.indexOf('=');
    const key = (equals === -1 ? param : param.slice(0, equals)).trim().toLowerCase();
    if (key === 'name*') throw invalidForm('a multipart part names itself with name*=');
    if (key !== 'name') continue;
    if (name !== undefined) throw invalidForm('a multipart part has two names');
    let value = param.slice(equals + 1).trim();
    if (value.startsWith('"')) {
      if (value.length < 2 || !value.endsWith('"')) throw invalidForm('a multipart part name is not closed');
      value = value.slice(1, -1);
    }
    if (/["\\%]/.test(value)) throw invalidForm('a multipart part name holds a quote, backslash or %');
    name = value;
  }
  return name;
}

function decodeFormPart(part: string): string {
  try {
    return decodeURIComponent(part.replaceAll('+', ' '));
  } catch {
    throw invalidForm('a form field is not valid percent-encoding');
  }
}

function add(fields: FormFields, name: string, value: string): void {
  const values = fields.get(name);
  if (values === undefined) fields.set(name, [value]);
  else values.push(value);
}

function invalidForm(reason: string): AppError {
  return new AppError(ERRORS.INVALID_FORM_BODY, { message: `request body is not a valid form: ${reason}` });
}
