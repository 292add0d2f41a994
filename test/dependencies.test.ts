/**
 * The image installs with `npm ci --omit=dev`: every package the product imports at run time
 * must be a dependency, not a devDependency (benchmarks and tests may use dev ones).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNTIME = ['core', 'monitor', 'health', 'load', 'synthetic', 'lighthouse', 'target', 'scripts'];
const ROOT_FILES = ['perf.config.ts', 'playwright.config.ts'];
/** Scripts for real k6: their imports are k6's own modules. */
const K6_SCRIPTS = join('load', 'k6', 'scripts');

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (path === K6_SCRIPTS) return [];
    if (statSync(join(ROOT, path)).isDirectory()) return files(path);
    return /\.(ts|mjs|js)$/.test(name) ? [path] : [];
  });
}

function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier))
    return undefined;
  // k6's own modules, in the scripts the exporter writes: real k6 resolves them, not Node.
  if (specifier === 'k6' || specifier.startsWith('k6/')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

describe('run-time packages', () => {
  it('every package the product imports is in dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const imported = new Map<string, string>();
    for (const file of [...RUNTIME.flatMap(files), ...ROOT_FILES]) {
      // Type-only imports are erased before anything runs: a devDependency may provide them.
      const text = readFileSync(join(ROOT, file), 'utf8').replace(
        /^import\s+type\s[^;]*?\sfrom\s+['"][^'"]+['"];?/gms,
        '',
      );
      for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)) {
        const name = packageOf(match[1] as string);
        if (name && !imported.has(name)) imported.set(name, file);
      }
    }
    expect(imported.size).toBeGreaterThan(10);
    const missing = [...imported]
      .filter(([name]) => !(name in pkg.dependencies))
      .map(([n, f]) => `${n} (${f})`);
    expect(missing).toEqual([]);
  });
});
