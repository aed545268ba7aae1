// Runs one OpenAos step in its own process so its peak memory (maxRSS) and CPU profile are its own.
// Usage: node child.mjs pack <serviceDir> <outputPath>
//        node child.mjs image <packagePath> <rootPem file> <storeDir>
import { readFile } from 'node:fs/promises';
import { timeBuildImage, timeBuildPackage } from './openaos-steps.mjs';

const [step, first, second, third] = process.argv.slice(2);
let timing;
if (step === 'pack') timing = await timeBuildPackage(first, second);
else if (step === 'image') timing = await timeBuildImage(first, await readFile(second, 'utf8'), third);
else throw new Error(`child.mjs: unknown step ${step} (expected pack or image)`);
// maxRSS is in KiB on Linux.
process.stdout.write(JSON.stringify({ step, ...timing, maxRssKiB: process.resourceUsage().maxRSS }) + '\n');
