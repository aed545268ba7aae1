import { describe, expect, it } from 'vitest';
import { splitCommand } from './split-command.js';

describe('splitCommand', () => {
  it.each([
    ['python3 -u /hello.py', ['python3', '-u', '/hello.py']],
    ['  python3   /a.py  ', ['python3', '/a.py']],
    ['python3 "/my app.py"', ['python3', '/my app.py']],
    ['sh -c \'echo $HOME "x"\'', ['sh', '-c', 'echo $HOME "x"']],
    ['echo "a \\"b\\" \\\\ \\n"', ['echo', 'a "b" \\ \\n']],
    ['echo a\\ b', ['echo', 'a b']],
    ['echo ""', ['echo', '']],
    ["echo ''x", ['echo', 'x']],
    [
      'python3 -u /ramservice/ram_service.py -m 180 -host fakehost',
      ['python3', '-u', '/ramservice/ram_service.py', '-m', '180', '-host', 'fakehost'],
    ],
    ['', []],
  ] as const)('%j', (command, words) => {
    expect(splitCommand(command)).toEqual(words);
  });

  it.each([
    ['python3 "/a.py', 'double quote is not closed'],
    ["sh -c 'x", 'single quote is not closed'],
    ['echo \\', 'lone backslash'],
  ])('refuses %j', (command, reason) => {
    expect(splitCommand(command)).toContain(reason);
  });
});
