import { readFileSync } from 'node:fs';

import { textTable } from './text-table.js';

/** What a sampler saw of a process's resident memory, in MB. */
export interface RssSummary {
  readonly samples: number;
  /** Largest sampled VmRSS. */
  readonly peakMb: number;
  /** The kernel's own high-water mark (VmHWM) since the process started. */
  readonly highWaterMb: number;
}

/** A running sampler. */
export interface RssSampler {
  /** Stops sampling and summarises. */
  stop(): RssSummary;
}

const KB_PER_MB = 1024;

/**
 * Samples a process's resident set size from `/proc/<pid>/status` every `intervalMs` (Linux; elsewhere it
 * reports nothing). Reading one small procfs file costs microseconds, so it does not disturb the load.
 */
export function startRssSampler(pid: number, intervalMs = 100): RssSampler {
  let peakKb = 0;
  let samples = 0;
  const sample = (): void => {
    const status = readStatus(pid);
    if (status === undefined) return;
    samples++;
    peakKb = Math.max(peakKb, status.rssKb);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const highWaterKb = readStatus(pid)?.highWaterKb ?? 0;
      return { samples, peakMb: peakKb / KB_PER_MB, highWaterMb: highWaterKb / KB_PER_MB };
    },
  };
}

function readStatus(pid: number): { rssKb: number; highWaterKb: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const rssKb = field(text, 'VmRSS');
  if (rssKb === undefined) return undefined;
  return { rssKb, highWaterKb: field(text, 'VmHWM') ?? rssKb };
}

function field(status: string, name: string): number | undefined {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** The report's section on resident memory, one row per process; none when nothing was sampled. */
export function rssSection(byProcess: readonly (readonly [string, RssSummary])[]): string[] {
  if (byProcess.length === 0) return [];
  const rows = byProcess.map(([process, rss]) => [
    process,
    rss.peakMb.toFixed(1),
    rss.highWaterMb.toFixed(1),
    String(rss.samples),
  ]);
  return [
    'Resident memory during the throughput phase, MB',
    textTable([['process', 'peak RSS', 'high-water (VmHWM)', 'samples'], ...rows]),
  ];
}
