import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/gen-ari-types.js';

/**
 * What `npm pack` would ship, listed without building (`--ignore-scripts`, so dist/ may be absent here): the files
 * list keeps tests, sources and the vendored GPL swagger files out, and the entry points name what
 * tsconfig.build.json emits. The build itself, the installed tarball, a plain .mjs import and the start-up times are
 * checked by scripts/bench-startup.ts (`npm run bench`), which takes half a minute.
 */

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  main: string;
  types: string;
  exports: Record<string, { types: string; default: string } | string>;
  bin: Record<string, string>;
  files: string[];
  dependencies: Record<string, string>;
};

function packList(): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO_ROOT, timeout: 30_000 }, (err, stdout) => {
      if (err) reject(new Error(`npm pack --dry-run failed: ${err.message}`, { cause: err }));
      else resolve((JSON.parse(stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path));
    });
  });
}

describe('the npm package', () => {
  it('ships no tests, sources, scripts or vendored files; ships the bins, the docs, the licence, the changelog and the demo sample', async () => {
    const files = await packList();
    expect(files.filter((f) => /^(test|src|scripts|vendor|jobs)\/|\.test\.|^tsconfig|^vitest/.test(f))).toEqual([]);
    for (const f of ['bin/ari-dialer.js', 'bin/dial.js', 'examples/sample-numbers.csv', 'README.md', 'LICENSE', 'CHANGELOG.md', 'package.json'])
      expect(files).toContain(f);
    expect(files.every((f) => /^(dist|bin|docs|examples)\/|^(README\.md|LICENSE|CHANGELOG\.md|package\.json)$/.test(f))).toBe(true);
  });

  it('points main, types and exports at what tsconfig.build.json emits from src/index.ts', () => {
    const build = readFileSync(join(REPO_ROOT, 'tsconfig.build.json'), 'utf8');
    expect(build).toMatch(/"rootDir": "\."/);
    expect(build).toMatch(/"outDir": "dist"/);
    expect(build).toMatch(/"declaration": true/);
    expect(existsSync(join(REPO_ROOT, 'src/index.ts'))).toBe(true);
    expect(pkg.main).toBe('./dist/src/index.js');
    expect(pkg.types).toBe('./dist/src/index.d.ts');
    expect(pkg.exports['.']).toEqual({ types: './dist/src/index.d.ts', default: './dist/src/index.js' });
  });

  it('runs without a TypeScript loader when installed: tsx is a devDependency, the bins fall back to dist/', () => {
    expect(pkg.dependencies.tsx).toBeUndefined();
    for (const [name, file] of Object.entries(pkg.bin)) {
      expect(readFileSync(join(REPO_ROOT, file), 'utf8').startsWith('#!/usr/bin/env node\n'), name).toBe(true);
    }
    expect(readFileSync(join(REPO_ROOT, 'bin/cli-module.js'), 'utf8')).toContain('../dist/src/cli/${name}.js');
  });
});
