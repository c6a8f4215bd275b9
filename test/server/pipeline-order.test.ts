import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { startTestGateway } from '../helpers/gateway-harness.js';

const ARCHITECTURE = new URL('../../docs/architecture.md', import.meta.url);

/** The step names of the `| step |` table in section 1 of docs/architecture.md, in order. */
function documentedSteps(): string[] {
  const text = readFileSync(ARCHITECTURE, 'utf8');
  const section = text.slice(text.indexOf('## 1.'), text.indexOf('## 2.'));
  const lines = section.split('\n');
  const header = lines.findIndex((line) => /^\|\s*step\s*\|/.test(line));
  if (header === -1) throw new Error('no | step | table in section 1 of docs/architecture.md');
  const steps: string[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const name = /^\|\s*`([^`]+)`/.exec(line)?.[1];
    if (name === undefined) throw new Error(`a step row without a name: ${line}`);
    steps.push(name);
  }
  return steps;
}

async function pipelineWith(env: Record<string, string> = {}): Promise<readonly string[]> {
  const t = await startTestGateway({ env, listen: false });
  try {
    return t.gateway.pipeline;
  } finally {
    await t.close();
  }
}

describe('the /v1 pipeline and its documentation', () => {
  it('runs the steps in the order of the step table in docs/architecture.md', async () => {
    const documented = documentedSteps();
    expect(documented.length).toBeGreaterThan(3);
    expect(await pipelineWith()).toEqual(documented);
  });

  it('leaves out project-guard when LLM_PROXY_ENFORCE_PROJECT_ACTIVE=false', async () => {
    const pipeline = await pipelineWith({ LLM_PROXY_ENFORCE_PROJECT_ACTIVE: 'false' });
    expect(pipeline).not.toContain('project-guard');
    expect(pipeline).toEqual(documentedSteps().filter((step) => step !== 'project-guard'));
  });
});
