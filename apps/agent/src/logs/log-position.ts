/**
 * A position in a rotated log: a file (LogFile.id, `<birth ns>-<inode>`) and a byte offset in it,
 * written `<file id>:<offset>`. Positions go to the cloud in `openaos.logLines` and come back in
 * `openaos.followLog` to resume; the cloud never looks inside.
 */
export interface LogPosition {
  fileId: string;
  offset: number;
}

export function formatLogPosition(position: LogPosition): string {
  return `${position.fileId}:${position.offset}`;
}

/** The position a string names, or undefined when it is not one this agent wrote. */
export function parseLogPosition(text: string): LogPosition | undefined {
  const match = /^(\d+-\d+):(\d+)$/.exec(text);
  if (!match?.[1] || !match[2]) return undefined;
  const offset = Number(match[2]);
  return Number.isSafeInteger(offset) ? { fileId: match[1], offset } : undefined;
}

/** The birth time (ns) in a file id. */
export function birthOf(fileId: string): bigint {
  return BigInt(fileId.split('-')[0] ?? '0');
}
