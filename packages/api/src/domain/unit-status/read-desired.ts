/** What the console and the CLI show of a unit's last issued desired status (the signed v7 document). */
export interface DesiredSummary {
  generation: number;
  issuedAt: string;
  items: { serviceId: string; title: string | null; version: string }[];
  instances: { serviceId: string; subjectId: string; numInstances: number; priority: number | null }[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/**
 * The items and instances of a stored desired-status document (docs/unit-channel.md: `items:
 * [{item: {id, codename}, version, …}]`, `instances: [{item: {id}, subject: {id}, priority,
 * numInstances}]`). Read leniently: an entry without the fields it needs is left out, never thrown on.
 */
export function readDesiredDocument(
  row: { generation: number; issuedAt: Date; document: Json },
  titleOf: (serviceId: string) => string | null,
): DesiredSummary {
  const items = list(row.document.items).flatMap((entry) => {
    const item = isObject(entry.item) ? entry.item : {};
    const serviceId = text(item.id);
    const version = text(entry.version);
    if (!serviceId || !version) return [];
    return [{ serviceId, title: titleOf(serviceId) ?? text(item.codename), version }];
  });
  const instances = list(row.document.instances).flatMap((entry) => {
    const serviceId = isObject(entry.item) ? text(entry.item.id) : null;
    const subjectId = isObject(entry.subject) ? text(entry.subject.id) : null;
    if (!serviceId || !subjectId) return [];
    return [
      {
        serviceId,
        subjectId,
        numInstances: typeof entry.numInstances === 'number' ? entry.numInstances : 0,
        priority: typeof entry.priority === 'number' ? entry.priority : null,
      },
    ];
  });
  return { generation: row.generation, issuedAt: row.issuedAt.toISOString(), items, instances };
}
