/**
 * Engine workers kept warm between runs. None starts until the first run asks (activation stays light); a
 * finished run's workers wait idle for the next one, and a cancelled run's are terminated, not returned, since
 * stopping a thread mid-check is the only way to stop it within milliseconds.
 */
import type * as vscode from 'vscode';
import { EngineWorker } from './client';

export class WorkerPool implements vscode.Disposable {
  private readonly idle: EngineWorker[] = [];
  private readonly live = new Set<EngineWorker>();

  constructor(
    private readonly start: () => EngineWorker,
    /** Idle workers kept at most: one per thread a run uses. */
    private readonly keep: number,
  ) {}

  /** Workers alive now, idle or busy (tests read it after a cancel). */
  get size(): number {
    return this.live.size;
  }

  /** An idle worker, or a new one. */
  acquire(): EngineWorker {
    let w = this.idle.pop();
    while (w && !w.alive) {
      this.live.delete(w);
      w = this.idle.pop();
    }
    if (w) return w;
    w = this.start();
    this.live.add(w);
    return w;
  }

  /** Back to the idle ones, if it is alive and there is room. */
  release(w: EngineWorker): void {
    if (!w.alive) {
      this.live.delete(w);
      return;
    }
    if (w.busy || this.idle.includes(w)) return;
    if (this.idle.length < this.keep) this.idle.push(w);
    else this.discard(w);
  }

  /** Terminates a worker, mid-request or not. */
  discard(w: EngineWorker): void {
    w.terminate();
    this.live.delete(w);
    const i = this.idle.indexOf(w);
    if (i >= 0) this.idle.splice(i, 1);
  }

  dispose(): void {
    for (const w of this.live) w.terminate();
    this.live.clear();
    this.idle.length = 0;
  }
}
