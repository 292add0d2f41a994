/** Lookups into a k6 import, for the k6 import and runner tests. */
import type { Item, Metric } from '../core/results.ts';
import type { K6Import } from '../load/k6/import.ts';

export function item(result: K6Import, name: string): Item {
  const found = result.items.find((i) => i.name === name);
  if (!found) throw new Error(`no item ${name} in ${result.items.map((i) => i.name).join(', ')}`);
  return found;
}

export function metric<T extends Metric['type']>(
  from: Item,
  key: string,
  type: T,
): Extract<Metric, { type: T }> {
  const found = from.metrics[key];
  if (found?.type !== type)
    throw new Error(`${from.name}.${key} is ${found?.type ?? 'missing'}, not ${type}`);
  return found as Extract<Metric, { type: T }>;
}
