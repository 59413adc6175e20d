// The worker process driven over raw IPC, with no client-side checks: tests send it anything (malformed,
// mutated, unknown messages) and count what comes back per id. WorkerConnection would refuse to send most of it.
import { type ChildProcess, fork } from 'node:child_process';
import { resolve } from 'node:path';
import type { WorkerToHost } from '../../../model-runtime/protocol';

/** Answers that end a request (token and progress events do not). */
const FINAL = new Set(['loaded', 'done', 'resampled', 'tokens', 'scored', 'memory', 'error']);

export function isFinal(m: WorkerToHost): boolean {
  return FINAL.has(m.type);
}

export class RawWorker {
  readonly child: ChildProcess;
  /** Final answers received, per request id (a correct worker sends exactly one). */
  readonly finals = new Map<number, WorkerToHost[]>();
  readonly logs: string[] = [];
  /** Set once the process has exited: its exit code, or the signal that ended it. */
  exit: string | undefined;
  private nextId = 1;
  private readonly waiters = new Map<number, { resolve: (m: WorkerToHost) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Set<(m: WorkerToHost) => void>();
  readonly exited: Promise<string>;

  constructor(workerPath = resolve('dist/worker.js')) {
    this.child = fork(workerPath, [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'], serialization: 'json' });
    this.child.on('message', (m) => this.receive(m as WorkerToHost));
    this.exited = new Promise((res) =>
      this.child.once('exit', (code, signal) => {
        this.exit = signal ?? `exit code ${code}`;
        for (const w of this.waiters.values()) w.reject(new Error(`the worker exited (${this.exit})`));
        this.waiters.clear();
        res(this.exit);
      }),
    );
  }

  /** A fresh request id. */
  id(): number {
    return this.nextId++;
  }

  /** Sends anything at all. */
  send(msg: unknown): void {
    if (this.child.connected) this.child.send(msg as object);
  }

  /** Sends a request under a fresh id (or its own) and resolves with its final answer. */
  request(msg: Record<string, unknown>, id = this.id()): Promise<WorkerToHost> {
    const p = this.answer(id);
    this.send({ ...msg, id });
    return p;
  }

  /** The final answer to `id`, once it comes. */
  answer(id: number): Promise<WorkerToHost> {
    const got = this.finals.get(id);
    if (got?.length) return Promise.resolve(got[0]);
    if (this.exit) return Promise.reject(new Error(`the worker exited (${this.exit})`));
    return new Promise((resolve, reject) => this.waiters.set(id, { resolve, reject }));
  }

  /** Called with every message (token events included). */
  onMessage(listener: (m: WorkerToHost) => void): void {
    this.listeners.add(listener);
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }

  private receive(m: WorkerToHost): void {
    for (const l of this.listeners) l(m);
    if (m.type === 'log') this.logs.push(m.message);
    if (!isFinal(m) || !('id' in m)) return;
    const list = this.finals.get(m.id) ?? [];
    list.push(m);
    this.finals.set(m.id, list);
    const w = this.waiters.get(m.id);
    this.waiters.delete(m.id);
    w?.resolve(m);
  }
}
