import { defineConfig } from './core/config.ts';

// pitchey-perf's configuration. BASE_URL (or --base-url) chooses a deployment; without one the
// embedded target is started. --profile and --milestone override the defaults below.
export default defineConfig({
  profile: 'ci',
  milestone: 'strictest',
  suites: {
    health: { endpoints: ['/health', '/health/ready', '/health/detailed'], timeoutMs: 5_000 },
  },
  thresholds: [
    // Every health answer must pass its body check (ready reports every component ok).
    { suite: 'health', metrics: { checks: ['rate==1'] } },
  ],
});
