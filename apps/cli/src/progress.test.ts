import { describe, expect, it } from 'vitest';
import { chooseProgressMode, createProgressReporter, renderProgressLine, trackBuildProgress } from './progress.js';

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, isTTY, columns: 60, write: (text: string) => writes.push(text) };
}

describe('progress', () => {
  it('shows a bar on a terminal, lines elsewhere, nothing with --json or --quiet', () => {
    expect(chooseProgressMode({ stream: stream(true) })).toBe('bar');
    expect(chooseProgressMode({ stream: stream(false) })).toBe('lines');
    expect(chooseProgressMode({ json: true, stream: stream(true) })).toBe('none');
    expect(chooseProgressMode({ quiet: true, stream: stream(false) })).toBe('none');
  });

  it('renders files and bytes against the totals from scanning', () => {
    const line = renderProgressLine(
      { phase: 'packing', files: 3, totalFiles: 12, bytes: 512 * 1024, totalBytes: 2 * 1024 * 1024 },
      'bar',
    );
    expect(line).toContain('[######------------------]');
    expect(line).toContain('25%');
    expect(line).toContain('3/12 files');
    expect(line).toContain('512.0 KiB of 2.0 MiB');
    expect(renderProgressLine({ phase: 'layer', bytes: 10 }, 'lines')).toBe('layer  10 B');
  });

  it('throttles redraws but always shows a phase change, and clears the bar at the end', () => {
    let time = 0;
    const out = stream(true);
    const reporter = createProgressReporter(out, 'bar', () => time);
    const onProgress = trackBuildProgress(reporter);
    onProgress({ phase: 'scanning', files: 10, bytes: 1000 });
    onProgress({ phase: 'scanning', files: 20, bytes: 2000 }); // same phase, same instant: skipped
    time = 50;
    onProgress({ phase: 'packing', files: 1, bytes: 100 }); // phase change: drawn
    time = 120;
    onProgress({ phase: 'packing', files: 2, bytes: 200 }); // 70 ms later: skipped
    time = 200;
    onProgress({ phase: 'packing', files: 20, bytes: 2000 }); // 150 ms later: drawn
    reporter.done();
    expect(out.writes).toHaveLength(4);
    expect(out.writes[1]).toContain('1/20 files');
    expect(out.writes[2]).toContain('100%');
    expect(out.writes[3]?.trim()).toBe('');
    expect(out.writes.every((text) => text.startsWith('\r'))).toBe(true);
  });

  it('prints nothing for work that ends within two seconds when stderr is not a terminal', () => {
    let time = 0;
    const out = stream(false);
    const reporter = createProgressReporter(out, 'lines', () => time);
    reporter.update({ phase: 'scanning', bytes: 1 });
    time = 1500;
    reporter.update({ phase: 'packing', bytes: 2 });
    reporter.done();
    expect(out.writes).toEqual([]);
  });

  it('prints plain lines every two seconds and the final state once', () => {
    let time = 0;
    const out = stream(false);
    const reporter = createProgressReporter(out, 'lines', () => time);
    reporter.update({ phase: 'layer', bytes: 1 });
    time = 1000;
    reporter.update({ phase: 'layer', bytes: 2 });
    time = 2500;
    reporter.update({ phase: 'layer', bytes: 3 });
    time = 2600;
    reporter.update({ phase: 'layer', bytes: 4 });
    reporter.done();
    expect(out.writes).toEqual(['layer  3 B\n', 'layer  4 B\n']);
  });

  it('writes nothing in none mode', () => {
    const out = stream(true);
    const reporter = createProgressReporter(out, 'none');
    reporter.update({ phase: 'packing', bytes: 1 });
    reporter.done();
    expect(out.writes).toEqual([]);
  });
});
