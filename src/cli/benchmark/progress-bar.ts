// A terminal is redrawn at most this often; more would cost the benchmark it measures.
const REDRAW_MS = 100;
const PLAIN_STEPS = 10;
const MAX_BAR_WIDTH = 40;

/** Shows how far a run of `total` steps has come. */
export interface ProgressBar {
  /** Reports that `done` steps have finished. */
  update(done: number): void;
  /** Ends the display (a terminal line is cleared). */
  finish(): void;
}

/** The stream the bar is drawn on. */
export type ProgressStream = NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };

/**
 * A progress bar on a stream (standard error): redrawn in place on a terminal, else one plain line per tenth of
 * the run, so that logs of CI runs stay short.
 */
export function createProgressBar(
  total: number,
  stream: ProgressStream,
  label = 'requests',
  now: () => number = () => performance.now(),
): ProgressBar {
  const started = now();
  if (stream.isTTY !== true) {
    let step = 0;
    return {
      update(done) {
        const reached = Math.floor((done * PLAIN_STEPS) / total);
        if (reached <= step) return;
        step = reached;
        stream.write(`progress: ${done}/${total} ${label} (${Math.floor((done * 100) / total)}%)\n`);
      },
      finish() {
        // Every line is already complete.
      },
    };
  }
  let drawnAt = Number.NEGATIVE_INFINITY;
  let last = 0;
  const draw = (done: number): void => {
    drawnAt = now();
    stream.write(`\r${progressLine(done, total, (drawnAt - started) / 1000, label, columnsOf(stream))}`);
  };
  return {
    update(done) {
      last = done;
      if (done === total || now() - drawnAt >= REDRAW_MS) draw(done);
    },
    finish() {
      if (last > 0) stream.write('\r\x1b[K');
    },
  };
}

/** One line of the bar: `[#####-----] 25/50 requests 50% 12.3/s`, fitted into `columns`. */
export function progressLine(
  done: number,
  total: number,
  elapsedSeconds: number,
  label: string,
  columns: number,
): string {
  const percent = Math.floor((done * 100) / total);
  const rate = elapsedSeconds > 0 ? (done / elapsedSeconds).toFixed(1) : '0.0';
  const text = ` ${done}/${total} ${label} ${percent}% ${rate}/s`;
  const width = Math.max(0, Math.min(MAX_BAR_WIDTH, columns - text.length - 3));
  if (width === 0) return text.trim();
  const filled = Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]${text}`;
}

// A terminal that reports no width (0, as some pseudo-terminals do) gets the classic 80 columns.
function columnsOf(stream: ProgressStream): number {
  return stream.columns !== undefined && stream.columns > 0 ? stream.columns : 80;
}
