export interface ConfigTemplateOptions {
  serviceUid?: string;
  /** Cloud host for publish.url. */
  url?: string;
  /** Start command; default `python3 -u /hello.py`. */
  cmd?: string;
}

/** The commented `meta/config.yaml` written by `aos init`. */
export function defaultConfigTemplate(options: ConfigTemplateOptions = {}): string {
  void options;
  throw new Error('defaultConfigTemplate: not implemented yet');
}
