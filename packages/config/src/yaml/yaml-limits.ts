/**
 * Limits applied before a YAML document is composed. A real meta/config.yaml is 1–5 KB
 * with ~100 nodes and nesting depth 4; these leave wide room while keeping the worst
 * case (measured: ~1.7 s to compose 1 MiB of "- 1" lines) out of reach.
 */
export interface YamlLimits {
  /** Largest accepted text, in UTF-8 bytes. */
  maxBytes: number;
  /** Most collection levels (block and flow together). */
  maxDepth: number;
  /** Most tokens (scalars, indicators, collection starts) the lexer may see. */
  maxTokens: number;
  /** Most alias expansions (passed to yaml's toJS maxAliasCount). */
  maxAliasCount: number;
}

export const DEFAULT_YAML_LIMITS: Readonly<YamlLimits> = {
  maxBytes: 1024 * 1024,
  maxDepth: 64,
  maxTokens: 20_000,
  maxAliasCount: 100,
};
