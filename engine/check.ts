/**
 * The checker: resolves the network's graph, reads every layer's options, infers each layer's output and δ
 * shapes, and reports every diagnostic of the language; a layer's δ rule, parameters and geometry are worked out
 * when something reads them. It runs on every keystroke, so it is one pass over the statements, resolving each
 * layer's names and inferring its shapes in turn, with no allocation proportional to anything but the text.
 *
 * After an error in a layer its output is unknown, and so is everything downstream of it: nothing is guessed
 * and nothing is reported against an unknown shape. A failed `->` assertion is the exception: the layer itself
 * is fine and its inferred shape flows on, since it is the assertion that is wrong.
 */
import type { Analysis, CheckOptions, CompiledRule, InputInfo, LossKind } from './analysis';
import { compileRule } from './backward';
import { BlockDiagnostics, collectBlocks, type UseInfo } from './blocks';
import { Expander } from './expand';
import { allKnown, type Layer, type Producer } from './checked';
import { DEFAULT_BATCH, DEFAULT_MEMORY_LIMIT } from './defaults';
import { reportTooLarge } from './memory';
import { parse } from './parser';
import { Resolver, unknownOption } from './resolve';
import { formatShape, type Shape, sameShape } from './shape';
import { type BackwardStatement, dimRange, type LayerStatement, type Value } from './syntax';
import { type Diagnostic, LineIndex, type TextRange } from './text';
import { readInt, readPair, readShape, readWord } from './values';

// The analysis types live in analysis.ts, the memory estimate in memory.ts, the defaults in defaults.ts; they are
// re-exported here for the code that knows them as the checker's.
export type { Analysis, CheckOptions, CompiledRule, InputInfo, LayerInfo, LossKind } from './analysis';
export { DEFAULT_BATCH, DEFAULT_MEMORY_LIMIT, DEFAULT_SEED } from './defaults';
export { estimateRunBytes, formatBytes } from './memory';

/** How a loss is named in messages. */
const LOSS_TEXT: Readonly<Record<LossKind, string>> = { cross_entropy: 'cross-entropy', mse: 'mse' };

