/**
 * The agent's monitoring samples and quota alerts (src/monitoring/, v6 shapes) in v7 form, as the
 * link sends them. Figures are rounded: v7 wants integers. Pure.
 */
import type { AlertItem, MonitoringData as AgentMonitoring, MonitoringItem } from '../formats/monitoring.js';
import type { Alert, MessageInput, MonitoringSample } from '@openaos/protocol/v7';
import { toIdentity } from './map-unit-status.js';

export type V7MonitoringData = MessageInput<'monitoringData'> & { messageType: 'monitoringData' };

function toSample(item: MonitoringItem): MonitoringSample {
  return {
    timestamp: new Date(item.timestamp).toISOString(),
    ram: Math.round(item.ram),
    cpu: Math.round(item.cpu),
    download: Math.round(item.download),
    upload: Math.round(item.upload),
    partitions: item.partitions.map((partition) => ({
      name: partition.name,
      usedSize: Math.round(partition.usedSize),
    })),
    ...(item.pids === undefined ? {} : { pids: Math.round(item.pids) }),
  };
}

/** The v7 monitoringData of buffered samples; undefined when there is none. */
export function mapMonitoring(data: AgentMonitoring, nodeCodename: string): V7MonitoringData | undefined {
  const nodes = data.nodes
    .filter((node) => node.items.length > 0)
    .map((node) => ({ node: { codename: node.nodeId || nodeCodename }, items: node.items.map(toSample) }));
  const instances = data.serviceInstances
    .filter((instance) => instance.items.length > 0)
    .map((instance) => ({
      item: toIdentity(instance.serviceId),
      subject: toIdentity(instance.subjectId),
      instance: instance.instance,
      node: { codename: instance.nodeId ?? nodeCodename },
      itemStates: [],
      items: instance.items.map(toSample),
    }));
  if (nodes.length === 0 && instances.length === 0) return undefined;
  return { messageType: 'monitoringData', nodes, instances };
}

/** A quota alert in v7 form; undefined for the kinds the link reports itself or v7 does not have. */
export function mapQuotaAlert(alert: AlertItem, nodeCodename: string): Alert | undefined {
  const timestamp = new Date(alert.timestamp).toISOString();
  const value = Math.max(0, Math.round('value' in alert ? alert.value : 0));
  // raise/continue/fall: an OpenAos extra field (docs/alerts-and-state.md) the cloud keeps episodes by.
  const state = 'state' in alert && alert.state ? { state: alert.state } : {};
  if (alert.tag === 'instanceQuotaAlert')
    return {
      timestamp,
      tag: 'instanceQuotaAlert',
      item: toIdentity(alert.serviceId),
      subject: toIdentity(alert.subjectId),
      instance: alert.instance,
      parameter: alert.parameter,
      value,
      ...state,
    };
  if (alert.tag === 'systemQuotaAlert')
    return {
      timestamp,
      tag: 'systemQuotaAlert',
      node: { codename: nodeCodename },
      parameter: alert.parameter,
      value,
      ...state,
    };
  return undefined;
}
