// Roving tabindex: a list (or a list of rows with a few buttons each) is one Tab stop; the arrow keys move
// inside it, Home/End jump to the ends. The views rebuild their lists on every update, so the caller
// says which item holds the Tab stop each time it builds one.

/**
 * Makes `rows` (each a row of focusable cells, left to right) one Tab stop held by `active` (or the first
 * cell), with Up/Down between rows (keeping the column where it can), Left/Right within a row.
 */
export function rovingGrid(container: HTMLElement, rows: HTMLElement[][], active?: HTMLElement): void {
  const cells = rows.flat();
  if (!cells.length) return;
  const holder = active && cells.includes(active) ? active : cells[0];
  for (const c of cells) c.tabIndex = c === holder ? 0 : -1;
  container.addEventListener('keydown', (e) => {
    const from = e.target as HTMLElement;
    const r = rows.findIndex((row) => row.includes(from));
    if (r < 0) return;
    const col = rows[r].indexOf(from);
    const to = target(rows, r, col, e.key);
    if (!to) return;
    e.preventDefault();
    for (const c of cells) c.tabIndex = c === to ? 0 : -1;
    to.focus();
    to.scrollIntoView({ block: 'nearest' });
  });
}

function target(rows: HTMLElement[][], r: number, col: number, key: string): HTMLElement | undefined {
  const at = (row: number) => rows[row][Math.min(col, rows[row].length - 1)];
  switch (key) {
    case 'ArrowDown':
      return r + 1 < rows.length ? at(r + 1) : undefined;
    case 'ArrowUp':
      return r > 0 ? at(r - 1) : undefined;
    case 'ArrowRight':
      return rows[r][col + 1];
    case 'ArrowLeft':
      return col > 0 ? rows[r][col - 1] : undefined;
    case 'Home':
      return rows[0][0];
    case 'End':
      return rows[rows.length - 1][0];
    default:
      return undefined;
  }
}

/** A one-column list: each item its own row. */
export function rovingList(container: HTMLElement, items: HTMLElement[], active?: HTMLElement): void {
  rovingGrid(
    container,
    items.map((i) => [i]),
    active,
  );
}
