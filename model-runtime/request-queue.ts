// Which request runs next in the worker: interactive (inline completion) before normal (chat, inspector)
// before background (heatmap); first come, first served within a priority.
import type { Priority } from './protocol';

const RANK: Record<Priority, number> = { interactive: 0, normal: 1, background: 2 };

export class RequestQueue<T extends { id: number }> {
  private items: { item: T; rank: number; seq: number }[] = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  push(item: T, priority: Priority = 'normal'): void {
    this.items.push({ item, rank: RANK[priority] ?? 1, seq: this.seq++ });
  }

  /** The next request to run, or undefined when empty. */
  shift(): T | undefined {
    if (this.items.length === 0) return undefined;
    let best = 0;
    for (let i = 1; i < this.items.length; i++) {
      const a = this.items[i];
      const b = this.items[best];
      if (a.rank < b.rank || (a.rank === b.rank && a.seq < b.seq)) best = i;
    }
    return this.items.splice(best, 1)[0].item;
  }

  has(id: number): boolean {
    return this.items.some((x) => x.item.id === id);
  }

  /** Removes a queued request (cancelled before it started); returns it when it was queued. */
  remove(id: number): T | undefined {
    const i = this.items.findIndex((x) => x.item.id === id);
    return i >= 0 ? this.items.splice(i, 1)[0].item : undefined;
  }

  /** True when something queued outranks `priority` (a long background job can yield to it). */
  hasHigherThan(priority: Priority): boolean {
    const r = RANK[priority] ?? 1;
    return this.items.some((x) => x.rank < r);
  }

  drain(): T[] {
    const all = this.items.sort((a, b) => a.rank - b.rank || a.seq - b.seq).map((x) => x.item);
    this.items = [];
    return all;
  }
}
