import { describe, expect, it } from 'vitest';
import { applyDevices, parseHostDevice } from './apply-devices.js';
import { defaultSpec } from './default-spec.js';
import { createSampleInput } from './testing/sample-input.js';

describe('parseHostDevice', () => {
  it.each([
    { entry: '/dev/video0', expected: { hostPath: '/dev/video0', containerPath: '/dev/video0' } },
    { entry: '/dev/video0:/dev/camera', expected: { hostPath: '/dev/video0', containerPath: '/dev/camera' } },
  ])('$entry', ({ entry, expected }) => {
    expect(parseHostDevice(entry)).toEqual(expected);
  });

  it.each(['video0', '/etc/passwd', '/dev/a:/dev/b:/dev/c'])('refuses %s', (entry) => {
    expect(() => parseHostDevice(entry)).toThrow(expect.objectContaining({ code: 'unknown-device' }));
  });
});

describe('applyDevices', () => {
  const unit = { cpuCount: 1, devices: [{ name: 'camera', hostDevices: ['/dev/video0'] }] };
  it.each([
    { devices: [{ name: 'gpu', permissions: 'rw' }], hostDevices: {}, why: 'unit has no such device' },
    { devices: [{ name: 'camera', permissions: 'rw' }], hostDevices: {}, why: 'host node missing' },
    { devices: [{ name: 'camera', permissions: 'rwx' }], hostDevices: {}, why: 'bad permissions' },
    { devices: [{ name: 'camera', permissions: 'rr' }], hostDevices: {}, why: 'repeated permission' },
  ])('refuses when $why', ({ devices, hostDevices }) => {
    expect(() =>
      applyDevices(defaultSpec(), createSampleInput({ serviceConfig: { devices }, unit, hostDevices })),
    ).toThrow(expect.objectContaining({ code: 'unknown-device' }));
  });
});
