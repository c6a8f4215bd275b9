/**
 * The subset of autocannon 8's programmatic API the benchmarks use (the package ships no type definitions).
 * See node_modules/autocannon/README.md, "API" and "Results".
 */
declare module 'autocannon' {
  /** One request of the sequence each connection sends; the run's options fill what it leaves out. */
  export interface AutocannonRequest {
    method?: 'GET' | 'POST';
    path?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    /** Called before every send of this request; what it returns is sent (Content-Length recomputed). */
    setupRequest?: (request: AutocannonRequest) => AutocannonRequest;
  }

  /** Options of one autocannon run. */
  export interface AutocannonOptions {
    url: string;
    method?: 'GET' | 'POST';
    headers?: Record<string, string>;
    body?: string | Buffer;
    /** The requests each connection sends in turn, instead of the one above. */
    requests?: AutocannonRequest[];
    /** @default 10 */
    connections?: number;
    /** Seconds. @default 10 */
    duration?: number;
    /** Seconds to wait for a response. @default 10 */
    timeout?: number;
    /** @default 1 */
    pipelining?: number;
    title?: string;
  }

  /** Statistics of one measure (latency in whole ms, requests per second). */
  export interface Histogram {
    /** Requests: all completed requests of the run. */
    total: number;
    p50: number;
    p99: number;
  }

  /** What a run measured. */
  export interface AutocannonResult {
    title?: string;
    url: string;
    /** Seconds, rounded to 10 ms. */
    duration: number;
    requests: Histogram;
    latency: Histogram;
    errors: number;
    timeouts: number;
    non2xx: number;
    statusCodeStats: Record<string, { count: number }>;
  }

  /** A running benchmark (an event emitter) that is also a promise of its result. */
  export type AutocannonInstance = PromiseLike<AutocannonResult>;

  /** Starts a run; without a callback the returned instance resolves with the result. */
  export default function autocannon(options: AutocannonOptions): AutocannonInstance;
}
