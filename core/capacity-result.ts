/**
 * Where the capacity check (`npm run capacity`) leaves its latest answer for go/no-go to read:
 * <reportsDir>/capacity/latest.json, one small versioned document. It is written only when the
 * check measured (a run that could not measure leaves the previous one, which then ages out).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { PerfError } from './errors.ts';

export const CAPACITY_SCHEMA_VERSION = 1;

export const capacityResultSchema = z
  .object({
    schemaVersion: z.literal(CAPACITY_SCHEMA_VERSION),
    /** When the capacity run finished, ISO 8601. */
    measuredAt: z.iso.datetime({ offset: true }),
    /** The git commit measured, when known. */
    commit: z.string().min(1).optional(),
    /** The deployment measured (its origin): a loopback target is not evidence for a launch. */
    baseUrl: z.url({ protocol: /^https?$/ }),
    /** The roadmap milestone whose latency targets judged each step. */
    milestone: z.string().min(1),
    /** Daily active users the run sized the peak for (25 000, 100 000…). */
    dau: z.number().int().positive(),
    /** The peak arrival rate those users make, req/s. */
    peakRps: z.number().positive(),
    /** The highest arrival rate carried within the targets (the knee), req/s. */
    capacityRps: z.number().nonnegative(),
    /** capacityRps ÷ peakRps: 1 or more carries the peak. */
    headroom: z.number().nonnegative(),
  })
  .strict()
  .refine((r) => Math.abs(r.headroom - r.capacityRps / r.peakRps) <= 0.01 * Math.max(1, r.headroom), {
    message: 'headroom must be capacityRps ÷ peakRps',
    path: ['headroom'],
  });

export type CapacityResult = z.infer<typeof capacityResultSchema>;

export class CapacityResultError extends PerfError {}

export const capacityResultPath = (reportsDir: string) => join(reportsDir, 'capacity', 'latest.json');

/** The latest capacity result, or undefined when none was written; a damaged file is an error. */
export async function readCapacityResult(file: string): Promise<CapacityResult | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CapacityResultError(`cannot read ${file}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CapacityResultError(`${file} is not JSON: ${(error as Error).message}`);
  }
  const parsed = capacityResultSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new CapacityResultError(
    `${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message} — run npm run capacity again, or move the file aside`,
  );
}
