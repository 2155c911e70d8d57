// The older flat network form (stylus.site.network: {type, ipAddress, mask, gateway, nameserver})
// rewritten as the current interfaces.<nic> form. Other network keys (proxies) stay where they are.
import { isMap, isScalar, type Document, type Pair } from 'yaml';
import { editUserData, ensureMaps, mapAt } from './yaml-edit';

export const FLAT_NIC_KEYS = ['type', 'ipAddress', 'mask', 'gateway', 'nameserver'] as const;
const NETWORK = ['stylus', 'site', 'network'];

/** True when the document's network section uses the flat form. */
export function hasFlatNetwork(doc: Document): boolean {
  const net = mapAt(doc, NETWORK);
  return (
    !!net &&
    net.items.some(
      (p) => isScalar(p.key) && ['type', 'ipAddress', 'mask', 'gateway'].includes(String(p.key.value)),
    )
  );
}

/** Move the flat keys into interfaces.<nic>, in place. Returns whether anything moved. */
export function convertFlatNetworkInDoc(doc: Document, nic = 'eth0'): boolean {
  if (!hasFlatNetwork(doc)) return false;
  const net = mapAt(doc, NETWORK)!;
  const moved: Pair[] = [];
  const firstIndex = net.items.findIndex(
    (p) => isScalar(p.key) && (FLAT_NIC_KEYS as readonly string[]).includes(String(p.key.value)),
  );
  net.items = net.items.filter((p) => {
    const isFlat = isScalar(p.key) && (FLAT_NIC_KEYS as readonly string[]).includes(String(p.key.value));
    if (isFlat) moved.push(p);
    return !isFlat;
  });
  const hadInterfaces = net.has('interfaces');
  ensureMaps(doc, [...NETWORK, 'interfaces', nic]);
  const target = mapAt(doc, [...NETWORK, 'interfaces', nic])!;
  for (const p of moved) {
    const k = String((p.key as { value: unknown }).value);
    if (!target.has(k)) target.items.push(p);
  }
  if (!hadInterfaces) {
    // Put the new interfaces map where the flat keys were, so the order reads naturally.
    const idx = net.items.findIndex((p) => isScalar(p.key) && p.key.value === 'interfaces');
    const [pair] = net.items.splice(idx, 1);
    net.items.splice(Math.max(0, Math.min(firstIndex, net.items.length)), 0, pair);
  }
  return isMap(target);
}

export function convertFlatNetwork(text: string, nic = 'eth0'): { text: string; changed: boolean } {
  let changed = false;
  const out = editUserData(text, (doc) => {
    changed = convertFlatNetworkInDoc(doc, nic);
  });
  return { text: changed ? out : text, changed };
}
