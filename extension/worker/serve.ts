/**
 * The worker's side, the same in a Node worker thread and a Web Worker: answers each request with the engine
 * (check the text, build the model, check a shard of its tensors or one δ map). No `vscode` and no host API:
 * the two entries (main.node.ts, main.web.ts) only bind it to their port.
 */
import { check } from '../../engine';
import {
  basePasses,
  buildModel,
  checkTensors,
  deltaMap,
  estimateCheck,
  layerMeta,
  RunError,
  withFault,
} from '../../engine/run';
import type { GradcheckOptions } from '../../engine/run';
import { type EngineOptions, type FromWorker, isToWorker } from './protocol';

/** Returns the handler for the messages the worker receives; `post` sends an answer back. */
export function serve(post: (message: FromWorker) => void): (data: unknown) => Promise<void> {
  return async (data) => {
    if (!isToWorker(data)) {
      const id =
        typeof data === 'object' && data !== null && typeof (data as { id?: unknown }).id === 'number'
          ? (data as { id: number }).id
          : -1;
      post({ type: 'failed', id, message: 'the engine worker received a malformed request', diagnostics: [] });
      return;
    }
    const { id } = data;
    try {
      const analysis = check(data.text, { memoryLimit: data.options.memoryLimit });
      const model = buildModel(analysis, runOptions(data.options));
      const options = checkOptions(data.options);
      switch (data.type) {
        case 'estimate': {
          const base = basePasses(model);
          const { evaluations, ms } = estimateCheck(model, options, base.forwardMs);
          post({
            type: 'estimated',
            id,
            evaluations,
            ms,
            layers: layerMeta(model),
            batch: model.batch,
            seed: model.seed,
            loss: base.pass.loss,
          });
          return;
        }
        case 'check': {
          const part = await checkTensors(model, {
            ...options,
            shard: data.shard,
            onProgress: (progress) => post({ type: 'progress', id, progress }),
            onChecked: (verdict) => post({ type: 'verdict', id, verdict }),
            onChain: (chain) => post({ type: 'chain', id, chain }),
          });
          post({ type: 'checked', id, part, layers: layerMeta(model), batch: model.batch, seed: model.seed });
          return;
        }
        case 'deltaMap':
          post({ type: 'deltaMap', id, map: await deltaMap(model, data.layer, data.sample, data.channel, options) });
          return;
      }
    } catch (error) {
      if (error instanceof RunError) {
        post({
          type: 'failed',
          id,
          message: error.message,
          diagnostics: error.diagnostics.map(
            (d) => `${analysisLine(data.text, d.range.start)}: ${d.severity} ${d.code}: ${d.message}`,
          ),
          ...(error.layer !== undefined && { layer: error.layer }),
        });
      } else {
        post({ type: 'failed', id, message: error instanceof Error ? error.message : String(error), diagnostics: [] });
      }
    }
  };
}

function runOptions(o: EngineOptions) {
  return {
    memoryLimit: o.memoryLimit,
    ...(o.batch !== undefined && { batch: o.batch }),
    ...(o.seed !== undefined && { seed: o.seed }),
    ...(o.fault && { overrides: withFault(o.fault.layer, o.fault.name) }),
  };
}

function checkOptions(o: EngineOptions): GradcheckOptions {
  return { ...(o.mode && { mode: o.mode }), samples: o.samples, eps: o.eps, atol: o.atol, rtol: o.rtol };
}

/** `line:column`, 1-based, of an offset. */
function analysisLine(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split(/\r\n|\r|\n/).length;
  return `${line}:${offset - Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r'))}`;
}
