import { defineConfig } from './core/config.ts';

// pitchey-perf's configuration. BASE_URL (or --base-url) chooses a deployment; without one the
// embedded target is started. --profile and --milestone override the defaults below.
export default defineConfig({
  profile: 'ci',
  milestone: 'strictest',
  suites: {
    health: { endpoints: ['/health', '/health/ready', '/health/detailed'], timeoutMs: 5_000 },
    lighthouse: {
      // Lighthouse CI's assertion shapes; judged at the median of the runs.
      assertions: {
        'categories:performance': ['warn', { minScore: 0.9 }],
        'largest-contentful-paint': ['error', { maxNumericValue: 2500 }],
        'total-blocking-time': ['error', { maxNumericValue: 300 }],
        'cumulative-layout-shift': ['error', { maxNumericValue: 0.1 }],
        'resource-summary:image:size': ['error', { maxNumericValue: 1_000_000 }],
      },
    },
  },
  thresholds: [
    // Every health answer must pass its body check (ready reports every component ok).
    { suite: 'health', metrics: { checks: ['rate==1'] } },
  ],
  // The synthetic monitor (npm run monitor, scripts/health-monitor.sh): without `checks`, the
  // Pitchey defaults (README, "The synthetic monitor"). Channels read their secrets from the
  // environment only.
  monitor: {
    channels: [],
    // e.g. { name: 'slack', type: 'slack', urlEnv: 'SLACK_WEBHOOK_URL' },
    //      { name: 'pager', type: 'pagerduty', routingKeyEnv: 'PAGERDUTY_ROUTING_KEY' },
  },
});
