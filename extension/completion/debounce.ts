// Waits before a completion request so that a burst of keystrokes makes one model run, not one per key.
// Pure: takes any token with vscode.CancellationToken's shape.

export interface CancelToken {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): { dispose(): void };
}

/** Resolves true after `ms`, or false as soon as `token` is cancelled (no timer left behind). */
export function debounce(ms: number, token: CancelToken): Promise<boolean> {
  if (token.isCancellationRequested) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const sub = token.onCancellationRequested(() => {
      clearTimeout(timer);
      sub.dispose();
      resolve(false);
    });
    const timer = setTimeout(() => {
      sub.dispose();
      resolve(!token.isCancellationRequested);
    }, ms);
  });
}

/** A token source for code and tests outside vscode. */
export class CancelSource {
  private listeners = new Set<() => void>();
  private cancelled = false;
  readonly token: CancelToken;
  constructor() {
    const source = this;
    this.token = {
      get isCancellationRequested() {
        return source.cancelled;
      },
      onCancellationRequested(listener) {
        if (source.cancelled) {
          queueMicrotask(listener);
          return { dispose() {} };
        }
        source.listeners.add(listener);
        return { dispose: () => void source.listeners.delete(listener) };
      },
    };
  }
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    for (const l of [...this.listeners]) l();
    this.listeners.clear();
  }
}
