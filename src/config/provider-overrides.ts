/** `LLM_PROXY_PROVIDER_<NAME>_BASE_URL`: the base URL of the provider `<name>`, over its definition. */
export const PROVIDER_BASE_URL_VARIABLE = /^LLM_PROXY_PROVIDER_([A-Z0-9_]+)_BASE_URL$/;

/** One base-URL override and the variable that set it. */
export interface BaseUrlOverride {
  readonly variable: string;
  readonly url: string;
}

/**
 * The base-URL overrides the merged values set, keyed by provider name as a variable spells it: every
 * `LLM_PROXY_PROVIDER_<NAME>_BASE_URL`, and `OPENAI_API_URL` for `openai` unless the generic form names it too.
 * A value that is not an http(s) URL is a problem.
 */
export function providerBaseUrls(
  values: Readonly<Record<string, string>>,
  problem: (text: string) => void,
): Map<string, BaseUrlOverride> {
  const overrides = new Map<string, BaseUrlOverride>();
  const add = (name: string, variable: string): void => {
    const url = (values[variable] ?? '').trim();
    if (url === '') return;
    if (!isHttpUrl(url)) {
      problem(`${variable}: "${url}" is not an http(s) URL`);
      return;
    }
    overrides.set(name, { variable, url });
  };
  for (const variable of Object.keys(values)) {
    const name = PROVIDER_BASE_URL_VARIABLE.exec(variable)?.[1];
    if (name !== undefined) add(name, variable);
  }
  if (!overrides.has('OPENAI')) add('OPENAI', 'OPENAI_API_URL');
  return overrides;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
