/**
 * A one-line progress bar with counts and rate, drawn on a terminal only: silent when `CI` is set or
 * the stream is not a TTY, so logs and CI output stay clean.
 */

/** Reports `done` of `total` units of work. */
export interface Progress {
  update(done: number): void;
  /** Clears the bar (the caller prints the result). */
  finish(): void;
}

const WIDTH = 28;
const REDRAW_MS = 100;

/** True when progress should be drawn on `stream`. */
export function showsProgress(stream: NodeJS.WriteStream = process.stderr): boolean {
  return Boolean(stream.isTTY) && !process.env.CI;
}

/** A bar labelled `label` for `total` units named `unit` (e.g. "posts"), drawn on stderr. */
export function progressBar(label: string, total: number, unit: string, stream = process.stderr): Progress {
  if (!showsProgress(stream)) return { update() {}, finish() {} };
  const started = performance.now();
  let drawn = 0;
  const draw = (done: number) => {
    const seconds = (performance.now() - started) / 1000;
    const share = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(share * WIDTH);
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    const bar = `${"█".repeat(filled)}${"░".repeat(WIDTH - filled)}`;
    stream.write(`\r\x1b[2K${label} ${bar} ${done}/${total} ${unit} ${rate}/s ${seconds.toFixed(1)} s`);
  };
  return {
    update(done) {
      const now = performance.now();
      if (now - drawn < REDRAW_MS && done < total) return;
      drawn = now;
      draw(done);
    },
    finish() {
      stream.write("\r\x1b[2K");
    },
  };
}

/** A status line for a step without counts (e.g. "bundling the Worker"), cleared by `finish`. */
export function statusLine(text: string, stream = process.stderr): Progress {
  if (showsProgress(stream)) stream.write(`\r\x1b[2K${text}…`);
  return {
    update() {},
    finish() {
      if (showsProgress(stream)) stream.write("\r\x1b[2K");
    },
  };
}
