/**
 * The roadmap's targets (baselines/targets.json) and the thresholds that judge each measured
 * item: the chosen milestone's targets for the item's group, then config overrides.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { PerfError } from './errors.ts';
import type { Item } from './results.ts';
import { type MetricKey, parseMetricKey, parseThreshold, type Threshold } from './threshold.ts';

export const STRICTEST = 'strictest';

const groupTargets = z.record(z.string(), z.array(z.string()).min(1));
const targetsFileSchema = z
  .object({
    $comment: z.string().optional(),
    milestones: z.record(
      z.string(),
      z
        .object({
          api: groupTargets.optional(),
          page: groupTargets.optional(),
          uptime: groupTargets.optional(),
        })
        .strict(),
    ),
  })
  .strict();

type Group = 'api' | 'page' | 'uptime';
const GROUPS: Group[] = ['api', 'page', 'uptime'];

export interface TargetRule {
  key: MetricKey;
  /** The key as written, e.g. "http_req_duration{name:login}". */
  keyText: string;
  thresholds: Threshold[];
  origin: string;
}

/** Per group, the rules of one milestone. */
export type MilestoneTargets = Record<Group, TargetRule[]>;

export class TargetsError extends PerfError {}

function parseGroup(
  group: Record<string, string[]> | undefined,
  where: string,
  origin: string,
): TargetRule[] {
  return Object.entries(group ?? {}).map(([keyText, expressions]) => ({
    key: parseMetricKey(keyText, `${where}.${keyText}`),
    keyText,
    thresholds: expressions.map((e, i) => parseThreshold(e, `${where}.${keyText}[${i}]`)),
    origin,
  }));
}

/** Parses the targets file's content; every expression is checked here, naming file and key. */
export function parseTargets(value: unknown, file: string): Map<string, MilestoneTargets> {
  const parsed = targetsFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TargetsError(`${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  const milestones = new Map<string, MilestoneTargets>();
  for (const [name, groups] of Object.entries(parsed.data.milestones)) {
    if (name === STRICTEST)
      throw new TargetsError(`${file}: milestone name "${STRICTEST}" is reserved (it is computed)`);
    const entry = {} as MilestoneTargets;
    for (const group of GROUPS)
      entry[group] = parseGroup(groups[group], `${file} milestones.${name}.${group}`, `milestone ${name}`);
    milestones.set(name, entry);
  }
  milestones.set(STRICTEST, strictest([...milestones.values()]));
  return milestones;
}

export async function loadTargets(file: string): Promise<Map<string, MilestoneTargets>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new TargetsError(`cannot read the targets file ${file}: ${(error as Error).message}`);
  }
  try {
    return parseTargets(JSON.parse(text), file);
  } catch (error) {
    if (error instanceof SyntaxError) throw new TargetsError(`${file} is not JSON: ${error.message}`);
    throw error;
  }
}

export function milestoneTargets(milestones: Map<string, MilestoneTargets>, name: string): MilestoneTargets {
  const found = milestones.get(name);
  if (!found)
    throw new TargetsError(`unknown milestone "${name}": choose one of ${[...milestones.keys()].join(', ')}`);
  return found;
}

const direction = (t: Threshold) =>
  t.operator.startsWith('<') ? 'below' : t.operator.startsWith('>') ? 'above' : t.operator;

/** Percentiles in ascending order, then the other aggregations alphabetically. */
function byAggregation(a: Threshold, b: Threshold): number {
  return (a.percentile ?? 1000) - (b.percentile ?? 1000) || a.aggregation.localeCompare(b.aggregation);
}

/**
 * The strictest milestone: for every metric key and aggregation, the tightest limit any
 * milestone sets (lowest "below" limit, highest "above" limit).
 */
export function strictest(all: MilestoneTargets[]): MilestoneTargets {
  const result = {} as MilestoneTargets;
  for (const group of GROUPS) {
    const byKey = new Map<string, { rule: TargetRule; tightest: Map<string, Threshold> }>();
    for (const milestone of all) {
      for (const rule of milestone[group]) {
        const slot = byKey.get(rule.keyText) ?? { rule, tightest: new Map<string, Threshold>() };
        byKey.set(rule.keyText, slot);
        for (const t of rule.thresholds) {
          const id = `${t.aggregation} ${direction(t)}`;
          const current = slot.tightest.get(id);
          const tighter =
            !current ||
            (direction(t) === 'below' && t.limit < current.limit) ||
            (direction(t) === 'above' && t.limit > current.limit) ||
            (direction(t) === 'below' && t.limit === current.limit && t.operator === '<');
          if (tighter) slot.tightest.set(id, t);
        }
      }
    }
    result[group] = [...byKey.values()].map(({ rule, tightest }) => ({
      key: rule.key,
      keyText: rule.keyText,
      thresholds: [...tightest.values()].sort(byAggregation),
      origin: `milestone ${STRICTEST}`,
    }));
  }
  return result;
}

/** A config override: for items of `suite` whose name matches `item`, these rules replace or add. */
export interface ThresholdOverride {
  suite?: string | undefined;
  item?: string | undefined;
  rules: TargetRule[];
  /** Add to the rules already there for the same metric key, instead of replacing them. */
  add?: boolean;
}

/** "*" matches any run of characters (line breaks too); no pattern matches everything. */
export function globMatch(pattern: string | undefined, value: string): boolean {
  if (pattern === undefined || pattern === '*') return true;
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    's',
  );
  return regex.test(value);
}

function tagsMatch(filter: Record<string, string>, item: Item): boolean {
  const tags: Record<string, string> = { name: item.name, ...item.tags };
  return Object.entries(filter).every(([k, v]) => tags[k] === v);
}

/**
 * The rules that judge one item: the milestone's rules for its group, then the overrides in
 * order: one replaces the rules of its metric key (a config override) or adds to them (a
 * suite's own thresholds, which never loosen the roadmap's). Rules whose
 * tag filter does not match the item are left out.
 */
export function rulesFor(
  suite: string,
  item: Item,
  milestone: MilestoneTargets,
  overrides: ThresholdOverride[],
): TargetRule[] {
  const byKey = new Map<string, TargetRule[]>();
  if (item.targets !== 'none') for (const rule of milestone[item.targets]) byKey.set(rule.keyText, [rule]);
  for (const override of overrides) {
    if (!globMatch(override.suite, suite) || !globMatch(override.item, item.name)) continue;
    for (const rule of override.rules) {
      byKey.set(rule.keyText, override.add ? [...(byKey.get(rule.keyText) ?? []), rule] : [rule]);
    }
  }
  return [...byKey.values()].flat().filter((rule) => tagsMatch(rule.key.tags, item));
}

/** Parses config thresholds ({ metricKey: [expressions] }) into rules; `where` names the config key. */
export function parseRules(
  thresholds: Record<string, string[]>,
  where: string,
  origin: string,
): TargetRule[] {
  return parseGroup(thresholds, where, origin);
}