export function check(text: string, options: CheckOptions = {}): Analysis {
  const document = parse(text);
  const lines = new LineIndex(text);
  const diagnostics: Diagnostic[] = [...document.diagnostics];
  // Inside a block's expansion, a diagnostic names the use it arises in; those about a block's text are folded, one
  // per place, naming every use (blocks.ts).
  let current: UseInfo | undefined;
  const folded = new BlockDiagnostics(document.statements.filter((st) => st.type === 'block'));
  const report = (d: Diagnostic) => {
    if (!current) return void diagnostics.push(d);
    const { prefix, bare } = namingUse(d.message, current);
    const named = { ...d, message: `${prefix}: ${bare}` };
    if (folded.inBlock(d.range)) folded.add(named, current, prefix, bare);
    else diagnostics.push(named);
  };
  const enter = (use: UseInfo | undefined) => void (current = use);
  const names = new Resolver(document, lines, report);
  const blocks = collectBlocks(document, report);
  names.blockNames = [...blocks.byName.keys()];
  const backwardUses = new Map<BackwardStatement, UseInfo>();
  const expander = new Expander(blocks, {
    names,
    lines,
    report,
    enter,
    addLayer(st, at, isLast, use) {
      const layer = names.resolveLayer(st, at, true);
      layer.use = use;
      layers.push(layer);
      names.previous = layer;
      inferLayer(layer, isLast);
      return layer;
    },
    addBackward(st, use) {
      backward.push(st);
      backwardUses.set(st, use);
    },
  });

  let network: string | undefined;
  let input: InputInfo | undefined;
  let lossStatement: { value: LossKind | undefined; range: TextRange; valueRange: TextRange } | undefined;
  const sample: { batch?: number; seed?: number; size?: readonly [number, number] } = {};
  let sizeValue: Value | undefined;
  const sampleSeen = new Set<string>();
  const backward: BackwardStatement[] = [];
  const layers: Layer[] = [];
  // Layers' lines, found walking forward from the last layer's since statements come in order.
  let line = 1;

  // One pass over the statements: names, inputs and options, then each layer's shapes. The δ rules, worked out
  // when read, are the one thing that needs the whole document: which producers more than one layer reads.
  let lastLayerAt = document.statements.length - 1;
  while (lastLayerAt >= 0 && document.statements[lastLayerAt].type !== 'layer') lastLayerAt--;
  for (let index = 0; index < document.statements.length; index++) {
    const st = document.statements[index];
    switch (st.type) {
      case 'network':
        if (index > 0)
          report({
            severity: 'error',
            code: 'syntax',
            message: '`network` must be the first statement',
            range: st.keyword.range,
          });
        else network = st.name?.text;
        break;
      case 'input': {
        const name = st.name?.text ?? 'input';
        if (input) {
          report({
            severity: 'error',
            code: 'duplicate-input',
            message: `a network has one input; '${input.name}' is already defined on line ${lines.position(input.statement.range.start).line}`,
            range: st.range,
            related: [{ range: input.statement.range, message: 'the input is defined here' }],
          });
          break;
        }
        const nameOk = !st.name || names.checkName(st.name);
        const declared = readShape(st.shape, 'the input shape', report) ?? null;
        const shape =
          declared && declared.length === 3 && options.inputSize ? [declared[0], ...options.inputSize] : declared;
        const channelsFrom = st.shape.kind === 'missing' ? st.shape.range : dimRange(st.shape, 0);
        const producer: Producer = {
          name,
          nameRange: st.name?.range ?? st.keyword.range,
          output: shape,
          channelsFrom,
          consumers: 0,
          index: -1,
        };
        names.define(producer, nameOk);
        input = { name, shape, statement: st };
        names.previous = producer;
        break;
      }
      case 'loss': {
        const value = readWord(st.loss, 'the loss', ['cross_entropy', 'mse'] as const, report);
        if (lossStatement) {
          report({
            severity: 'error',
            code: 'syntax',
            message: `the loss is already given on line ${lines.position(lossStatement.range.start).line}`,
            range: st.range,
            related: [{ range: lossStatement.range, message: 'the loss is given here' }],
          });
        } else {
          lossStatement = { value, range: st.range, valueRange: st.loss.range };
        }
        break;
      }
      case 'sample':
        for (const o of st.options) {
          const key = o.key.text;
          if (key !== 'batch' && key !== 'seed' && key !== 'size') {
            unknownOption(o.key, ['batch', 'seed', 'size'], 'sample', report);
          } else if (sampleSeen.has(key)) {
            report({ severity: 'error', code: 'syntax', message: `sample ${key} is given twice`, range: o.key.range });
          } else if (key === 'size') {
            sampleSeen.add(key);
            sizeValue = o.value;
          } else {
            sampleSeen.add(key);
            const value = readInt(o.value, key, key === 'batch' ? 1 : 0, report);
            if (value !== undefined) sample[key] = value;
          }
        }
        break;
      case 'backward':
        backward.push(st);
        if (st.layer && !names.get(st.layer.text)) names.lookup(st.layer, 'backward');
        break;
      case 'layer': {
        if (blocks.byName.has(st.kindText)) {
          expander.expandTop(st, index === lastLayerAt);
          break;
        }
        line = lines.lineFrom(st.range.start, line);
        const layer = names.resolveLayer(st, line);
        layers.push(layer);
        names.previous = layer;
        // Names only refer upwards, so every input's shape is settled by now.
        inferLayer(layer, index === lastLayerAt);
        break;
      }
    }
  }

  function inferLayer(layer: Layer, isLast: boolean): void {
    const st = layer.statement;
    const kind = layer.definition;
    if (kind?.fusedWithLoss && !isLast) {
      const loss = LOSS_TEXT[kind.fusedWithLoss.loss];
      report({
        severity: 'error',
        code: 'softmax-not-last',
        message: `${layer.name}: ${kind.kind} must be the last layer, where it is fused with the ${loss} loss; use it only there`,
        range: st.kind.range,
      });
      return;
    }
    if (layer.broken || !kind) return;
    const inputs = layer.arriving;
    if (!allKnown(inputs)) return;
    const inferred = kind.infer(layer.config, inputs, { node: st, layer: layer.name, report });
    if (!inferred) return;
    if (!inferred.output.every(Number.isSafeInteger)) {
      report({
        severity: 'error',
        code: 'too-large',
        message: `${layer.name}: the output would be ${formatShape(inferred.output.map((d) => Number(d.toPrecision(3))))}, too large to count exactly (the limit is 2^53 − 1 per dimension)`,
        range: st.range,
      });
      return;
    }
    layer.known(inferred, inputs);
    checkAssertion(st, layer.name, inferred.output);
  }

  function checkAssertion(st: LayerStatement, name: string, output: Shape): void {
    if (!st.assertion) return;
    const asserted = readShape(st.assertion.shape, `${name}: the asserted shape`, report);
    if (!asserted || sameShape(asserted, output)) return;
    const written = formatShape(output).replace(/×/g, 'x');
    report({
      severity: 'error',
      code: 'shape-assertion',
      message: `${name}: the output is ${formatShape(output)}, not ${formatShape(asserted)} as asserted`,
      range: st.assertion.shape.range,
      fixes: [
        {
          title: `Change the assertion to ${written}`,
          edits: [{ range: st.assertion.shape.range, newText: written }],
          preferred: true,
        },
      ],
    });
  }

  // The loss, and what reaches it: a last layer fused with a loss (softmax) sets it unless `loss` says otherwise.
  const lastLayer = layers[layers.length - 1];
  const fused = lastLayer?.definition?.fusedWithLoss?.loss;
  let loss: LossKind = fused ?? 'mse';
  if (lossStatement) {
    if (lossStatement.value) loss = lossStatement.value;
    const after = layers.find((l) => l.statement.range.start > lossStatement!.range.start);
    if (after)
      report({
        severity: 'error',
        code: 'syntax',
        message: `\`loss\` must come after every layer; ${after.name} follows it`,
        range: lossStatement.range,
      });
    if (fused && lossStatement.value && lossStatement.value !== fused) {
      report({
        severity: 'error',
        code: 'bad-value',
        message: `${lastLayer.name}: ${lastLayer.kind} is fused with ${fused}; remove the ${lastLayer.kind} to use ${lossStatement.value}`,
        range: lossStatement.valueRange,
      });
    }
  }

  const rules = compileRules(
    backward,
    layers,
    names,
    lastLayer !== undefined && fused !== undefined && loss === fused ? lastLayer : undefined,
    text,
    lines,
    report,
    (st) => enter(backwardUses.get(st)),
  );
  enter(undefined);

  if (!input && !names.missingInputReported) {
    report({
      severity: 'error',
      code: 'missing-input',
      message: 'the network has no `input`; add one such as `input 3x32x32`',
      range: { start: 0, end: Math.min(text.length, (text.codePointAt(0) ?? 0) > 0xffff ? 2 : 1) },
    });
  }
  reportUnused(layers, names, report, enter);
  enter(undefined);
  folded.flush(report);
  // Sample runs need memory at the size they run at: at a `sample size=` other than the input's own, the check at
  // that size (in sampleSize) judges it, and a run too large there is its `bad-value`.
  let runsElsewhere = false;
  if (sizeValue) {
    const judged = sampleSize(sizeValue, text, input, options, diagnostics, report);
    if (judged?.size) sample.size = judged.size;
    runsElsewhere = judged?.elsewhere ?? false;
  }
  const limit = options.memoryLimit ?? DEFAULT_MEMORY_LIMIT;
  if (input && Number.isFinite(limit) && !runsElsewhere)
    reportTooLarge(input, layers, options.batch ?? sample.batch ?? DEFAULT_BATCH, limit, report);

  diagnostics.sort((a, b) => a.range.start - b.range.start || a.range.end - b.range.end);
  return {
    document,
    lines,
    ...(network !== undefined && { network }),
    ...(input && { input: { name: input.name, shape: input.shape, statement: input.statement } }),
    layers,
    loss,
    sample,
    backward,
    rules,
    diagnostics,
  };
}

