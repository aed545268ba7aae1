import { describe, expect, it } from 'vitest';
import { judgeVersionHealth, type ReportedService } from './judge-health.js';

const running = (version: string, extra: Partial<ReportedService> = {}): ReportedService => ({
  items: [{ version, state: 'installed' }],
  instances: [
    { version, state: 'active' },
    { version, state: 'active' },
  ],
  ...extra,
});

describe('judgeVersionHealth', () => {
  it.each<[string, ReportedService, string, ReturnType<typeof judgeVersionHealth>]>([
    ['installed with every instance active', running('1.0.1'), '1.0.1', { health: 'active' }],
    ['not reported yet', { items: [], instances: [] }, '1.0.1', { health: 'updating' }],
    ['still on the previous version', running('1.0.0'), '1.0.1', { health: 'updating' }],
    [
      'active, but a quota alert of the service is raised and not fallen',
      running('1.0.1', { activeQuotaAlerts: ['ram'] }),
      '1.0.1',
      { health: 'updating' },
    ],
    [
      'the item failed (rolled back)',
      {
        items: [
          { version: '1.0.1', state: 'failed', errorMessage: 'exited 3 times' },
          { version: '1.0.0', state: 'installed' },
        ],
        instances: [{ version: '1.0.0', state: 'active' }],
      },
      '1.0.1',
      { health: 'failed', reason: 'exited 3 times' },
    ],
    [
      'an instance of the version failed',
      {
        items: [{ version: '1.0.1', state: 'installed' }],
        instances: [
          { version: '1.0.1', state: 'active' },
          { version: '1.0.1', state: 'failed' },
        ],
      },
      '1.0.1',
      { health: 'failed', reason: 'an instance of 1.0.1 failed' },
    ],
  ])('%s', (_name, reported, version, expected) => {
    expect(judgeVersionHealth(reported, version)).toEqual(expected);
  });
});
