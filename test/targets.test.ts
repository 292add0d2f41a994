import { describe, expect, it } from 'vitest';
import { loadTargets, milestoneTargets, parseTargets, STRICTEST } from '../core/targets.ts';

const rules = (m: ReturnType<typeof milestoneTargets>, group: 'api' | 'page' | 'uptime') =>
  Object.fromEntries(m[group].map((r) => [r.keyText, r.thresholds.map((t) => t.source).sort()]));

describe('baselines/targets.json', () => {
  it("encodes the roadmap's milestones", async () => {
    const milestones = await loadTargets('baselines/targets.json');
    expect(rules(milestoneTargets(milestones, 'month-1'), 'api')).toEqual({
      http_req_duration: ['p(50)<100', 'p(95)<300', 'p(99)<500'],
      http_req_failed: ['rate<0.005'],
    });
    expect(rules(milestoneTargets(milestones, 'week-2'), 'api').http_req_duration).toEqual(['p(95)<200']);
    expect(rules(milestoneTargets(milestones, 'week-1'), 'api')).toEqual({ http_req_failed: ['rate<0.005'] });
    expect(rules(milestoneTargets(milestones, 'month-1'), 'page')).toEqual({ page_load: ['med<1000'] });
  });

  it('has a computed strictest milestone: the tightest limit of each target', async () => {
    const strictest = milestoneTargets(await loadTargets('baselines/targets.json'), STRICTEST);
    expect(rules(strictest, 'api')).toEqual({
      http_req_duration: ['p(50)<100', 'p(95)<200', 'p(99)<500'],
      http_req_failed: ['rate<0.005'],
    });
    expect(rules(strictest, 'uptime')).toEqual({ uptime: ['rate>=0.9999'] });
  });

  it('names the unknown milestone and the ones there are', async () => {
    const milestones = await loadTargets('baselines/targets.json');
    expect(() => milestoneTargets(milestones, 'month-9')).toThrow(
      /unknown milestone "month-9": choose one of week-1, week-2, month-1, kpi, strictest/,
    );
  });
});

describe('parseTargets', () => {
  it('names the file, milestone, group and key of a bad expression', () => {
    const bad = { milestones: { m: { api: { http_req_duration: ['p95<200'] } } } };
    expect(() => parseTargets(bad, 'targets.json')).toThrow(
      /targets\.json milestones\.m\.api\.http_req_duration\[0\]: "p95<200"/,
    );
  });

  it('refuses unknown groups and keys', () => {
    expect(() => parseTargets({ milestones: { m: { apis: {} } } }, 'targets.json')).toThrow(
      /targets\.json: milestones\.m/,
    );
    expect(() => parseTargets({ milestones: {}, extra: 1 }, 'targets.json')).toThrow(/extra/);
  });

  it('keeps the tighter of two limits, whichever way they point', () => {
    const targets = parseTargets(
      {
        milestones: {
          a: { api: { d: ['p(95)<300', 'avg<50'] }, uptime: { uptime: ['rate>=0.999'] } },
          b: { api: { d: ['p(95)<=200'] }, uptime: { uptime: ['rate>=0.9999'] } },
          c: { api: { d: ['p(95)<200'] } },
        },
      },
      'f',
    );
    const strictest = milestoneTargets(targets, STRICTEST);
    expect(rules(strictest, 'api').d).toEqual(['avg<50', 'p(95)<200']);
    expect(rules(strictest, 'uptime').uptime).toEqual(['rate>=0.9999']);
  });
});
