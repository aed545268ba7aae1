import { CST, Lexer } from 'yaml';
import type { YamlLimits } from './yaml-limits.js';

/** Why a text was refused before parsing, or undefined when it may be parsed. */
export interface PrescanRefusal {
  reason: string;
  hint: string;
  /** Offset in the text where the limit was crossed. */
  offset: number;
}

/**
 * One pass over yaml's lexer tokens (iterative, linear) that stops at the first crossed
 * limit. Composing a document recurses per nesting level and costs far more per node
 * than lexing, so nesting bombs and node floods must be caught here: 100k nested "["
 * abort the whole Node process inside yaml's composer (out of memory), which no
 * try/catch can stop.
 *
 * Depth is an upper estimate: block levels come from the stack of line indentations,
 * plus "- " / "? " indicators on the same line (compact nesting), plus open flow
 * collections.
 */
export function prescanYaml(text: string, limits: YamlLimits): PrescanRefusal | undefined {
  const indentStack: number[] = [];
  let flowDepth = 0;
  let lineIndicators = 0;
  let tokens = 0;
  let offset = 0;
  let atLineStart = true;
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token);
    // doc-mode, scalar and flow-error-end are zero-width markers the lexer inserts.
    if (type === 'doc-mode' || type === 'scalar' || type === 'flow-error-end') continue;
    tokens += 1;
    if (tokens > limits.maxTokens) {
      return {
        reason: `the document has more than ${limits.maxTokens} tokens`,
        hint: 'a service config is a few hundred lines; check that this is the right file',
        offset,
      };
    }
    // A token spanning lines (block scalar body, multi-line scalar) says nothing about nesting.
    if (atLineStart && type !== 'comment' && type !== 'newline' && !token.includes('\n')) {
      const indent = type === 'space' ? token.length : 0;
      while ((indentStack.at(-1) ?? -1) >= indent) indentStack.pop();
      indentStack.push(indent);
      atLineStart = false;
    }
    if (type === 'newline' || token.endsWith('\n')) {
      atLineStart = true;
      lineIndicators = 0;
    }
    if (type === 'seq-item-ind' || type === 'explicit-key-ind') lineIndicators += 1;
    if (type === 'flow-seq-start' || type === 'flow-map-start') flowDepth += 1;
    if (type === 'flow-seq-end' || type === 'flow-map-end') flowDepth = Math.max(0, flowDepth - 1);
    const depth = indentStack.length + lineIndicators + flowDepth;
    if (depth > limits.maxDepth) {
      return {
        reason: `the document nests deeper than ${limits.maxDepth} levels`,
        hint: 'meta/config.yaml needs only a few levels; flatten the structure',
        offset,
      };
    }
    offset += token.length;
  }
  return undefined;
}
