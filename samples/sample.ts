// A small file to complete in.
export interface Point {
  x: number;
  y: number;
}

export function distance(a: Point, b: Point): number {
  const dx = a.x - b.x;
  const dy = a.y - b.y;
  return Math.sqrt(dx * dx + dy * dy);
}

export function add(a: number, b: number): number {
  return a + b;
}

export function main(): void {
  const p = { x: 1, y: 2 };
  console.log(distance(p, { x: 4, y: 6 }));
}
