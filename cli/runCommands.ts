/** `cnn-lens run` and `cnn-lens gradcheck`: sample runs and numeric gradient checks from the terminal. */
import { writeFileSync } from 'node:fs';
import { type Analysis, formatShape, GRADCHECK_MODES } from '../engine';
import {
  aboutDuration,
  assembleFinished,
  basePasses,
  buildModel,
  type ChainPart,
  estimateCheck,
  type GradcheckMode,
  type GradcheckResult,
  gradcheckModel,
  layerMeta,
  RunError,
  type RunOptions,
  sampleRun,
  type TensorCheck,
  type TensorVerdict,
} from '../engine/run';
import { GRADCHECK_DEFAULTS } from '../engine';
import { UsageError } from './args';
import { jsonDiagnostic } from './checkReport';

type Flags = Record<string, string | number | boolean>;

export function runOptions(flags: Flags): RunOptions {
  const batch = flags.batch as number | undefined;
  if (batch !== undefined && batch < 1) throw new UsageError('--batch needs at least 1');
  return {
    ...(batch !== undefined && { batch }),
    ...(flags.seed !== undefined && { seed: flags.seed as number }),
    ...(flags['memory-limit'] !== undefined && { memoryLimit: flags['memory-limit'] as number }),
  };
}

/** A network that cannot run: its errors as `check` prints them, or why it stopped. Exit 1. */
export function reportRunError(e: unknown, a: Analysis, file: string, json: boolean): number {
  if (!(e instanceof RunError)) throw e;
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ passed: false, error: e.message, ...(e.layer && { layer: e.layer }), diagnostics: e.diagnostics.map((d) => jsonDiagnostic(a.lines, d)) })}\n`,
    );
  } else {
    for (const d of e.diagnostics) {
      const { line, column } = a.lines.position(d.range.start);
      process.stderr.write(`${file}:${line}:${column}: ${d.severity} ${d.code}: ${d.message}\n`);
    }
    process.stderr.write(`cnn-lens: ${e.message}\n`);
  }
  return 1;
}

export function runCommand(a: Analysis, file: string, flags: Flags): number {
  const out = flags.dump as string | undefined;
  if (!out) throw new UsageError('run needs --dump OUT.json');
  try {
    const dump = sampleRun(a, runOptions(flags));
    writeFileSync(out, JSON.stringify(dump));
    process.stdout.write(
      `${file}: batch ${dump.batch}, seed ${dump.seed}, input ${formatShape(dump.input.shape.slice(1))}, loss ${dump.loss}; wrote ${out}\n`,
    );
    return 0;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).syscall)
      throw new UsageError(`cannot write ${out}: ${(e as Error).message}`, false);
    return reportRunError(e, a, file, false);
  }
}

/** A check estimated to take this long or more says how long before it starts. */
export const LONG_CHECK_MS = 5_000;

export async function gradcheckCommand(a: Analysis, file: string, flags: Flags): Promise<number> {
  const mode = flags.mode as GradcheckMode | undefined;
  if (mode !== undefined && !GRADCHECK_MODES.includes(mode))
    throw new UsageError(
      `--mode is ${GRADCHECK_MODES.slice(0, -1).join(', ')} or ${GRADCHECK_MODES.at(-1)}, not '${mode}'`,
    );
  for (const f of ['eps', 'atol', 'rtol'] as const) {
    if (flags[f] !== undefined && !((flags[f] as number) > 0)) throw new UsageError(`--${f} needs a number above 0`);
  }
  if (flags.samples !== undefined && (flags.samples as number) < 1) throw new UsageError('--samples needs at least 1');
  const json = flags.json === true;
  const showProgress = !json && process.stderr.isTTY;
  let result: GradcheckResult;
  // Ctrl+C stops the check and prints what it finished: every verdict is kept as it arrives.
  const stop = new AbortController();
  const interrupt = () => stop.abort();
  process.once('SIGINT', interrupt);
  const verdicts: TensorVerdict[] = [];
  const chains: ChainPart[] = [];
  const started = performance.now();
  let done = 0;
  try {
    const model = buildModel(a, runOptions(flags));
    const samples = flags.samples as number | undefined;
    // On stderr, so --json's stdout stays one JSON object.
    const estimate = estimateCheck(model, { ...(mode && { mode }), ...(samples !== undefined && { samples }) });
    if (estimate.ms >= LONG_CHECK_MS) {
      process.stderr.write(
        `gradcheck: ${estimate.evaluations.toLocaleString('en-US')} evaluations, ${aboutDuration(estimate.ms)} (Ctrl+C stops it)\n`,
      );
    }
    const settings = {
      mode: mode ?? GRADCHECK_DEFAULTS.mode,
      eps: (flags.eps as number | undefined) ?? GRADCHECK_DEFAULTS.eps,
      atol: (flags.atol as number | undefined) ?? GRADCHECK_DEFAULTS.atol,
      rtol: (flags.rtol as number | undefined) ?? GRADCHECK_DEFAULTS.rtol,
    };
    result = await gradcheckModel(model, {
      signal: stop.signal,
      onChecked: (v) => verdicts.push(v),
      onChain: (c) => chains.push(c),
      ...(mode && { mode }),
      ...(samples !== undefined && { samples }),
      ...(flags.eps !== undefined && { eps: flags.eps as number }),
      ...(flags.atol !== undefined && { atol: flags.atol as number }),
      ...(flags.rtol !== undefined && { rtol: flags.rtol as number }),
      onProgress: (p) => {
        done = p.done;
        if (showProgress)
          process.stderr.write(
            `\rgradcheck: ${p.done}/${p.total} evaluations${p.layer ? ` (${p.layer} ${p.tensor})` : ''}\x1b[K`,
          );
      },
    }).catch((e: unknown) => {
      if (!stop.signal.aborted) throw e;
      const local = settings.mode === 'local' || settings.mode === 'local-full';
      return assembleFinished(
        layerMeta(model),
        verdicts,
        {
          ...settings,
          batch: model.batch,
          seed: model.seed,
          input: model.inputShape,
          ms: performance.now() - started,
          loss: basePasses(model).pass.loss, // the estimate's base pass, already run
          evaluations: done,
        },
        local ? chains : undefined,
      );
    });
  } catch (e) {
    return reportRunError(e, a, file, json);
  } finally {
    process.off('SIGINT', interrupt);
    if (showProgress) process.stderr.write('\r\x1b[K');
  }
  const cancelled = result.unreached !== undefined;
  process.stdout.write(
    json ? `${JSON.stringify(cancelled ? { cancelled, ...result } : result)}\n` : `${gradcheckText(result, file)}\n`,
  );
  // 130: stopped by SIGINT, as a shell reports it.
  return cancelled ? 130 : result.passed ? 0 : 1;
}

/** The largest relative error, or what stands in for it when no coordinate was counted. */
const rel = (c: TensorCheck) => {
  const inconclusive = c.kinks + c.curvature;
  if (c.checked > inconclusive + c.zeros) return c.maxRelError.toExponential(1);
  if (inconclusive === 0) return '0 by structure';
  return c.curvature === 0 ? 'kinks only' : 'inconclusive';
};
const verdict = (c: TensorCheck) => `${c.passed ? '✓' : '✗'} ${rel(c)}`;

export function gradcheckText(r: GradcheckResult, file: string): string {
  const names = [...new Set(r.layers.flatMap((l) => Object.keys(l.params)))];
  // The local modes' rule checks, one column: the worst of the layer's inputs and parameters.
  const local = r.layers.some((l) => l.rules);
  const rows = [['Layer', 'Kind', 'δ', ...names, ...(local ? ['Rule'] : []), 'Checked', 'Kinks', 'Curvature', 'Zeros']];
  for (const l of r.layers) {
    const rules = Object.values(l.rules ?? {});
    const all = [l.delta, ...Object.values(l.params), ...rules];
    const worstRule = rules.find((c) => !c.passed) ?? [...rules].sort((a, b) => b.maxRelError - a.maxRelError)[0];
    rows.push([
      l.custom ? `${l.name} (hand-written)` : l.name,
      l.kind,
      verdict(l.delta),
      ...names.map((n) => (l.params[n] ? verdict(l.params[n]) : '')),
      ...(local ? [worstRule ? verdict(worstRule) : ''] : []),
      `${all.reduce((s, c) => s + c.checked, 0)}`,
      `${all.reduce((s, c) => s + c.kinks, 0)}`,
      `${all.reduce((s, c) => s + c.curvature, 0)}`,
      `${all.reduce((s, c) => s + c.zeros, 0)}`,
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => [...row[c]].length)));
  const line = (row: string[]) =>
    row
      .map((cell, c) => cell + ' '.repeat(widths[c] - [...cell].length))
      .join('  ')
      .trimEnd();
  const outcome = r.unreached
    ? `CANCELLED after ${r.layers.length} of ${r.layers.length + r.unreached.length} layers${r.layers.length ? (r.passed ? ', which passed' : ', some FAILED') : ''}`
    : r.passed
      ? 'passed'
      : 'FAILED';
  const out = [
    `${file}: gradient check ${outcome} (${r.mode}, eps ${r.eps}, atol ${r.atol}, rtol ${r.rtol}, batch ${r.batch}, seed ${r.seed}${r.input ? `, input ${formatShape(r.input)}` : ''}; loss ${r.loss.toPrecision(6)}; ${r.evaluations} evaluations in ${Math.round(r.ms)} ms)`,
    '',
    line(rows[0]),
    ...rows.slice(1).map(line),
    '',
    'Max relative error |a−n| / (|a|+|n|) per tensor; a kink is a coordinate whose ±eps straddles a ReLU or max-pool switch, left out;',
    'curvature, one whose miss shrinks as eps² (the step, not the rule), left out; zeros, analytic and numeric both 0 within rounding, passed.',
  ];
  if (r.unreached?.length) out.push('', `Not reached (cancelled): ${r.unreached.join(', ')}`);
  for (const l of r.layers) if (l.blame) out.push('', `${l.name}${l.line ? ` (line ${l.line})` : ''}: ${l.blame}`);
  for (const l of r.layers) {
    for (const [tensor, c] of [
      ['δ', l.delta] as const,
      ...Object.entries(l.params),
      ...Object.entries(l.rules ?? {}).map(([k, v]) => [`rule for ${k}`, v] as const),
    ]) {
      if (c.passed) continue;
      out.push('', `${l.name} ${tensor}${l.line ? ` (line ${l.line})` : ''} fails: worst coordinates`);
      for (const w of c.worst)
        out.push(
          `  [${w.index.join(', ') || 'random direction'}]  analytic ${w.analytic.toPrecision(8)}  numeric ${w.numeric.toPrecision(8)}  relative error ${w.relError.toExponential(2)}`,
        );
    }
  }
  return out.join('\n');
}
