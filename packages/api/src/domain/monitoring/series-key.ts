/**
 * The one place that names a monitoring series: a node of a unit (`node:<codename>`) or an
 * instance (`instance:<item>/<subject>/<n>`). The names are the `series` column of every
 * monitoring table; nothing else builds or parses them.
 */

export type SeriesIdentity =
  | { kind: 'node'; node: string }
  | { kind: 'instance'; serviceId: string; subjectId: string; instance: number };

export function nodeSeries(node: string): string {
  return `node:${node}`;
}

export function instanceSeries(serviceId: string, subjectId: string, instance: number): string {
  return `instance:${serviceId}/${subjectId}/${instance}`;
}

export function seriesName(identity: SeriesIdentity): string {
  return identity.kind === 'node'
    ? nodeSeries(identity.node)
    : instanceSeries(identity.serviceId, identity.subjectId, identity.instance);
}
