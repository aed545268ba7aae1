import { describe, expect, it } from 'vitest';
import { applyImageConfig } from './apply-image-config.js';
import { defaultSpec } from './default-spec.js';
import { createSampleInput } from './testing/sample-input.js';
import type { SpecImageConfig, UnitSettings } from './types.js';

function apply(imageConfig: SpecImageConfig, unit: UnitSettings = { cpuCount: 1 }) {
  return applyImageConfig(defaultSpec(), createSampleInput({ imageConfig, unit }));
}

describe('applyImageConfig', () => {
  it.each([
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm' },
    { os: 'linux', architecture: 'arm64' },
    { os: 'Linux', architecture: 'x86_64' },
  ])('accepts $os/$architecture', (platform) => {
    expect(apply({ ...platform, config: { Cmd: ['true'] } }).process.args).toEqual(['true']);
  });

  it.each([
    { image: { os: 'windows', architecture: 'amd64' }, unit: { cpuCount: 1 } },
    { image: { os: 'linux', architecture: 's390x' }, unit: { cpuCount: 1 } },
    { image: { os: 'linux', architecture: 'arm' }, unit: { cpuCount: 1, architecture: 'amd64' } },
  ])('refuses $image on $unit', ({ image, unit }) => {
    expect(() => apply({ ...image, config: { Cmd: ['true'] } }, unit)).toThrow(
      expect.objectContaining({ code: 'unsupported-platform' }),
    );
  });

  it('runs Entrypoint followed by Cmd in WorkingDir, defaulting to /', () => {
    expect(
      apply({ os: 'linux', architecture: 'amd64', config: { Entrypoint: ['/bin/app', '-v'], Cmd: ['serve'] } }).process,
    ).toMatchObject({
      args: ['/bin/app', '-v', 'serve'],
      cwd: '/',
    });
  });

  it('ignores the image User and Volumes (the instance decides)', () => {
    const config = {
      Cmd: ['true'],
      User: 'root',
      Volumes: { '/data': {} },
      StopSignal: 'SIGQUIT',
    } as SpecImageConfig['config'];
    const spec = apply({ os: 'linux', architecture: 'amd64', config });
    expect(spec.process.user).toEqual({ uid: 0, gid: 0 }); // untouched here; applyInstance sets it
    expect(spec.mounts.map((mount) => mount.destination)).not.toContain('/data');
  });

  it.each([
    { config: {}, code: 'invalid-image-config' },
    { config: { Cmd: ['true'], WorkingDir: 'relative' }, code: 'invalid-image-config' },
  ])('refuses $config', ({ config, code }) => {
    expect(() => apply({ os: 'linux', architecture: 'amd64', config })).toThrow(expect.objectContaining({ code }));
  });
});
