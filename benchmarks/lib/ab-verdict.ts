import type { AbLatency } from './ab-latency.js';
import type { AbThroughput } from './ab-throughput.js';
import type { ScenarioName } from './scenarios.js';
import { SCENARIOS } from './scenarios.js';
import type { Spread } from './stats.js';

/** The rule, as the report and the README state it. */
export const AB_RULE =
  "B passes a metric when its median change against A over the rounds is not worse than the largest change A' " +
  'showed against A in any round, in either direction (the A/A noise band).';

/** Whether B is not worse than A in one metric of one scenario. */
export interface AbVerdict {
  readonly scenario: ScenarioName;
  readonly metric: 'CPU µs/req' | 'req/s' | 'latency p50' | 'latency p99';
  /** `%`: the change is a ratio minus 1 (B/A − 1); `µs`: a difference (B − A). */
  readonly unit: '%' | 'µs';
  /** Whether a higher value is worse (CPU per request, latency) or better (requests per second). */
  readonly higherIsWorse: boolean;
  /** B's median change against A. */
  readonly change: number;
  /** The largest change A' showed against A in any round, either way: the half-width of the noise band. */
  readonly noise: number;
  readonly status: 'PASS' | 'FAIL' | 'SKIP';
}

/** What a metric is: its name, how its change is expressed, and which direction is worse. */
type Metric = Pick<AbVerdict, 'metric' | 'unit' | 'higherIsWorse'>;

const CPU: Metric = { metric: 'CPU µs/req', unit: '%', higherIsWorse: true };
const RATE: Metric = { metric: 'req/s', unit: '%', higherIsWorse: false };
const P50: Metric = { metric: 'latency p50', unit: 'µs', higherIsWorse: true };
const P99: Metric = { metric: 'latency p99', unit: 'µs', higherIsWorse: true };

/** Applies {@link AB_RULE} to every measured metric; a metric that was not measured (or has no CPU data) is SKIP. */
export function evaluateAb(throughput: AbThroughput, latency: AbLatency): AbVerdict[] {
  return SCENARIOS.flatMap(({ name: scenario }) => {
    const verdicts: AbVerdict[] = [];
    const paired = throughput[scenario];
    if (paired !== undefined) {
      const { noise, candidate } = paired;
      verdicts.push(
        verdict(
          scenario,
          CPU,
          minusOne(candidate.cpuUsPerRequestRatio),
          minusOne(noise.cpuUsPerRequestRatio),
        ),
        verdict(
          scenario,
          RATE,
          minusOne(candidate.requestsPerSecondRatio),
          minusOne(noise.requestsPerSecondRatio),
        ),
      );
    }
    const sequential = latency[scenario];
    if (sequential !== undefined) {
      const { noise, candidate } = sequential;
      verdicts.push(
        verdict(scenario, P50, candidate.p50DeltaUs, noise.p50DeltaUs),
        verdict(scenario, P99, candidate.p99DeltaUs, noise.p99DeltaUs),
      );
    }
    return verdicts;
  });
}

/** A ratio's spread as changes (B/A − 1). */
function minusOne(ratios: Spread): Spread {
  return { median: ratios.median - 1, min: ratios.min - 1, max: ratios.max - 1 };
}

function verdict(scenario: ScenarioName, metric: Metric, candidate: Spread, noise: Spread): AbVerdict {
  const change = candidate.median;
  const band = Math.max(Math.abs(noise.min), Math.abs(noise.max));
  const worseBy = metric.higherIsWorse ? change : -change;
  const status = Number.isNaN(change) || Number.isNaN(band) ? 'SKIP' : worseBy <= band ? 'PASS' : 'FAIL';
  return { scenario, ...metric, change, noise: band, status };
}
