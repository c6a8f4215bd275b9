import { describe, expect, it } from 'vitest';

import { invocation } from '../../src/cli/shared/invocation.js';

describe('how the CLI names itself in the commands it suggests', () => {
  it('under npx or npm exec: npx llm-proxy', () => {
    expect(invocation({ npm_command: 'exec' }, '/repo/dist/cli/main.js', '/repo')).toBe('npx llm-proxy');
  });

  it('through the installed bin: llm-proxy', () => {
    expect(invocation({}, '/usr/local/bin/llm-proxy', '/srv')).toBe('llm-proxy');
  });

  it('run by path from a clone: node and the path from the working directory', () => {
    expect(invocation({}, '/repo/dist/cli/main.js', '/repo')).toBe('node ./dist/cli/main.js');
    expect(invocation({}, '/repo/dist/cli/main.js', '/repo/run')).toBe('node ../dist/cli/main.js');
  });
});
