/**
 * Daily active users → the peak arrival rate they make (pure). A rule of thumb made explicit,
 * every assumption a named figure in the config (capacity.demand), none hidden:
 *   daily requests = DAU × sessions per user per day × requests per session
 *   peak rate      = daily requests × peak-hour share ÷ 3,600 s × burst factor
 * The defaults are conservative: one tenth of a day's traffic in its busiest hour (a 24-hour
 * day spread evenly would be 1/24), and seconds within that hour at twice its mean.
 */

export interface DemandModel {
  sessionsPerUserPerDay: number;
  /** API requests a session makes (page loads, listings, pitch views, NDAs…). */
  requestsPerSession: number;
  /** The busiest hour's share of a day's requests. */
  peakHourShare: number;
  /** The busiest seconds against the busiest hour's mean. */
  burstFactor: number;
}

export const DEFAULT_DEMAND: DemandModel = {
  sessionsPerUserPerDay: 2,
  requestsPerSession: 30,
  peakHourShare: 0.1,
  burstFactor: 2,
};

/** The roadmap's daily active users: today, the quarter's target, and the scale checkpoint. */
export const DAU_MILESTONES = [5_000, 25_000, 100_000] as const;

/** "19.6× the 25K-DAU peak (93.8 req/s), 4.9× the 100K peak": a capacity against each milestone. */
export function headroomLine(
  capacityRps: number,
  model: DemandModel,
  milestones: readonly number[] = DAU_MILESTONES,
): string {
  return milestones
    .map((dau) => {
      const peak = peakRps(dau, model);
      return `${(capacityRps / peak).toFixed(1)}× the ${dau / 1000}K-DAU peak (${peak.toFixed(1)} req/s)`;
    })
    .join(', ');
}

export function peakRps(dau: number, model: DemandModel): number {
  const daily = dau * model.sessionsPerUserPerDay * model.requestsPerSession;
  return ((daily * model.peakHourShare) / 3_600) * model.burstFactor;
}

/** The model as one line, for reports: every figure it rests on. */
export function describeDemand(dau: number, model: DemandModel): string {
  return (
    `${dau.toLocaleString('en-US')} DAU × ${model.sessionsPerUserPerDay} sessions × ${model.requestsPerSession} requests, ` +
    `${(model.peakHourShare * 100).toFixed(0)} % in the peak hour, bursts ×${model.burstFactor} → ` +
    `${peakRps(dau, model).toFixed(1)} req/s`
  );
}
