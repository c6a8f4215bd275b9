import type { MachineInfo } from './machine.js';
import type { EventShape } from './event-delivery-events.js';
import type { LegRun } from './event-delivery-legs.js';
import type { EventDeliveryLeg, EventDeliveryOptions } from './event-delivery-options.js';
import { textTable } from './text-table.js';

/** What the original program's file backend delivers over Redis, as its own documentation reports. */
export const ORIGINAL_EVENTS_PER_SECOND = 1000;

/** What each leg measures, for the report. */
const LEG_DESCRIPTIONS: Readonly<Record<EventDeliveryLeg, string>> = {
  'publish-memory': 'published, memory bus',
  'publish-redis': 'published, Redis Streams (until published_total)',
  'file-memory': 'delivered to the file, memory bus',
  'file-redis': 'delivered to the file, Redis Streams',
};

/** One leg's runs and their median. */
export interface LegSummary {
  readonly leg: EventDeliveryLeg;
  readonly runs: readonly LegRun[];
  readonly medianEventsPerSecond: number;
  readonly minEventsPerSecond: number;
  readonly maxEventsPerSecond: number;
  readonly medianCpuMicrosPerEvent: number;
}

/** A file leg against the target. */
export interface DeliveryVerdict {
  readonly leg: EventDeliveryLeg;
  readonly goal: number;
  readonly measured: number;
  readonly passed: boolean;
}

/** What `benchmarks/results/event-delivery-latest.json` holds. */
export interface EventDeliveryResults {
  readonly date: string;
  readonly machine: MachineInfo;
  readonly options: EventDeliveryOptions;
  readonly shape: EventShape;
  readonly legs: readonly LegSummary[];
  readonly verdicts: readonly DeliveryVerdict[];
  readonly originalEventsPerSecond: number;
  readonly passed: boolean;
}

/** The median and range of a leg's runs. */
export function summarizeLeg(leg: EventDeliveryLeg, runs: readonly LegRun[]): LegSummary {
  const rates = runs.map((run) => run.eventsPerSecond);
  return {
    leg,
    runs,
    medianEventsPerSecond: median(rates),
    minEventsPerSecond: Math.min(...rates),
    maxEventsPerSecond: Math.max(...rates),
    medianCpuMicrosPerEvent: median(runs.map((run) => run.cpuMicrosPerEvent)),
  };
}

/** The file legs against the target (the publish legs are measured for context). */
export function deliveryVerdicts(legs: readonly LegSummary[], target: number): DeliveryVerdict[] {
  return legs
    .filter(({ leg }) => leg.startsWith('file-'))
    .map(({ leg, medianEventsPerSecond }) => ({
      leg,
      goal: target,
      measured: medianEventsPerSecond,
      passed: medianEventsPerSecond >= target,
    }));
}

/** The human-readable report of a run. */
export function formatEventDeliveryReport(results: EventDeliveryResults): string {
  const { machine, options, shape } = results;
  const sections = [
    `llm-proxy event delivery — ${results.date} — ${String(machine.cpus)} × ${machine.cpuModel}, node ${machine.node}`,
    `load average ${machine.loadAverageAtStart.join(' ')} at start, ${machine.loadAverageAtEnd.join(' ')} at end`,
    `${String(options.events)} events per leg, alternately a JSON and an SSE answer (event JSON ${String(shape.jsonBytes.json)} / ${String(shape.jsonBytes.sse)} bytes; ` +
      `request body ${String(shape.requestBodyBytes)} B, JSON answer ${String(shape.jsonAnswerBytes)} B, SSE answer ${String(shape.sseAnswerBytes)} B); ` +
      `median of ${String(options.rounds)} run(s) after one warm-up`,
    textTable([
      ['leg', 'what', 'events/s', 'min', 'max', 'CPU µs/event'],
      ...results.legs.map((summary) => [
        summary.leg,
        LEG_DESCRIPTIONS[summary.leg],
        whole(summary.medianEventsPerSecond),
        whole(summary.minEventsPerSecond),
        whole(summary.maxEventsPerSecond),
        summary.medianCpuMicrosPerEvent.toFixed(1),
      ]),
    ]),
  ];
  if (results.verdicts.length > 0) {
    sections.push(
      'Targets',
      textTable([
        ['target', 'goal', 'measured', 'vs original (~1k/s)', 'result'],
        ...results.verdicts.map((verdict) => [
          `file backend, ${verdict.leg === 'file-redis' ? 'Redis Streams' : 'memory bus'}`,
          `≥ ${whole(verdict.goal)}/s`,
          `${whole(verdict.measured)}/s`,
          `${(verdict.measured / results.originalEventsPerSecond).toFixed(1)}×`,
          verdict.passed ? 'PASS' : 'FAIL',
        ]),
      ]),
      results.passed ? 'All measured targets met.' : 'A target was missed.',
    );
  }
  return sections.join('\n\n');
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? NaN)
    : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

function whole(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
