import type { SystemStatusView } from '../../manage/index.js';
import type { AdminContext } from '../render/page-context.js';

/** `GET /manage/status`: this instance's version, uptime, cache and event figures. */
export async function loadSystemStatus(context: AdminContext): Promise<SystemStatusView> {
  return (await context.api({ method: 'GET', path: '/status' })) as SystemStatusView;
}

/** Bytes in KiB, MiB or GiB, for people. */
export function byteSize(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${String(bytes)} bytes` : `${value.toFixed(1)} ${units[unit] ?? ''}`;
}

/** A ratio as a percentage with one decimal, or "—" when there is none yet. */
export function percent(ratio: number | null): string {
  return ratio === null ? '—' : `${(ratio * 100).toFixed(1)} %`;
}
