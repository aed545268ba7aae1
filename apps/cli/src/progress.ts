import { formatBytes } from './format-size.js';

/**
 * How progress is shown on stderr: a redrawn bar on a terminal, a plain line every few
 * seconds when stderr is a file or pipe (CI logs), nothing with --json or --quiet.
 */
export type ProgressMode = 'bar' | 'lines' | 'none';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export function chooseProgressMode(options: { json?: boolean; quiet?: boolean; stream: ProgressStream }): ProgressMode {
  if (options.json || options.quiet) return 'none';
  return options.stream.isTTY ? 'bar' : 'lines';
}

/** One progress observation: the work done, and the totals once known. */
export interface ProgressState {
  phase: string;
  files?: number;
  totalFiles?: number;
  bytes: number;
  totalBytes?: number;
}

export interface ProgressReporter {
  update(state: ProgressState): void;
  /** Clear the bar (or print the last line) when the work is over. */
  done(): void;
}

const BAR_WIDTH = 24;
const BAR_INTERVAL_MS = 100;
const LINE_INTERVAL_MS = 2000;

/** Render one progress line (without the carriage return). Exported for tests. */
export function renderProgressLine(state: ProgressState, mode: 'bar' | 'lines'): string {
  const parts = [state.phase.padEnd(mode === 'bar' ? 8 : 0)];
  const fraction =
    state.totalBytes !== undefined && state.totalBytes > 0
      ? Math.min(1, state.bytes / state.totalBytes)
      : state.totalFiles !== undefined && state.totalFiles > 0 && state.files !== undefined
        ? Math.min(1, state.files / state.totalFiles)
        : undefined;
  if (mode === 'bar' && fraction !== undefined) {
    const filled = Math.round(fraction * BAR_WIDTH);
    parts.push(`[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`);
  }
  if (fraction !== undefined) parts.push(`${Math.floor(fraction * 100)}%`.padStart(4));
  if (state.files !== undefined) {
    parts.push(state.totalFiles !== undefined ? `${state.files}/${state.totalFiles} files` : `${state.files} files`);
  }
  parts.push(
    state.totalBytes !== undefined
      ? `${formatBytes(state.bytes)} of ${formatBytes(state.totalBytes)}`
      : formatBytes(state.bytes),
  );
  return parts.join('  ');
}

/** A reporter for `mode`; `now` is injectable so tests can drive the throttling. */
export function createProgressReporter(
  stream: ProgressStream,
  mode: ProgressMode,
  now: () => number = Date.now,
): ProgressReporter {
  if (mode === 'none') return { update() {}, done() {} };
  let lastWrite = -Infinity;
  let lastPhase: string | undefined;
  let last: ProgressState | undefined;
  let drawn = false;
  let lastDrawn: ProgressState | undefined;
  const interval = mode === 'bar' ? BAR_INTERVAL_MS : LINE_INTERVAL_MS;
  const draw = (state: ProgressState): void => {
    const line = renderProgressLine(state, mode);
    if (mode === 'bar') {
      const width = Math.max(20, (stream.columns || 80) - 1);
      stream.write(`\r${line.slice(0, width).padEnd(width)}`);
    } else {
      stream.write(`${line}\n`);
    }
    drawn = true;
    lastDrawn = state;
  };
  let start: number | undefined;
  return {
    update(state) {
      last = state;
      const time = now();
      start ??= time;
      if (mode === 'bar') {
        // Always show a phase change at once; otherwise at most one redraw per interval.
        if (state.phase !== lastPhase || time - lastWrite >= interval) {
          lastPhase = state.phase;
          lastWrite = time;
          draw(state);
        }
        return;
      }
      // Lines go to logs: say nothing about work that finishes within one interval.
      if (time - start >= interval && time - lastWrite >= interval) {
        lastWrite = time;
        draw(state);
      }
    },
    done() {
      if (mode === 'bar') {
        if (drawn) stream.write(`\r${' '.repeat(Math.max(20, (stream.columns || 80) - 1))}\r`);
      } else if (drawn && last && last !== lastDrawn) {
        draw(last);
      }
    },
  };
}

/**
 * Adapt service-package's BuildProgress to ProgressState: the scanning phase counts the
 * files, so later phases can show "n/total files".
 */
export function trackBuildProgress(
  reporter: ProgressReporter,
): (progress: { phase: string; files: number; bytes: number; totalBytes?: number; totalFiles?: number }) => void {
  let totalFiles: number | undefined;
  let totalBytes: number | undefined;
  return (progress) => {
    if (progress.phase === 'scanning') {
      totalFiles = progress.files;
      totalBytes = progress.totalBytes ?? progress.bytes;
      reporter.update({ phase: 'scanning', files: progress.files, bytes: progress.bytes });
      return;
    }
    reporter.update({
      phase: progress.phase,
      files: progress.files,
      bytes: progress.bytes,
      ...((progress.totalFiles ?? totalFiles) !== undefined ? { totalFiles: progress.totalFiles ?? totalFiles } : {}),
      ...((progress.totalBytes ?? totalBytes) !== undefined ? { totalBytes: progress.totalBytes ?? totalBytes } : {}),
    });
  };
}
