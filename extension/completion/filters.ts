// Post-processing of raw model output into ghost text: small pure filters, each with golden tests
// (test/unit/extension/completion/filters.test.ts). A filter returns the text to keep; '' means "show nothing".
import type { LineMode } from '../config';

export interface FilterContext {
  /** Text of the cursor's line before the cursor. */
  linePrefix: string;
  /** Text of the cursor's line after the cursor. */
  lineSuffix: string;
  /** The lines below the cursor's line (the nearest first; a few are enough). */
  linesBelow: string[];
  lineMode: LineMode;
  maxLines: number;
}

const indentOf = (line: string) => line.length - line.trimStart().length;
const isBlank = (line: string) => line.trim() === '';

/**
 * Whether this position gets a multi-line completion. 'auto' follows what Copilot users expect: several
 * lines only at the end of a line that is empty or opens a block; in the middle of a line, one line.
 */
export function allowsMultiLine(ctx: Pick<FilterContext, 'linePrefix' | 'lineSuffix' | 'lineMode'>): boolean {
  if (ctx.lineMode !== 'auto') return ctx.lineMode === 'multiLine';
  if (ctx.lineSuffix.trim() !== '' && !/^[\s)\]}'"`;,]*$/.test(ctx.lineSuffix)) return false;
  const before = ctx.linePrefix.trimEnd();
  return before === '' || /[{([:]$|=>$/.test(before);
}

/** Cuts at the first line break when only one line is allowed. */
export function limitToOneLine(text: string, multi: boolean, linePrefix = ''): string {
  if (multi) return text;
  const nl = text.indexOf('\n');
  // After code on the line, a completion that starts by breaking the line offers nothing for this line.
  if (nl === 0 && linePrefix.trim() !== '') return '';
  // On a blank line, a completion that starts with a newline completes the next line.
  if (nl === 0) {
    const next = text.indexOf('\n', 1);
    return next < 0 ? text : text.slice(0, next);
  }
  return nl < 0 ? text : text.slice(0, nl);
}

/** Stops before the first blank line after some content: a blank line ends a thought in code. */
export function stopAtBlankLine(text: string): string {
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    if (isBlank(lines[i]) && lines.slice(0, i).some((l) => !isBlank(l))) return lines.slice(0, i).join('\n');
  }
  return text;
}

/**
 * Stops at the end of the block the cursor is in. A later line indented less than the cursor's line
 * belongs to the code around it: stop before it. A closing bracket at the cursor's indentation that the
 * completion did not open closes the cursor's block: keep it and stop after it (dropRepeatedSuffix
 * removes it again when the code below already has it).
 */
export function stopAtBlockEnd(text: string, linePrefix: string): string {
  const lines = text.split('\n');
  const base = indentOf(linePrefix + lines[0]);
  // When the line before the cursor opens a block, its body ends where the indentation comes back (Python too).
  const opensBlock = lines[0].trim() === '' && /([{([:]|=>)\s*$/.test(linePrefix);
  let seenDeeper = false;
  let depth = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (i > 0 && !isBlank(line)) {
      const indent = indentOf(line);
      if (indent < base) return lines.slice(0, i).join('\n');
      if (indent === base && depth <= 0 && /^\s*[)\]}]/.test(line)) return lines.slice(0, i + 1).join('\n');
      if (indent === base && opensBlock && seenDeeper) return lines.slice(0, i).join('\n');
      if (indent > base) seenDeeper = true;
    }
    for (const ch of line) {
      if (ch === '{' || ch === '(' || ch === '[') depth++;
      else if (ch === '}' || ch === ')' || ch === ']') depth--;
    }
  }
  return text;
}

/**
 * Small models loop ("Pond Pond Pond ..."): where a piece of text repeats itself four times or more in a
 * row, keep the first copy and cut the rest of the completion there.
 */
export function cutRepetition(text: string): string {
  // Only pieces with a word character: runs of '=' or spaces are rulers and indentation.
  const m = /([\s\S]{0,23}?\w[\s\S]{0,23}?)\1{3,}/.exec(text);
  if (!m) return text;
  return text.slice(0, m.index + m[1].length);
}

/** Keeps at most `maxLines` lines. */
export function limitLines(text: string, maxLines: number): string {
  const lines = text.split('\n');
  return lines.length <= maxLines ? text : lines.slice(0, maxLines).join('\n');
}

