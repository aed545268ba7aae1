import { describe, expect, it } from 'vitest';
import { maskUsage } from './local-agent.mjs';

describe('maskUsage', () => {
  it('names the measured cells of the instance table and lays it out again, leaving other lines alone', () => {
    const printed = [
      '$ aos-agent apply desired.json --wait',
      'INSTANCE                                     VERSION  STATUS  CPU  RAM    DETAILS',
      '2efd1506-564e-40de-9466-66ae7a25fac0/demo/0  1.0.0    active  0.0  13.1M',
      'aos-agent apply: update of 2efd1506-564e-40de-9466-66ae7a25fac0 to 1.0.1 failed',
      'INSTANCE  VERSION  STATUS  CPU  RAM  DETAILS',
    ].join('\n');
    expect(maskUsage(printed)).toBe(
      [
        '$ aos-agent apply desired.json --wait',
        'INSTANCE                                     VERSION  STATUS  CPU    RAM    DETAILS',
        '2efd1506-564e-40de-9466-66ae7a25fac0/demo/0  1.0.0    active  <cpu>  <ram>',
        'aos-agent apply: update of 2efd1506-564e-40de-9466-66ae7a25fac0 to 1.0.1 failed',
        'INSTANCE  VERSION  STATUS  CPU  RAM  DETAILS',
      ].join('\n'),
    );
    // Before the first monitoring poll the cells are `-`: the same text comes out.
    expect(maskUsage(printed.replace('0.0  13.1M', '-    -    '))).toBe(maskUsage(printed));
  });
});
