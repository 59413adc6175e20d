// Code models often answer with code and no ``` fences; markdown would fold it into paragraphs (newlines and
// indentation lost). This finds runs of code-looking lines outside fences and fences them. Pure: no DOM.

const STARTS =
  /^\s*(def|class|function|async|const|let|var|import|export|from|return|if|elif|else|for|while|try|except|catch|finally|switch|case|public|private|protected|static|fn|pub|use|package|func|struct|impl|#include|int|void|char|float|double|bool|auto|template|namespace|interface|type|enum)\b/;

/** Imports and includes are code on their own, punctuation or not. */
const IMPORT = /^\s*(import\s+[\w.*{]|from\s+[\w.]+\s+import\s|#include\s|using\s+[\w.]+;|package\s+[\w.]+$)/;

/** A line that starts a code run: an import, a keyword with code punctuation, a line ending in { or ;, or closing brackets. */
export function startsCode(line: string): boolean {
  if (IMPORT.test(line)) return true;
  if (STARTS.test(line) && /[(){}[\]=;:<>]/.test(line)) return true;
  if (/^\s*[}\])]+[;,)]*\s*$/.test(line)) return true;
  return /[{;]\s*$/.test(line) && !/^\s*([-*+]|\d+\.)\s/.test(line);
}

/** A whole line that is a call or an assignment: `print(add(1, 2))`, `total = add(a, b)`. */
const STATEMENT = /^\s*[\w.[\]]+\s*(\(.*\)|[-+*/]?=[^=].*)\s*;?\s*$/;

/** A line that continues a code run: code, indented, a comment, brackets, a call or an assignment. */
function continuesCode(line: string): boolean {
  return (
    startsCode(line) || /^(\s{2,}|\t)\S/.test(line) || /^\s*(\/\/|#|\/?\*)/.test(line) || /^\s*[{}[\]()]/.test(line) || STATEMENT.test(line)
  );
}

/** The end (exclusive) of a code run starting at `i`: continuation lines, and blank lines inside it. */
function runEnd(lines: string[], i: number): number {
  let end = i + 1;
  for (let j = i + 1; j < lines.length; j++) {
    if (!lines[j].trim()) continue;
    if (/^\s*(```|~~~)/.test(lines[j]) || !continuesCode(lines[j])) break;
    end = j + 1;
  }
  return end;
}

/** The text with bare code runs fenced; text inside existing fences is left alone. */
export function fenceBareCode(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let fence: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const marker = /^\s*(```|~~~)/.exec(line)?.[1];
    if (fence) {
      if (marker === fence) fence = undefined;
      out.push(line);
      continue;
    }
    if (marker) {
      fence = marker;
      out.push(line);
      continue;
    }
    if (!startsCode(line)) {
      out.push(line);
      continue;
    }
    const end = runEnd(lines, i);
    const run = lines.slice(i, end);
    // One line is code only when it opens or ends a statement; a lone keyword sentence stays prose.
    if (run.length > 1 || /[{;:]\s*$/.test(line)) {
      // The fence needs a blank line before it when it follows a paragraph line.
      if (out.length && out[out.length - 1].trim()) out.push('');
      out.push('```', ...run, '```');
      i = end - 1;
    } else out.push(line);
  }
  return out.join('\n');
}
