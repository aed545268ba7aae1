import { describe, expect, it } from 'vitest';
import { createLocalUnitEvents, type UnitEvent } from './unit-events.js';

describe('createLocalUnitEvents', () => {
  it('delivers each announcement to every subscriber after the announcing call returns, deduplicated', async () => {
    const bus = createLocalUnitEvents();
    const heard: UnitEvent[] = [];
    const unsubscribe = bus.subscribe((event) => heard.push(event));
    await bus.announce({ kind: 'desired-changed', unitIds: ['a', 'b', 'a'] });
    expect(heard).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(heard).toEqual([{ kind: 'desired-changed', unitIds: ['a', 'b'] }]);
    unsubscribe();
    await bus.announce({ kind: 'revoked', unitIds: ['a'] });
    await new Promise((resolve) => setImmediate(resolve));
    expect(heard).toHaveLength(1);
  });

  it('keeps delivering when a listener throws, and reports the error', async () => {
    const errors: unknown[] = [];
    const bus = createLocalUnitEvents({ onListenerError: (error) => errors.push(error) });
    const heard: string[] = [];
    bus.subscribe(() => {
      throw new Error('listener bug');
    });
    bus.subscribe((event) => heard.push(event.kind));
    await bus.announce({ kind: 'status-changed', unitIds: ['u'] });
    await new Promise((resolve) => setImmediate(resolve));
    expect(heard).toEqual(['status-changed']);
    expect(errors).toHaveLength(1);
  });

  it('ignores an announcement about no unit and no service; a catalogue change names services only', async () => {
    const bus = createLocalUnitEvents();
    const heard: UnitEvent[] = [];
    bus.subscribe((event) => heard.push(event));
    await bus.announce({ kind: 'desired-changed', unitIds: [] });
    await bus.announce({ kind: 'catalogue-changed', unitIds: [], serviceIds: ['s1', 's1'] });
    await new Promise((resolve) => setImmediate(resolve));
    expect(heard).toEqual([{ kind: 'catalogue-changed', unitIds: [], serviceIds: ['s1'] }]);
  });
});
