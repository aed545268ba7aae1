import { LineCounter, parseDocument, type Document, type ScalarTag, type Tags } from 'yaml';
import { ConfigError, type ConfigProblem } from '../config-error.js';
import { formatProblems } from '../format-problems.js';
import { prescanYaml } from './prescan-yaml.js';
import { DEFAULT_YAML_LIMITS, type YamlLimits } from './yaml-limits.js';

export interface LoadedYaml {
  document: Document.Parsed;
  lineCounter: LineCounter;
}

/**
 * Parse one YAML document safely, keeping node positions.
 *
 * YAML 1.1 rules are used because aos-signer reads the file with PyYAML (1.1): `True`,
 * `yes`, `off` are booleans there too, so a file means the same to both tools. (yaml's
 * 1.1 schema also reads a bare `y`/`n` as a boolean; PyYAML does not, nor do we.)
 * Duplicate keys are left to the schema reader (yaml's own check is quadratic).
 *
 * @throws ConfigError 'unsafe-yaml' (too big, too deep, too many tokens or aliases) or
 *   'invalid-yaml' (syntax), each with problems carrying line and column.
 */
export function loadYamlDocument(text: string, file: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): LoadedYaml {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxBytes) {
    throw unsafe(file, {
      file,
      path: '',
      message: `the file is ${bytes} bytes, more than the ${limits.maxBytes} bytes accepted`,
      expected: `at most ${limits.maxBytes} bytes`,
      hint: 'meta/config.yaml holds settings only; keep data in src/ or state.dat',
    });
  }
  const refusal = prescanYaml(text, limits);
  if (refusal) {
    throw unsafe(file, {
      file,
      ...positionOf(text, refusal.offset),
      path: '',
      message: refusal.reason,
      hint: refusal.hint,
    });
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, {
    lineCounter,
    version: '1.1',
    customTags: withPyYamlBooleans,
    uniqueKeys: false,
    prettyErrors: false,
  });
  if (document.errors.length > 0) {
    const problems = document.errors.map((error): ConfigProblem => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return {
        file,
        line,
        column: col,
        path: '',
        message: firstLine(error.message),
        hint: 'fix the YAML syntax; indent with spaces and quote values that contain ": " or "#"',
      };
    });
    throw new ConfigError('invalid-yaml', `parsing ${file}: invalid YAML\n${formatProblems(problems)}`, {
      file,
      problems,
    });
  }
  refuseAliasBombs(document, file, limits);
  return { document, lineCounter };
}

/** Expanding aliases is where "billion laughs" explodes; yaml counts expansions for us. */
function refuseAliasBombs(document: Document.Parsed, file: string, limits: YamlLimits): void {
  try {
    document.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/alias/i.test(message)) {
      throw unsafe(
        file,
        {
          file,
          path: '',
          message: `aliases expand too much (more than ${limits.maxAliasCount} expansions): ${message}`,
          hint: 'write the values out instead of using anchors (&) and aliases (*)',
        },
        error,
      );
    }
    throw new ConfigError('invalid-yaml', `parsing ${file}: ${message}`, {
      file,
      problems: [{ file, path: '', message }],
      cause: error,
    });
  }
}

const BOOLEAN_TAG = 'tag:yaml.org,2002:bool';

/** PyYAML's booleans: yes/no, true/false, on/off in three casings; not y/n. */
function withPyYamlBooleans(tags: Tags): Tags {
  return tags.map((tag) => {
    if (typeof tag === 'string' || tag.tag !== BOOLEAN_TAG || tag.identify === undefined) return tag;
    const test = tag.identify(true)
      ? /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/
      : /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;
    return { ...(tag as ScalarTag), test };
  });
}

function unsafe(file: string, problem: ConfigProblem, cause?: unknown): ConfigError {
  const advice = problem.hint === undefined ? '' : `; ${problem.hint}`;
  return new ConfigError('unsafe-yaml', `refusing ${file}: ${problem.message}${advice}`, {
    file,
    problems: [problem],
    cause,
  });
}

function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) {
    line += 1;
    lineStart = index + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
