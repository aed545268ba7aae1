// Deterministic service folder for the benchmark: meta/config.yaml + src/ with many small files
// (text-like and random) and a few large mixed ones. Same size → same bytes, so runs compare.
import { Buffer } from 'node:buffer';
import { createCipheriv } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const MiB = 1024 * 1024;
const FILES_PER_DIRECTORY = 100;
const WORDS = (
  'service unit subject instance layer quota memory storage state network port signal vehicle ' +
  'door window speed battery charge update rollout campaign verify signature digest manifest ' +
  'config runtime container process cgroup limit status online offline error active failed'
).split(' ');

/** A seeded pseudo-random byte source: AES-128-CTR over zeros (fast, reproducible). */
function createRandom(seed) {
  const key = Buffer.alloc(16);
  key.write(String(seed));
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  return (length) => cipher.update(Buffer.alloc(length));
}

/** Text that compresses like source code or logs: words picked by the random stream. */
function makeText(random, length) {
  const picks = random(Math.ceil(length / 4));
  const parts = [];
  let size = 0;
  for (let index = 0; size < length; index += 1) {
    const byte = picks[index % picks.length];
    const word = WORDS[byte % WORDS.length];
    const separator = byte % 13 === 0 ? '\n' : ' ';
    parts.push(word, separator);
    size += word.length + 1;
  }
  return Buffer.from(parts.join('')).subarray(0, length);
}

/** Mixed content: 1 MiB of text, then 1 MiB of random bytes, alternating. */
function makeMixed(random, length) {
  const chunks = [];
  for (let offset = 0, index = 0; offset < length; offset += MiB, index += 1) {
    const size = Math.min(MiB, length - offset);
    chunks.push(index % 2 === 0 ? makeText(random, size) : random(size));
  }
  return Buffer.concat(chunks);
}

const CONFIG_YAML = `build:
    os: linux
    arch: x86
    sign_pkcs12: aos-user-sp.p12
    symlinks: copy
publish:
    url: localhost
    service_uid: 5b0d5b3e-8c5a-4a6e-9f61-3f2a4f1c0b00
    tls_pkcs12: aos-user-sp.p12
    version: "1.0.0"
configuration:
    cmd: python3 -u /app/main.py
    workingDir: /
    quotas:
        mem: 64MB
`;

/**
 * Make (or reuse) a service folder of about `sizeMiB`: 40 % small files of 1-8 KiB (half text,
 * half random), 60 % in three large mixed files. Returns its path and what it holds.
 */
export async function generateServiceTree(workDirectory, sizeMiB, credentialP12) {
  const directory = join(workDirectory, `service-${sizeMiB}mb`);
  const marker = join(directory, '.complete.json');
  if (existsSync(marker)) {
    const summary = JSON.parse(await readFile(marker, 'utf8'));
    await writeFile(join(directory, 'meta', 'aos-user-sp.p12'), credentialP12);
    return { directory, ...summary };
  }
  await rm(directory, { recursive: true, force: true });
  await mkdir(join(directory, 'meta'), { recursive: true });
  await writeFile(join(directory, 'meta', 'config.yaml'), CONFIG_YAML);
  await writeFile(join(directory, 'meta', 'aos-user-sp.p12'), credentialP12);

  const random = createRandom(sizeMiB);
  const totalBytes = sizeMiB * MiB;
  const smallBudget = Math.round(totalBytes * 0.4);
  let files = 0;
  let bytes = 0;
  for (let smallBytes = 0; smallBytes < smallBudget; files += 1) {
    const size = 1024 + (random(2).readUInt16LE(0) % (7 * 1024));
    const folder = join(
      directory,
      'src',
      'app',
      `d${String(Math.floor(files / FILES_PER_DIRECTORY)).padStart(4, '0')}`,
    );
    if (files % FILES_PER_DIRECTORY === 0) await mkdir(folder, { recursive: true });
    const isText = files % 2 === 0;
    await writeFile(
      join(folder, `f${String(files).padStart(6, '0')}${isText ? '.txt' : '.bin'}`),
      isText ? makeText(random, size) : random(size),
    );
    smallBytes += size;
    bytes += size;
  }
  const largeSize = Math.floor((totalBytes - bytes) / 3);
  await mkdir(join(directory, 'src', 'data'), { recursive: true });
  for (let index = 0; index < 3; index += 1) {
    await writeFile(join(directory, 'src', 'data', `large-${index}.bin`), makeMixed(random, largeSize));
    files += 1;
    bytes += largeSize;
  }
  await writeFile(join(directory, 'src', 'app', 'main.py'), 'print("bench")\n');
  files += 1;
  const summary = { files, bytes };
  await writeFile(marker, JSON.stringify(summary));
  return { directory, ...summary };
}