/**
 * The network as runs take it: checked again at its `sample size=` when that differs from the input's own H×W,
 * so every shape, parameter and δ is the size's; else the analysis itself. Offsets are the text's in both.
 */
export function runsAt(analysis: Analysis, options: CheckOptions = {}): Analysis {
  const size = analysis.sample.size,
    shape = analysis.input?.shape;
  if (!size || !shape || shape.length !== 3 || (shape[1] === size[0] && shape[2] === size[1])) return analysis;
  return check(analysis.document.text, { ...options, inputSize: size });
}

/**
 * `sample size=HxW`: the H×W runs use, read, then checked by checking the whole network at it. A network that
 * does not check clean at its declared size says so itself; one that does but breaks at this size gets a
 * `bad-value` at the size, naming the first layer that breaks and why, related to where.
 */
function sampleSize(
  value: Value,
  text: string,
  input: InputInfo | undefined,
  options: CheckOptions,
  diagnostics: readonly Diagnostic[],
  report: (d: Diagnostic) => void,
): { readonly size?: readonly [number, number]; readonly elsewhere: boolean } | undefined {
  const pair = readPair(value, 'sample size', 1, report);
  if (!pair || !input?.shape) return undefined;
  if (input.shape.length !== 3) {
    report({
      severity: 'error',
      code: 'bad-value',
      message: `sample size=${value.text}: the size is a C×H×W input's H×W, but the input is a vector of ${input.shape[0]}`,
      range: value.range,
    });
    return undefined;
  }
  const size = [pair.h, pair.w] as const;
  // The network checked at the size already (see `runsAt`): the size stands.
  if (options.inputSize) return { size, elsewhere: false };
  if (size[0] === input.shape[1] && size[1] === input.shape[2]) return { size, elsewhere: false };
  if (diagnostics.some((d) => d.severity === 'error')) return { elsewhere: true };
  const at = check(text, { ...options, inputSize: size });
  const broken = at.diagnostics.find((d) => d.severity === 'error');
  if (!broken) return { size, elsewhere: true };
  const shape = formatShape([input.shape[0], ...size]);
  report({
    severity: 'error',
    code: 'bad-value',
    message: `sample size=${value.text}: at ${shape} the network does not check; ${broken.message}`,
    range: value.range,
    related: [{ range: broken.range, message: `at ${shape}: ${broken.message}` }],
  });
  return { elsewhere: true };
}

