import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOciImageConfig } from './parse-device-config.js';
import { parseServiceConfig } from './parse-service-config.js';
import { toImageConfig } from './translate-image-config.js';

const DIFF_ID = `sha256:${'ab'.repeat(32)}`;
const CREATED = '2026-11-25T12:00:00Z';

function configOf(configuration: string, build = '    arch: aarch64\n'): ReturnType<typeof parseServiceConfig> {
  return parseServiceConfig(
    `publisher:\n    author: Jane SP\nbuild:\n${build}publish: {}\nconfiguration:\n${configuration}`,
    { file: 'meta/config.yaml' },
  );
}

describe('toImageConfig', () => {
  it('translates every field', () => {
    const config = configOf(
      [
        `    cmd: python3 -u "/my app.py" --name 'a b'`,
        '    workingDir: /app',
        '    env: [A=1, B=]',
        '    exposedPorts: [9000, 8089-8090/tcp, 1515/udp, "9000/tcp"]',
        '',
      ].join('\n'),
    );
    expect(toImageConfig(config, { created: CREATED, diffIds: [DIFF_ID] })).toEqual({
      created: CREATED,
      author: 'Jane SP',
      architecture: 'arm64',
      os: 'linux',
      config: {
        Cmd: ['python3', '-u', '/my app.py', '--name', 'a b'],
        WorkingDir: '/app',
        Env: ['A=1', 'B='],
        ExposedPorts: { '9000/tcp': {}, '8089-8090/tcp': {}, '1515/udp': {} },
      },
      rootfs: { type: 'layers', diff_ids: [DIFF_ID] },
    });
  });

  it('keeps a cmd list as it is and leaves out what is not set', () => {
    const config = configOf('    cmd: [sh, -c, "echo hi; sleep 1"]\n', '    arch: x86\n');
    expect(toImageConfig(config, { created: CREATED, diffIds: [] })).toEqual({
      created: CREATED,
      author: 'Jane SP',
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['sh', '-c', 'echo hi; sleep 1'] },
      rootfs: { type: 'layers', diff_ids: [] },
    });
  });

  it('reads back through parseOciImageConfig unchanged', () => {
    const image = toImageConfig(configOf('    cmd: /bin/true\n    exposedPorts: [80]\n'), {
      created: CREATED,
      diffIds: [DIFF_ID],
    });
    expect(parseOciImageConfig(JSON.parse(JSON.stringify(image)))).toEqual(image);
  });

  it.skipIf(!existsSync('/usr/bin/oci-image-tool'))('passes oci-image-tool validation', () => {
    const directory = mkdtempSync(join(tmpdir(), 'openaos-config-'));
    try {
      const image = toImageConfig(
        configOf(
          '    cmd: python3 -u /hello.py\n    workingDir: /\n    env: [A=1]\n    exposedPorts: [8089-8090/tcp, 53/udp]\n',
        ),
        { created: CREATED, diffIds: [DIFF_ID] },
      );
      const path = join(directory, 'config.json');
      writeFileSync(path, JSON.stringify(image));
      const output = execFileSync('oci-image-tool', ['validate', '--type', 'config', path], { encoding: 'utf8' });
      expect(output).toContain('Validation succeeded');
      writeFileSync(path, JSON.stringify({ ...image, config: { Cmd: 'not a list' } }));
      expect(() => execFileSync('oci-image-tool', ['validate', '--type', 'config', path], { stdio: 'pipe' })).toThrow();
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