/**
 * Drops the completion's trailing lines that only repeat the lines already below the cursor (models
 * often re-emit the code that follows the hole). If nothing new is left, the completion is dropped.
 */
export function dropRepeatedSuffix(text: string, linesBelow: string[]): string {
  const below = linesBelow.filter((l) => !isBlank(l)).map((l) => l.trimEnd());
  if (below.length === 0) return text;
  const lines = text.split('\n');
  // Find the first completion line (after the first) that starts repeating the code below.
  for (let i = 1; i < lines.length; i++) {
    const rest = lines
      .slice(i)
      .filter((l) => !isBlank(l))
      .map((l) => l.trimEnd());
    if (rest.length === 0) break;
    const n = Math.min(rest.length, below.length);
    if (rest.slice(0, n).every((l, k) => l === below[k])) {
      return lines.slice(0, i).join('\n');
    }
  }
  const first = text.trim();
  if (first !== '' && !text.includes('\n') && first === below[0].trim()) return '';
  return text;
}

/**
 * On a line with text after the cursor (say an auto-closed ')'), drops that text from the end of a
 * one-line completion, so accepting it does not leave the closer twice.
 */
export function dropLineSuffixOverlap(text: string, lineSuffix: string): string {
  const tail = lineSuffix.trim();
  if (tail === '' || text.includes('\n')) return text;
  const t = text.trimEnd();
  return t.endsWith(tail) ? t.slice(0, t.length - tail.length) : text;
}

/** Trailing whitespace never helps; a completion that is only whitespace is none. */
export function trimCompletion(text: string): string {
  const lines = text.split('\n').map((l) => l.replace(/\s+$/, ''));
  while (lines.length > 1 && isBlank(lines[lines.length - 1])) lines.pop();
  const out = lines.join('\n');
  return out.trim() === '' ? '' : out;
}

/** One step of the pipeline: its name (for "Why No Completion?"), what emptying a completion means, the filter. */
interface Step {
  name: string;
  why: string;
  multiOnly?: boolean;
  run(text: string, ctx: FilterContext, multi: boolean): string;
}

const PIPELINE: readonly Step[] = [
  { name: 'cutRepetition', why: 'it was a loop repeating itself', run: (t) => cutRepetition(t) },
  {
    name: 'limitToOneLine',
    why: 'it began on a new line where one line is allowed',
    run: (t, ctx, multi) => limitToOneLine(t, multi, ctx.linePrefix),
  },
  { name: 'stopAtBlankLine', why: 'it began with a blank line', multiOnly: true, run: (t) => stopAtBlankLine(t) },
  {
    name: 'stopAtBlockEnd',
    why: "it began outside the cursor's block",
    multiOnly: true,
    run: (t, ctx) => stopAtBlockEnd(t, ctx.linePrefix),
  },
  { name: 'limitLines', why: 'too many lines', multiOnly: true, run: (t, ctx) => limitLines(t, ctx.maxLines) },
  {
    name: 'dropRepeatedSuffix',
    why: 'it only repeated the code below the cursor',
    run: (t, ctx) => dropRepeatedSuffix(t, ctx.linesBelow),
  },
  {
    name: 'dropLineSuffixOverlap',
    why: 'it only repeated the text after the cursor',
    run: (t, ctx) => dropLineSuffixOverlap(t, ctx.lineSuffix),
  },
  { name: 'trimCompletion', why: 'it was only whitespace', run: (t) => trimCompletion(t) },
];

export interface Processed {
  text: string;
  /** When a non-empty raw output came out empty: the filter that removed the rest, and why. */
  emptiedBy?: { name: string; why: string };
}

/** The whole pipeline, in order, saying which filter (if any) emptied the completion. */
export function postProcessTraced(raw: string, ctx: FilterContext): Processed {
  const multi = allowsMultiLine(ctx);
  let t = raw.replace(/\r\n/g, '\n');
  for (const step of PIPELINE) {
    if (step.multiOnly && !multi) continue;
    const before = t;
    t = step.run(t, ctx, multi);
    if (before.trim() !== '' && t.trim() === '') return { text: '', emptiedBy: { name: step.name, why: step.why } };
  }
  return { text: t };
}

export function postProcess(raw: string, ctx: FilterContext): string {
  return postProcessTraced(raw, ctx).text;
}