/**
 * Hand-written backward rules, once every layer's shapes and the loss are known; one rule per layer and target.
 * `fusedLast` is the last layer when it is fused with the loss, whose δ at the input is the loss's own.
 */
function compileRules(
  backward: readonly BackwardStatement[],
  layers: readonly Layer[],
  names: Resolver,
  fusedLast: Layer | undefined,
  text: string,
  lines: LineIndex,
  report: (d: Diagnostic) => void,
  enter: (st: BackwardStatement) => void,
): CompiledRule[] {
  const ruled = new Map<string, BackwardStatement>();
  const rules: CompiledRule[] = [];
  for (const st of backward) {
    enter(st);
    const producer = st.layer && names.get(st.layer.text);
    if (!producer) continue; // undefined-layer, or a syntax error, is reported already
    if (producer.index < 0) {
      report({
        severity: 'error',
        code: 'backward-unknown',
        message: `'${producer.name}' is the input; a backward rule belongs to a layer`,
        range: st.layer!.range,
      });
      continue;
    }
    const layer = layers[producer.index];
    const fused = layer === fusedLast ? layer.definition?.fusedWithLoss : undefined;
    if (fused) {
      report({
        severity: 'error',
        code: 'backward-unknown',
        message: `${layer.name} is fused with the ${LOSS_TEXT[fused.loss]} loss: the δ at its input is ${fused.delta}, part of the loss's rule, and takes no rule of its own`,
        range: st.layer!.range,
      });
      continue;
    }
    // A rule is checked against known shapes only: where they are unknown, an error above says why.
    if (!st.rule.text.trim() || !layer.output || layer.inputShapes.some((s) => !s)) continue;
    const { rule, diagnostics: found } = compileRule(st, layer, text);
    for (const d of found) report(d);
    if (!rule) continue;
    const key = `${producer.name}\u0000${rule.target}`,
      first = ruled.get(key);
    if (first) {
      report({
        severity: 'error',
        code: 'duplicate-name',
        message: `${producer.name}'s ${rule.target} already has a rule, on line ${lines.position(first.range.start).line}; a target takes one`,
        range: st.rule.range,
        related: [{ range: first.rule.range, message: 'the first rule' }],
      });
    } else {
      ruled.set(key, st);
      rules.push(rule);
    }
  }
  return rules;
}

