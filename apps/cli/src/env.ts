import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parseSourceDateEpoch } from '@openaos/image';

/** Everything the CLI reads from the environment, read here and nowhere else. */
export interface CliEnvironment {
  /** Root of the user's Aos files (`AOS_HOME`, default `~/.aos`): `security/`, `dev-ca/`. */
  aosHome: string;
  /** `AOS_DEBUG=1`: print stack traces of errors. */
  debug: boolean;
  /** `AOS_CLOUD_URL`: the cloud to talk to, over <AOS_HOME>/cloud.json (a --url flag wins). */
  cloudUrl: string | undefined;
  /** `NO_COLOR` set (https://no-color.org): no colour even on a terminal. */
  noColor: boolean;
  /**
   * `SOURCE_DATE_EPOCH` (reproducible-builds.org), whole seconds: `aos sign` records it as the
   * signing time and `aos image build` uses it as the image's created time, instead of the clock
   * and of the package's signing time.
   */
  sourceDateEpoch: Date | undefined;
}

/**
 * Read and validate the environment. `AOS_HOME` must be an absolute path when set, because a
 * relative one would silently point somewhere else from each working directory.
 */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env): CliEnvironment {
  const aosHomeValue = env.AOS_HOME?.trim();
  let aosHome: string;
  if (aosHomeValue) {
    if (!isAbsolute(aosHomeValue)) {
      throw new Error(
        `reading AOS_HOME: "${aosHomeValue}" is not an absolute path; set it to an absolute directory or unset it to use ~/.aos`,
      );
    }
    aosHome = resolve(aosHomeValue);
  } else {
    aosHome = join(env.HOME?.trim() || homedir(), '.aos');
  }
  return {
    aosHome,
    cloudUrl: env.AOS_CLOUD_URL?.trim() || undefined,
    debug: env.AOS_DEBUG === '1' || env.AOS_DEBUG === 'true',
    noColor: env.NO_COLOR !== undefined && env.NO_COLOR !== '',
    sourceDateEpoch: parseSourceDateEpoch(env.SOURCE_DATE_EPOCH),
  };
}
