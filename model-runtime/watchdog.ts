// Decides when a worker has stopped answering. Pure bookkeeping with an injected clock, so its rules are
// unit-tested without timers; worker-connection.ts feeds it the requests and answers and kills the worker
// when check() names a reason.
//
// Two signals. A heartbeat (the worker answers 'memory' synchronously from its message handler): unanswered,
// the worker's event loop is stuck (an endless loop, a model run that never returns). And a deadline per
// request: a request that gets no answer and no progress for too long is hung even when the event loop
// turns (a promise that never settles). Model runs and session creation block the worker's event loop, so
// the limits are generous, and while a load is open every limit is at least the load's.

/** 'start': the worker process before it says hello. */
export type RequestKind = 'start' | 'load' | 'generate' | 'score' | 'detail' | 'xray' | 'resample' | 'tokenize' | 'memory' | 'anatomy';

export interface WatchdogOptions {
  /** How often the worker is asked for a heartbeat, in ms (default 5000; 0 turns the watchdog off). */
  heartbeatMs?: number;
  /** A heartbeat unanswered this long means the worker is stuck (default 90 s). */
  unresponsiveMs?: number;
  /** Per request kind, the longest wait with no answer and no progress (generate: no token; score: no progress). */
  deadlines?: Partial<Record<RequestKind, number>>;
}

export const DEFAULT_HEARTBEAT_MS = 5_000;
export const DEFAULT_UNRESPONSIVE_MS = 90_000;
export const DEFAULT_DEADLINES: Readonly<Record<RequestKind, number>> = {
  // Node and onnxruntime's native library loading, on a busy machine.
  start: 120_000,
  // Loading a multi-GB model from a slow disk, with a GPU provider probe.
  load: 600_000,
  // A long prefill of a large model on the CPU sends no token for a while.
  generate: 300_000,
  score: 300_000,
  // One model run over a generation's tokens.
  detail: 300_000,
  // Opening the X-ray's own session, then one run.
  xray: 300_000,
  // Answered at once by the worker's message handler, unless a model run holds its event loop.
  resample: 90_000,
  tokenize: 90_000,
  memory: 90_000,
  anatomy: 90_000,
};

/** Kinds the worker queues and runs one at a time: progress of any of them shows the queue moves. */
const QUEUED: ReadonlySet<RequestKind> = new Set(['load', 'generate', 'score', 'detail', 'xray']);

export interface Verdict {
  /** How long the worker has been silent on what it was asked. */
  silentMs: number;
  /** What it did not answer (for the log and the error message). */
  what: string;
}

export class Watchdog {
  readonly heartbeatMs: number;
  private readonly unresponsiveMs: number;
  private readonly deadlines: Record<RequestKind, number>;
  private readonly open = new Map<number, { kind: RequestKind; since: number }>();
  private heartbeatSince: number | undefined;
  /** When a queued request last made progress (token, progress, answer). */
  private queueMoved = 0;
  private lastCheck: number;

  constructor(
    opts: WatchdogOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.heartbeatMs = opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.unresponsiveMs = opts.unresponsiveMs ?? DEFAULT_UNRESPONSIVE_MS;
    this.deadlines = { ...DEFAULT_DEADLINES, ...opts.deadlines };
    this.lastCheck = now();
  }

  get enabled(): boolean {
    return this.heartbeatMs > 0;
  }

  /** A request was sent (or, kind 'start', the worker process was started). */
  started(id: number, kind: RequestKind): void {
    this.open.set(id, { kind, since: this.now() });
  }

  /** A token or progress event of request `id`. */
  progressed(id: number): void {
    const r = this.open.get(id);
    if (!r) return;
    r.since = this.now();
    if (QUEUED.has(r.kind)) this.queueMoved = r.since;
  }

  /** Request `id` was answered (result or error), or abandoned. */
  finished(id: number): void {
    this.progressed(id);
    this.open.delete(id);
  }

  /** True when a heartbeat should be sent now (none is waiting for its answer). */
  heartbeatDue(): boolean {
    return this.heartbeatSince === undefined;
  }

  heartbeatSent(): void {
    this.heartbeatSince = this.now();
  }

  heartbeatAnswered(): void {
    this.heartbeatSince = undefined;
  }

  /** Called every heartbeatMs: why the worker counts as stuck, or undefined while it is fine. */
  check(): Verdict | undefined {
    const now = this.now();
    // A check far later than scheduled means this process was paused (a suspended laptop, a debugger):
    // the worker could not have answered either, so the clocks start again.
    if (now - this.lastCheck > 3 * this.heartbeatMs + 1000) this.restartClocks(now);
    this.lastCheck = now;
    const loading = [...this.open.values()].some((r) => r.kind === 'load');
    const limit = (ms: number) => (loading ? Math.max(ms, this.deadlines.load) : ms);
    // Requests first: their verdict names what hung (a heartbeat is always sent after the request it waits behind).
    for (const r of this.open.values()) {
      // A queued request waits behind the one running: it counts as moving while the queue does.
      const since = QUEUED.has(r.kind) ? Math.max(r.since, this.queueMoved) : r.since;
      if (now - since > limit(this.deadlines[r.kind])) return { silentMs: now - since, what: describe(r.kind) };
    }
    if (this.heartbeatSince !== undefined && now - this.heartbeatSince > limit(this.unresponsiveMs))
      return { silentMs: now - this.heartbeatSince, what: 'no heartbeat' };
    return undefined;
  }

  private restartClocks(now: number): void {
    for (const r of this.open.values()) r.since = now;
    if (this.heartbeatSince !== undefined) this.heartbeatSince = now;
    this.queueMoved = now;
  }
}

function describe(kind: RequestKind): string {
  switch (kind) {
    case 'generate':
      return 'a generation got no new token';
    case 'score':
      return 'scoring made no progress';
    case 'load':
      return 'loading the model did not finish';
    case 'start':
      return 'the worker did not start';
    default:
      return `no answer to ${kind}`;
  }
}

/** "12 s", or "0.3 s" under ten seconds. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