/**
 * Layers whose output never reaches the last layer, where the loss is. A use of a block whose output reaches
 * nothing is one warning at the use, not one per layer of its expansion.
 */
function reportUnused(
  layers: readonly Layer[],
  names: Resolver,
  report: (d: Diagnostic) => void,
  enter: (use: UseInfo | undefined) => void,
): void {
  if (layers.length === 0) return;
  // Names only refer upwards, so one sweep from the last layer up marks everything that reaches it.
  const reached = new Uint8Array(layers.length);
  reached[layers.length - 1] = 1;
  for (let i = layers.length - 1; i >= 0; i--) {
    if (!reached[i]) continue;
    const layer = layers[i];
    if (layer.above && layer.above.index >= 0) reached[layer.above.index] = 1;
    for (let j = 0; j < layer.named.length; j++) {
      const { producer } = layer.named[j];
      if (producer.index >= 0) reached[producer.index] = 1;
    }
    if (layer.unresolved && layer.unresolved.index >= 0) reached[layer.unresolved.index] = 1;
  }
  const unusedUses = new Set<LayerStatement>();
  layers.forEach((layer, i) => {
    if (reached[i]) return;
    const { use } = layer;
    if (use) {
      const output = names.get(use.topName);
      if (output && output.index >= 0 && !reached[output.index]) {
        if (unusedUses.has(use.top)) return;
        unusedUses.add(use.top);
        enter(undefined);
        report({
          severity: 'warning',
          code: 'unused-layer',
          message: `${use.topName}: its output reaches no loss; nothing below uses it and it is not the last layer`,
          range: use.top.range,
          tags: ['unnecessary'],
        });
        return;
      }
    }
    enter(use);
    report({
      severity: 'warning',
      code: 'unused-layer',
      message: `${layer.name}: its output reaches no loss; nothing below uses it and it is not the last layer`,
      range: layer.statement.range,
      tags: ['unnecessary'],
    });
  });
}

/**
 * A diagnostic's message inside a use: the layer it names first (`layer2.1.conv1: …`), or else the use, followed
 * by the block and its arguments (`layer2.1.conv1 (bottleneck 128 stride=2): …`).
 */
function namingUse(message: string, use: UseInfo): { prefix: string; bare: string } {
  const named = /^([A-Za-z_][\w.]*): /.exec(message);
  if (named && named[1].startsWith(`${use.name}.`))
    return { prefix: `${named[1]} (${use.description})`, bare: message.slice(named[0].length) };
  return { prefix: `${use.name} (${use.description})`, bare: message };
}
