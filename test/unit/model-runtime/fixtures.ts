// Where the fixture models live, and their stored reference logits (written at export time).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const FIXTURES = resolve('test/fixtures/models');

export interface Reference {
  input_ids: number[];
  steps: { feed: number[]; check_ids: number[]; check_logits: number[]; argmax: number }[];
  atol: number;
  /** The file under onnx/ the reference is for (model.onnx unless the fixture is in another form). */
  onnx_file?: string;
}

export function fixtureNames(): string[] {
  if (!existsSync(FIXTURES)) return [];
  return readdirSync(FIXTURES)
    .filter((n) => existsSync(join(FIXTURES, n, 'reference.json')))
    .sort();
}

export function reference(name: string): Reference {
  return JSON.parse(readFileSync(join(FIXTURES, name, 'reference.json'), 'utf8'));
}
