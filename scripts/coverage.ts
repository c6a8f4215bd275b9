/**
 * `npm run test:coverage`: runs vitest with coverage and adds what the child processes the tests spawn
 * (`node dist/cli/main.js …`, see test/cli/cli-harness.ts) ran, mapped back to src/ through dist/'s source maps.
 * Prints the totals and a table per folder of src/; writes the merged figures to coverage/coverage-final.json,
 * coverage/coverage-summary.json and coverage/coverage-folders.md (that table). Arguments go to vitest; the exit
 * code is vitest's.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { Profiler } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { parse } from 'acorn';
import convert from 'ast-v8-to-istanbul';
import libCoverage from 'istanbul-lib-coverage';
import type { CoverageMap, CoverageMapData, CoverageSummary } from 'istanbul-lib-coverage';
import libReport from 'istanbul-lib-report';
import reports from 'istanbul-reports';

import { addHits } from './lib/add-hits.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REPORTS_DIR = join(ROOT, 'coverage');
const DIST_URL = `${pathToFileURL(join(ROOT, 'dist')).href}/`;

/** A dist/ file as Node ran it, with its source map. */
interface BuiltFile {
  readonly code: string;
  readonly map: { version: number; sources: string[]; mappings: string; names: string[] };
}

async function main(): Promise<number> {
  const childDir = mkdtempSync(join(tmpdir(), 'llm-proxy-child-coverage-'));
  try {
    const code = await runVitest(process.argv.slice(2), childDir);
    const finalPath = join(REPORTS_DIR, 'coverage-final.json');
    if (!existsSync(finalPath)) {
      console.error(`${finalPath} was not written: no coverage to report`);
      return code === 0 ? 1 : code;
    }
    const coverage = libCoverage.createCoverageMap(
      JSON.parse(readFileSync(finalPath, 'utf8')) as CoverageMapData,
    );
    // vitest's map holds every file its coverage `include` selects, tested or not: the children's hits are added
    // to its items, and their files outside it (a dist/ file whose source is gone) are left out.
    const included = new Set(coverage.files());
    const children = await childCoverage(childDir);
    let unpaired = 0;
    for (const file of children.files()) {
      if (included.has(file)) {
        unpaired += addHits(coverage.fileCoverageFor(file).data, children.fileCoverageFor(file).data);
      }
    }
    console.log(`${String(unpaired)} items run by the children had no counterpart in vitest's map: left out`);
    report(coverage);
    return code;
  } finally {
    rmSync(childDir, { recursive: true, force: true });
  }
}

/** Runs vitest with coverage; the CLI children it spawns write raw V8 coverage into `childDir`. */
function runVitest(args: readonly string[], childDir: string): Promise<number> {
  // vitest writes no coverage when a test fails unless told to; the exit code still tells of the failure.
  const child = spawn(
    'npx',
    ['vitest', 'run', '--coverage', '--coverage.reporter=json', '--coverage.reportOnFailure', ...args],
    {
      cwd: ROOT,
      env: { ...process.env, LLM_PROXY_CHILD_COVERAGE_DIR: childDir },
      stdio: 'inherit',
    },
  );
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      resolve(code ?? 1);
    });
  });
}

/** The raw V8 coverage of dist/ files in `dir` (one JSON file per process), as Istanbul coverage of src/. */
async function childCoverage(dir: string): Promise<CoverageMap> {
  const coverage = libCoverage.createCoverageMap({});
  const built = new Map<string, BuiltFile>();
  const files = readdirSync(dir).filter((name) => name.endsWith('.json'));
  for (const name of files) {
    const { result } = JSON.parse(readFileSync(join(dir, name), 'utf8')) as {
      result: Profiler.ScriptCoverage[];
    };
    for (const script of result) {
      if (!script.url.startsWith(DIST_URL) || !script.url.endsWith('.js')) continue;
      const file = built.get(script.url) ?? readBuilt(script.url);
      built.set(script.url, file);
      // A fresh syntax tree each time: the converter marks the nodes it has visited.
      const ast = parse(file.code, { ecmaVersion: 'latest', sourceType: 'module' });
      coverage.merge(await convert({ code: file.code, sourceMap: file.map, ast, coverage: script }));
    }
  }
  console.log(`coverage of ${String(files.length)} child processes added`);
  return coverage;
}

function readBuilt(url: string): BuiltFile {
  const path = fileURLToPath(url);
  const map = JSON.parse(readFileSync(`${path}.map`, 'utf8')) as BuiltFile['map'];
  // tsc writes sources relative to the map; absolute file URLs name the src/ files as vitest does.
  return {
    code: readFileSync(path, 'utf8'),
    map: { ...map, sources: map.sources.map((s) => new URL(s, url).href) },
  };
}

/** Prints the totals and the per-folder table; writes the merged JSON reports. */
function report(coverage: CoverageMap): void {
  const context = libReport.createContext({ dir: REPORTS_DIR, coverageMap: coverage });
  for (const name of ['json', 'json-summary', 'text-summary'] as const) reports.create(name).execute(context);
  const table = folderTable(coverage);
  writeFileSync(join(REPORTS_DIR, 'coverage-folders.md'), `${table}\n`);
  console.log(`\n${table}`);
}

/** A Markdown table of lines and statements covered per folder of src/ (src/cli, src/proxy …). */
function folderTable(coverage: CoverageMap): string {
  const folders = new Map<string, CoverageSummary>();
  for (const file of coverage.files()) {
    const folder = relative(ROOT, file).split('/').slice(0, 2).join('/');
    const name = folder.endsWith('.ts') ? 'src' : folder;
    const summary = folders.get(name) ?? libCoverage.createCoverageSummary();
    folders.set(name, summary.merge(coverage.fileCoverageFor(file).toSummary()));
  }
  const rows = [...folders].sort(([a], [b]) => a.localeCompare(b));
  rows.push(['all', coverage.getCoverageSummary()]);
  const cell = ({ pct, covered, total }: { pct: number; covered: number; total: number }) =>
    `${pct.toFixed(1)} % (${String(covered)}/${String(total)})`;
  return [
    '| folder | lines | statements |',
    '| --- | ---: | ---: |',
    ...rows.map(([name, summary]) => `| ${name} | ${cell(summary.lines)} | ${cell(summary.statements)} |`),
  ].join('\n');
}

process.exitCode = await main();
