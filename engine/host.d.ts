/**
 * The little the engine uses of its host, which Node, browsers and workers all provide: declared here for
 * engine/tsconfig.json, which has no DOM, WebWorker or Node types, so that anything else a change reaches for is a
 * compile error rather than a crash in one of the hosts. (The root tsconfig excludes this file: it has the real ones.)
 */

/** A gradient check's cancellation: read between evaluations. */
interface AbortSignal {
  readonly aborted: boolean;
  throwIfAborted(): void;
}

/** To yield the thread during a long check, so an abort can arrive. */
declare function setTimeout(handler: (...args: unknown[]) => void, ms?: number): unknown;

/** Timing of checks; Date.now() where a host has no `performance`. */
declare const performance: { now(): number };
