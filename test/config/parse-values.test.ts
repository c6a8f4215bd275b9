import { describe, expect, it } from 'vitest';

import { parseBoolean, parseByteSize, parseDuration, parseListenAddress } from '../../src/config/index.js';

describe('configuration values', () => {
  it('understands booleans the way operators write them and rejects the rest', () => {
    for (const word of ['1', 'true', 'TRUE', 'T', 'yes', 'on'])
      expect(parseBoolean(word)).toEqual({ ok: true, value: true });
    for (const word of ['0', 'false', 'F', 'no', 'off'])
      expect(parseBoolean(word)).toEqual({ ok: true, value: false });
    expect(parseBoolean('maybe').ok).toBe(false);
  });

  it('understands Go durations and days, rejects bare numbers', () => {
    expect(parseDuration('30s')).toEqual({ ok: true, value: 30_000 });
    expect(parseDuration('1h30m')).toEqual({ ok: true, value: 5_400_000 });
    expect(parseDuration('250ms')).toEqual({ ok: true, value: 250 });
    expect(parseDuration('30d')).toEqual({ ok: true, value: 2_592_000_000 });
    expect(parseDuration('30').ok).toBe(false);
    expect(parseDuration('5 minutes').ok).toBe(false);
  });

  it('understands sizes with units', () => {
    expect(parseByteSize('10MB')).toEqual({ ok: true, value: 10 * 1024 * 1024 });
    expect(parseByteSize('50MiB')).toEqual({ ok: true, value: 50 * 1024 * 1024 });
    expect(parseByteSize('512kb')).toEqual({ ok: true, value: 512 * 1024 });
    expect(parseByteSize('1048576')).toEqual({ ok: true, value: 1_048_576 });
    expect(parseByteSize('10 parsecs').ok).toBe(false);
  });

  it('understands listen addresses', () => {
    expect(parseListenAddress(':8080')).toEqual({ ok: true, value: { host: '', port: 8080 } });
    expect(parseListenAddress('127.0.0.1:9')).toEqual({ ok: true, value: { host: '127.0.0.1', port: 9 } });
    expect(parseListenAddress('[::1]:8080')).toEqual({ ok: true, value: { host: '::1', port: 8080 } });
    expect(parseListenAddress('8080').ok).toBe(false);
    expect(parseListenAddress(':99999').ok).toBe(false);
  });
});
