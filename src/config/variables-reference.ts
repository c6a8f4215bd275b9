import { CONFIG_SECTIONS, VARIABLES, writtenDefault } from './variables.js';
import type { VariableSpec } from './variables.js';

// The README's prose width (Prettier keeps prose as written).
const PROSE_WIDTH = 110;

/**
 * The README's variable reference, from the declarations: one table per section (unformatted Markdown; the
 * docs script and its test run Prettier over it).
 */
export function renderVariablesReference(): string {
  return CONFIG_SECTIONS.map(({ name, intro }) => {
    const rows = VARIABLES.filter((variable) => variable.section === name).map(
      (variable) =>
        `| \`${variable.name}\` | ${cell(defaultCell(variable))} | ${cell(variable.description)}${variable.secret === true ? ' Secret.' : ''} |`,
    );
    return [
      `### ${name}`,
      '',
      wrap(intro, PROSE_WIDTH),
      '',
      '| variable | default | meaning |',
      '| --- | --- | --- |',
      ...rows,
    ].join('\n');
  }).join('\n\n');
}

function defaultCell(variable: VariableSpec): string {
  const text = writtenDefault(variable);
  if (text === undefined) return '—';
  return text === '' ? '(empty)' : `\`${text}\``;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.join('\n');
}
