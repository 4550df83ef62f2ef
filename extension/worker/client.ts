/**
 * One engine worker seen from the extension host: requests as promises, progress as callbacks, answers
 * validated on receipt. Terminating it rejects whatever it still owed with `Terminated`.
 */
import type {
  ChainPart,
  DeltaMap,
  GradcheckProgress,
  LayerMeta,
  PartialCheck,
  Shard,
  TensorVerdict,
} from '../../engine/run';
import type { WorkerHost } from './host';
import { type EngineOptions, type FromWorker, isFromWorker } from './protocol';

/** What a worker answers for a shard. */
export interface Checked {
  readonly part: PartialCheck;
  readonly layers: readonly LayerMeta[];
  readonly batch: number;
  readonly seed: number;
}

/** What a worker says a check will cost before it starts, with what a result needs of the model. */
export interface Estimated {
  /** Evaluations of the whole check. */
  readonly evaluations: number;
  /** About how long on one thread. */
  readonly ms: number;
  readonly layers: readonly LayerMeta[];
  readonly batch: number;
  readonly seed: number;
  readonly loss: number;
}

/** The worker refused the request: the network's errors, its memory, a NaN, or a bug. */
export class WorkerFailure extends Error {
  constructor(
    message: string,
    readonly diagnostics: readonly string[],
    readonly layer?: string,
  ) {
    super(message);
  }
}

/** The worker was terminated (cancel, a superseding run) or died before answering. */
export class Terminated extends Error {}

interface Pending {
  readonly resolve: (answer: FromWorker) => void;
  readonly reject: (error: Error) => void;
  readonly onProgress?: (p: GradcheckProgress) => void;
  readonly onVerdict?: (v: TensorVerdict) => void;
  readonly onChain?: (c: ChainPart) => void;
}

export class EngineWorker {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private dead: Error | undefined;

  constructor(private readonly host: WorkerHost) {
    host.onMessage((data) => this.receive(data));
    host.onError((error) => this.fail(error));
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  get busy(): boolean {
    return this.pending.size > 0;
  }

  async estimate(text: string, options: EngineOptions): Promise<Estimated> {
    const answer = await this.request((id) => ({ type: 'estimate', id, text, options }));
    if (answer.type !== 'estimated') throw new Error(`the engine worker answered an estimate with ${answer.type}`);
    const { type: _, id: __, ...estimated } = answer;
    return estimated;
  }

  async check(
    text: string,
    options: EngineOptions,
    shard: Shard,
    onProgress?: (p: GradcheckProgress) => void,
    onVerdict?: (v: TensorVerdict) => void,
    onChain?: (c: ChainPart) => void,
  ): Promise<Checked> {
    const answer = await this.request((id) => ({ type: 'check', id, text, options, shard }), {
      ...(onProgress && { onProgress }),
      ...(onVerdict && { onVerdict }),
      ...(onChain && { onChain }),
    });
    if (answer.type !== 'checked') throw new Error(`the engine worker answered a check with ${answer.type}`);
    return { part: answer.part, layers: answer.layers, batch: answer.batch, seed: answer.seed };
  }

  async deltaMap(
    text: string,
    options: EngineOptions,
    layer: string,
    sample: number,
    channel: number,
  ): Promise<DeltaMap> {
    const answer = await this.request((id) => ({ type: 'deltaMap', id, text, options, layer, sample, channel }));
    if (answer.type !== 'deltaMap') throw new Error(`the engine worker answered a δ map with ${answer.type}`);
    return answer.map;
  }

  /** Stops the thread at once and rejects what is pending. */
  terminate(): void {
    if (this.dead) return;
    this.host.terminate();
    this.fail(new Terminated('terminated'));
  }

  private request(
    make: (id: number) => Parameters<WorkerHost['post']>[0],
    listeners: Pick<Pending, 'onProgress' | 'onVerdict' | 'onChain'> = {},
  ): Promise<FromWorker> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ...listeners });
      this.host.post(make(id));
    });
  }

  private receive(data: unknown): void {
    if (!isFromWorker(data)) {
      console.error('cnn-lens: ignored a malformed message from the engine worker', data);
      return;
    }
    const p = this.pending.get(data.id);
    if (!p) return;
    switch (data.type) {
      case 'progress':
        p.onProgress?.(data.progress);
        return;
      case 'verdict':
        p.onVerdict?.(data.verdict);
        return;
      case 'chain':
        p.onChain?.(data.chain);
        return;
      case 'failed':
        this.pending.delete(data.id);
        p.reject(new WorkerFailure(data.message, data.diagnostics, data.layer));
        return;
      case 'estimated':
      case 'checked':
      case 'deltaMap':
        this.pending.delete(data.id);
        p.resolve(data);
        return;
    }
  }

  private fail(error: Error): void {
    this.dead ??= error;
    const reason = error instanceof Terminated ? error : new Terminated(error.message);
    for (const p of this.pending.values()) p.reject(reason);
    this.pending.clear();
  }
}
