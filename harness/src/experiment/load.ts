/**
 * Reads an experiment file (YAML, or JSON, which YAML 1.2 parses too) and validates it against the
 * experiment schema. Every problem names the file and line, so a person fixes it without guessing
 * which `start` was meant.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { HarnessError } from '../toxiproxy/errors.ts';
import type { Experiment } from './Experiment.ts';
import { readExperiment, SchemaError } from './schema.ts';

/** The museum matrix: what `landed-chaos run` runs without `--experiment`. */
export const MUSEUM = resolve(import.meta.dirname, '../../experiments/museum.yaml');

let museum: Experiment | undefined;
/** The museum matrix, read once. */
export function loadMuseum(): Experiment {
  museum ??= loadExperiment(MUSEUM);
  return museum;
}

export function loadExperiment(file: string): Experiment {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new HarnessError('BAD_EXPERIMENT', `Cannot read the experiment file ${file}.`, { cause });
  }
  const experiment = parseExperiment(text, file);
  const { verify } = experiment;
  // A relative SQLite path means the same file wherever the harness is started from.
  if (verify.kind === 'sql' && 'sqlite' in verify.database)
    verify.database = { sqlite: resolve(dirname(file), verify.database.sqlite) };
  return experiment;
}

/** Parses and validates the text of an experiment; `file` names it in errors. */
export function parseExperiment(text: string, file: string): Experiment {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const line = lines.linePos(syntax.pos[0]).line;
    throw new HarnessError('BAD_EXPERIMENT', `${file}:${line}: ${syntax.message.split('\n')[0]}`);
  }
  try {
    return readExperiment(doc.toJS() as unknown, basename(file).replace(/\.(ya?ml|json)$/i, ''));
  } catch (error) {
    if (!(error instanceof SchemaError)) throw error;
    // The deepest node that exists on the path: a missing field is reported where its parent is.
    let line = 1;
    for (let depth = error.path.length; depth >= 0; depth--) {
      const node = depth === 0 ? doc.contents : doc.getIn(error.path.slice(0, depth), true);
      if (isNode(node) && node.range) {
        line = lines.linePos(node.range[0]).line;
        break;
      }
    }
    const where = error.path.length ? `${formatPath(error.path)}: ` : '';
    throw new HarnessError('BAD_EXPERIMENT', `${file}:${line}: ${where}${error.message}`);
  }
}

function formatPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
