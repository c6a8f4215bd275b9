import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

import ts from 'typescript';

/**
 * Compiles the benchmark's own TypeScript (`benchmarks/**`) to plain JavaScript in `<into>/benchmarks`, with a
 * link to node_modules, and returns that folder. The fake upstream and the minimal proxy run from there, as
 * llm-proxy runs from compiled JavaScript: under the tsx loader every function would carry esbuild's naming
 * helper and the process a loader thread, handicapping the baseline.
 */
export function compileBenchmarkHelpers(repoRoot: string, into: string): string {
  const source = join(repoRoot, 'benchmarks');
  const target = join(into, 'benchmarks');
  for (const file of typeScriptFiles(source)) {
    const output = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: {
        target: ts.ScriptTarget.ES2023,
        module: ts.ModuleKind.ESNext,
        verbatimModuleSyntax: true,
      },
    });
    const destination = join(target, relative(source, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(destination), { recursive: true });
    writeFileSync(destination, output.outputText);
  }
  writeFileSync(join(into, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  symlinkSync(join(repoRoot, 'node_modules'), join(into, 'node_modules'), 'dir');
  return target;
}

function typeScriptFiles(directory: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'results') files.push(...typeScriptFiles(path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      files.push(path);
    }
  }
  return files;
}
