import { describe, expect, it } from 'vitest';
import { Counter, Histogram, renderMetrics } from './prometheus-text.js';

describe('the Prometheus text format', () => {
  it('writes counters with escaped labels and cumulative histogram buckets', () => {
    const counter = new Counter('demo_total', 'A demo.');
    counter.inc({ path: 'a"b\\c\nd' }, 2);
    counter.inc({ path: 'a"b\\c\nd' });
    const histogram = new Histogram('demo_seconds', 'Durations.', [0.1, 1]);
    histogram.observe(0.05, { result: 'ok' });
    histogram.observe(0.5, { result: 'ok' });
    histogram.observe(3, { result: 'ok' });
    expect(renderMetrics([counter, histogram])).toBe(
      [
        '# HELP demo_total A demo.',
        '# TYPE demo_total counter',
        'demo_total{path="a\\"b\\\\c\\nd"} 3',
        '# HELP demo_seconds Durations.',
        '# TYPE demo_seconds histogram',
        'demo_seconds_bucket{result="ok",le="0.1"} 1',
        'demo_seconds_bucket{result="ok",le="1"} 2',
        'demo_seconds_bucket{result="ok",le="+Inf"} 3',
        'demo_seconds_sum{result="ok"} 3.55',
        'demo_seconds_count{result="ok"} 3',
        '',
      ].join('\n'),
    );
  });
});
