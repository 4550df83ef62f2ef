/**
 * TensorFlow.js model code checked in place: reads a .ts/.js file with ts-morph (its in-memory file system, so it
 * runs alike in Node and in a browser) and follows the models it builds, in the order the file is written:
 * `tf.sequential({ layers: [...] })`, `model.add(tf.layers.X({...}))`, and functional graphs of
 * `tf.layers.X({...}).apply(x)` from `tf.input({ shape })` (through variables, reassignments, `as` casts and
 * layer objects applied later). Each application of a layer gets tfjs's own output shape (rules.ts), and what is
 * wrong is reported at its config object.
 *
 * Only the file is read, not what it imports or calls: a shape that depends on anything else is unknown.
 * ts-morph parses (its in-memory file system); the reading walks the compiler's nodes, as values.ts says why.
 */
import { Project, ts } from 'ts-morph';
import type { Fix, TextRange } from '../../engine/text';
import { type FixHint, type Problem, RULES, type Shape, type Value } from './rules';
import type { TfConfigEntry, TfGraph, TfLayerDetail, TfModelCall, TfModelInput, TfSource } from './graph';
import { Constants, objectConfig, unwrap } from './values';

export type { TfConfigEntry, TfGraph, TfLayerDetail, TfModelCall, TfModelInput, TfSource } from './graph';

/** One application of a tfjs layer. */
export interface TfLayer {
  /** The `tf.layers` function: `conv2d`. */
  readonly fn: string;
  /** The config's `name` when it is a literal, else the function's name. */
  readonly label: string;
  /** The config object, or the call when it has none: where hints and diagnostics go. */
  readonly range: TextRange;
  /** Channels-last, per sample; undefined where unknown. */
  readonly inputs: readonly (Shape | undefined)[];
  readonly output?: Shape;
  readonly params?: number;
}

export interface TfDiagnostic extends Omit<Problem, 'fixes'> {
  readonly range: TextRange;
  /** Quick fixes as edits of the file: `filters`, `units`, `kernelSize`, `poolSize`, `padding`. */
  readonly fixes?: readonly Fix[];
}

export interface TfCodeAnalysis {
  /** Whether the file imports TensorFlow.js at all; nothing else is read when it does not. */
  readonly importsTfjs: boolean;
  readonly layers: readonly TfLayer[];
  readonly diagnostics: readonly TfDiagnostic[];
}

/** `@tensorflow/tfjs`, `-node`, `-node-gpu`, `-layers`. */
export const TFJS_MODULE = /^@tensorflow\/tfjs(-node(-gpu)?|-layers)?$/;

type Val =
  | {
      readonly kind: 'tensor';
      readonly shape?: Shape;
      readonly producer?: ts.CallExpression;
      readonly source?: TfSource;
    }
  | { readonly kind: 'layer'; readonly fn: string; readonly call: ts.CallExpression }
  | { kind: 'sequential'; shape?: Shape; empty: boolean; readonly root: TfModelInput }
  | { readonly kind: 'tf' | 'layers' | 'unknown' };

const UNKNOWN: Val = { kind: 'unknown' };
const isShape = (v: Value): v is number[] =>
  Array.isArray(v) && v.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0);

let sharedProject: Project | undefined;

/** Reads one file's text. */
export function readTfjsCode(text: string, fileName = 'model.ts'): TfCodeAnalysis {
  return readFile(text, fileName, false).analysis;
}

/** Reads one file's text with its model graph, for converting a model (tfjs/import.ts). */
export function readTfjsGraph(text: string, fileName = 'model.ts'): TfGraph {
  return readFile(text, fileName, true);
}

function readFile(text: string, fileName: string, graph: boolean): TfGraph {
  // A quick look first: most files of a project do not mention tfjs, and parsing them would be wasted.
  if (!text.includes('@tensorflow/tfjs'))
    return { analysis: { importsTfjs: false, layers: [], diagnostics: [] }, inputs: [], models: [], details: [] };
  sharedProject ??= new Project({ useInMemoryFileSystem: true, compilerOptions: { allowJs: true } });
  const name = /\.(m?[jt]sx?|c[jt]s)$/.test(fileName) ? fileName.replace(/^.*[\\/]/, '') : 'model.ts';
  const file = sharedProject.createSourceFile(`/${name}`, text, { overwrite: true });
  try {
    return new Reader(file.compilerNode, graph).read();
  } finally {
    sharedProject.removeSourceFile(file);
  }
}

class Reader {
  private readonly constants: Constants;
  private readonly values = new Map<ts.Node, Val>();
  /** Graph values by scope (a function-like node, or the file) and name. */
  private readonly bindings = new Map<ts.Node, Map<string, Val>>();
  private readonly layers: TfLayer[] = [];
  private readonly diagnostics: TfDiagnostic[] = [];
  private readonly seen = new Set<string>();
  /** Names the file's imports give tfjs's namespace (`tf`), its `layers` namespace and its functions. */
  private readonly names = new Map<string, Val | { kind: 'fn'; fn: string }>();
  private readonly inputs: TfModelInput[] = [];
  private readonly models: TfModelCall[] = [];
  /** Kept only when the graph is asked for: the editor's reading, after every edit, does without it. */
  private readonly details: TfLayerDetail[] = [];

  constructor(
    private readonly file: ts.SourceFile,
    private readonly graph: boolean,
  ) {
    this.constants = new Constants(file);
  }

  read(): TfGraph {
    this.readImports();
    if (!this.names.size)
      return { analysis: { importsTfjs: false, layers: [], diagnostics: [] }, inputs: [], models: [], details: [] };
    // Pre-order, so an assignment's right side is read (with the old bindings) before the name is rebound, and
    // each call once: the inner calls of an expression already read are found in `values`.
    const visit = (node: ts.Node): void => {
      if (ts.isVariableDeclaration(node)) {
        if (node.initializer && ts.isIdentifier(node.name))
          this.scope(node).set(node.name.text, this.value(node.initializer));
      } else if (
        ts.isBinaryExpression(node) &&
        node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        ts.isIdentifier(node.left)
      ) {
        const value = this.value(node.right);
        const name = node.left.text;
        // Assigned under a condition or in a loop, the name may hold either value afterwards.
        (this.declaringScope(node, name) ?? this.scope(node)).set(
          name,
          this.runs(node) === 'once' ? value : { kind: 'tensor' },
        );
      } else if (ts.isCallExpression(node)) this.value(node);
      ts.forEachChild(node, visit);
    };
    visit(this.file);
    return {
      analysis: { importsTfjs: true, layers: this.layers, diagnostics: this.diagnostics },
      inputs: this.inputs,
      models: this.models,
      details: this.details,
    };
  }

  private readImports(): void {
    for (const statement of this.file.statements) {
      if (
        ts.isImportDeclaration(statement) &&
        ts.isStringLiteral(statement.moduleSpecifier) &&
        TFJS_MODULE.test(statement.moduleSpecifier.text)
      ) {
        const clause = statement.importClause;
        if (clause?.name) this.names.set(clause.name.text, { kind: 'tf' });
        const bindings = clause?.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings)) this.names.set(bindings.name.text, { kind: 'tf' });
        else if (bindings) {
          for (const n of bindings.elements) {
            const imported = (n.propertyName ?? n.name).text;
            this.names.set(n.name.text, imported === 'layers' ? { kind: 'layers' } : { kind: 'fn', fn: imported });
          }
        }
        if (!clause) this.names.set('\0side-effect', UNKNOWN);
      } else if (ts.isVariableStatement(statement)) {
        // const tf = require('@tensorflow/tfjs')
        for (const d of statement.declarationList.declarations) {
          const init = d.initializer && unwrap(d.initializer);
          if (
            init &&
            ts.isCallExpression(init) &&
            ts.isIdentifier(init.expression) &&
            init.expression.text === 'require' &&
            ts.isIdentifier(d.name)
          ) {
            const arg = init.arguments[0];
            if (arg && ts.isStringLiteral(arg) && TFJS_MODULE.test(arg.text))
              this.names.set(d.name.text, { kind: 'tf' });
          }
        }
      }
    }
  }

  /**
   * How often `node` runs for one run of its scope, as far as the text says: `many` in a loop or in a callback
   * (`layers.forEach(…)`), where one reading cannot follow every pass; `maybe` under an `if`, `?:`, `switch`, `&&`,
   * `||` or `??`; else `once`.
   */
  private runs(node: ts.Node): 'once' | 'maybe' | 'many' {
    let result: 'once' | 'maybe' = 'once';
    for (let child = node, at = node.parent; at && at !== this.file; child = at, at = at.parent) {
      if (ts.isIterationStatement(at, false) && child !== (at as { initializer?: ts.Node }).initializer) return 'many';
      if (ts.isFunctionLike(at))
        return at.parent && ts.isCallExpression(at.parent) && at.parent.arguments.includes(at as ts.Expression)
          ? 'many'
          : result;
      if (ts.isIfStatement(at) && child !== at.expression) result = 'maybe';
      if (ts.isConditionalExpression(at) && child !== at.condition) result = 'maybe';
      if (ts.isCaseClause(at) || ts.isDefaultClause(at)) result = 'maybe';
      if (
        ts.isBinaryExpression(at) &&
        child === at.right &&
        [
          ts.SyntaxKind.AmpersandAmpersandToken,
          ts.SyntaxKind.BarBarToken,
          ts.SyntaxKind.QuestionQuestionToken,
        ].includes(at.operatorToken.kind)
      )
        result = 'maybe';
    }
    return result;
  }

  /** The innermost function-like node around `node`, or the file: the scope its declarations bind in. */
  private scopeNode(node: ts.Node): ts.Node {
    let at = node.parent;
    while (at && !ts.isFunctionLike(at)) at = at.parent;
    return at ?? this.file;
  }

  private scope(node: ts.Node): Map<string, Val> {
    const at = this.scopeNode(node);
    let map = this.bindings.get(at);
    if (!map) this.bindings.set(at, (map = new Map()));
    return map;
  }

  /** The scope, from `node` outwards, that already binds `name`. */
  private declaringScope(node: ts.Node, name: string): Map<string, Val> | undefined {
    for (let at = node; ;) {
      const scope = this.scopeNode(at);
      const map = this.bindings.get(scope);
      if (map?.has(name)) return map;
      if (scope === this.file) return undefined;
      at = scope;
    }
  }

  private lookup(node: ts.Node, name: string): Val | undefined {
    const imported = this.names.get(name);
    if (imported) return imported.kind === 'fn' ? UNKNOWN : imported;
    return this.declaringScope(node, name)?.get(name);
  }

  private value(expr: ts.Node): Val {
    const node = unwrap(expr);
    const known = this.values.get(node);
    if (known) return known;
    const v = this.compute(node);
    this.values.set(node, v);
    return v;
  }

  private compute(node: ts.Node): Val {
    if (ts.isIdentifier(node)) return this.lookup(node, node.text) ?? UNKNOWN;
    if (ts.isPropertyAccessExpression(node)) {
      // tf.layers
      return node.name.text === 'layers' && this.value(node.expression).kind === 'tf' ? { kind: 'layers' } : UNKNOWN;
    }
    if (!ts.isCallExpression(node)) return UNKNOWN;
    const callee = unwrap(node.expression);
    const args = node.arguments;
    if (ts.isIdentifier(callee)) {
      // A function imported by name: `input({...})`, `sequential()`.
      const imported = this.names.get(callee.text);
      return imported?.kind === 'fn' ? this.tfCall(imported.fn, node) : UNKNOWN;
    }
    if (!ts.isPropertyAccessExpression(callee)) return UNKNOWN;
    const method = callee.name.text;
    const target = this.value(callee.expression);
    switch (target.kind) {
      case 'layers':
        return { kind: 'layer', fn: method, call: node };
      case 'tf':
        return this.tfCall(method, node);
      case 'layer': {
        if (method !== 'apply' || !args[0]) return UNKNOWN;
        // In a loop the inputs of a later pass are not the first pass's: unknown, so nothing is claimed about them.
        const many = this.runs(node) === 'many';
        const inputs = this.inputsOf(args[0]);
        return this.apply(
          target,
          many ? inputs.map(() => undefined) : inputs,
          this.producersOf(args[0]),
          many ? inputs.map(() => undefined) : this.sourcesOf(args[0]),
        );
      }
      case 'sequential':
        if (method === 'add' && args[0]) {
          const runs = this.runs(node);
          if (runs === 'many') this.lose(target);
          this.add(target, this.value(args[0]));
          // Added maybe, or many times: what follows cannot know its input.
          if (runs !== 'once') this.lose(target);
        }
        return UNKNOWN;
      default:
        return UNKNOWN;
    }
  }

  private configObject(call: ts.CallExpression): ts.ObjectLiteralExpression | undefined {
    const arg = call.arguments[0] && unwrap(call.arguments[0]);
    return arg && ts.isObjectLiteralExpression(arg) ? arg : undefined;
  }

  private config(call: ts.CallExpression) {
    return objectConfig(this.configObject(call), this.constants);
  }

  /** A sequential model after what the text cannot follow: its shape and last layer are unknown. */
  private lose(model: Extract<Val, { kind: 'sequential' }>): void {
    model.shape = undefined;
    model.root.last = undefined;
  }

  private rangeOf(node: ts.Node): TextRange {
    return { start: node.getStart(this.file), end: node.getEnd() };
  }

  /** The function, method or variable a node is written in, by name. */
  private owner(node: ts.Node): string | undefined {
    for (let at = node.parent; at && at !== this.file; at = at.parent) {
      if ((ts.isFunctionDeclaration(at) || ts.isMethodDeclaration(at)) && at.name && ts.isIdentifier(at.name))
        return at.name.text;
      if (ts.isVariableDeclaration(at) && ts.isIdentifier(at.name) && ts.isFunctionLike(unwrap(at.initializer!)))
        return at.name.text;
    }
    for (let at = node.parent; at && at !== this.file; at = at.parent)
      if (ts.isVariableDeclaration(at) && ts.isIdentifier(at.name)) return at.name.text;
    return undefined;
  }

  /** Where a model's first call is: its text, the function around it and that function's name. */
  private place(call: ts.CallExpression) {
    const scope = this.scopeNode(call);
    return {
      range: this.rangeOf(call),
      owner: this.owner(call),
      ...(scope !== this.file && { scope: this.rangeOf(scope) }),
    };
  }

  private tfCall(fn: string, call: ts.CallExpression): Val {
    const config = this.config(call);
    const named = config.get('name');
    const name = typeof named === 'string' ? named : undefined;
    if (fn === 'input') {
      const shape = config.get('shape');
      const batch = config.get('batchShape');
      const known = isShape(shape)
        ? shape
        : Array.isArray(batch) && isShape(batch.slice(1))
          ? (batch.slice(1) as number[])
          : undefined;
      const source = { input: this.inputs.length };
      this.inputs.push({ kind: 'input', ...this.place(call), shape: known, name });
      return { kind: 'tensor', shape: known, source };
    }
    if (fn === 'model') {
      const list = (key: string) => {
        const node = config.node(key);
        return node ? this.sourcesOf(node) : undefined;
      };
      this.models.push({ range: this.rangeOf(call), name, inputs: list('inputs'), outputs: list('outputs') });
      return UNKNOWN;
    }
    if (fn === 'sequential') {
      const root: TfModelInput = { kind: 'sequential', ...this.place(call), name };
      this.inputs.push(root);
      const model: Val = { kind: 'sequential', empty: true, root };
      const list = config.node('layers');
      const array = list && unwrap(list);
      if (array && ts.isArrayLiteralExpression(array)) {
        for (const e of array.elements) this.add(model, this.value(e));
      } else if (config.has('layers')) model.empty = false; // layers we cannot see: what follows is unknown
      return model;
    }
    return UNKNOWN;
  }

  /** The shapes an `.apply(...)` argument carries: one tensor, or an array of them. */
  private inputsOf(arg: ts.Node): (Shape | undefined)[] {
    const node = unwrap(arg);
    if (ts.isArrayLiteralExpression(node)) return node.elements.map((e) => this.shapeOf(e));
    return [this.shapeOf(node)];
  }

  /** What made each input, where the text says. */
  private sourcesOf(arg: ts.Node): (TfSource | undefined)[] {
    const node = unwrap(arg);
    const of = (n: ts.Node) => {
      const v = this.value(n);
      return v.kind === 'tensor' ? v.source : undefined;
    };
    return ts.isArrayLiteralExpression(node) ? node.elements.map(of) : [of(node)];
  }

  /** The layer calls that made each input, where known: quick fixes edit their configs. */
  private producersOf(arg: ts.Node): (ts.CallExpression | undefined)[] {
    const node = unwrap(arg);
    const of = (n: ts.Node) => {
      const v = this.value(n);
      return v.kind === 'tensor' ? v.producer : undefined;
    };
    return ts.isArrayLiteralExpression(node) ? node.elements.map(of) : [of(node)];
  }

  /** A fix hint as edits: the key's value replaced, or the key added at the end of the config object. */
  private edits(
    hint: FixHint,
    own: ts.CallExpression,
    producers: readonly (ts.CallExpression | undefined)[],
  ): Fix | undefined {
    const call = hint.input === undefined ? own : producers[hint.input];
    const object = call && this.configObject(call);
    if (!object) return undefined;
    const property = object.properties.find(
      (p) => p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === hint.key,
    );
    if (property && ts.isPropertyAssignment(property)) {
      return {
        title: hint.title,
        preferred: hint.preferred,
        edits: [
          {
            range: { start: property.initializer.getStart(this.file), end: property.initializer.getEnd() },
            newText: hint.value,
          },
        ],
      };
    }
    if (property || hint.input !== undefined) return undefined; // shorthand, or a producer without that key: not ours to add
    const last = object.properties[object.properties.length - 1];
    const at = last ? last.getEnd() : object.getStart(this.file) + 1;
    return {
      title: hint.title,
      preferred: hint.preferred,
      edits: [
        {
          range: { start: at, end: at },
          newText: last ? `, ${hint.key}: ${hint.value}` : ` ${hint.key}: ${hint.value} `,
        },
      ],
    };
  }

  private shapeOf(node: ts.Node): Shape | undefined {
    const v = this.value(node);
    return v.kind === 'tensor' ? v.shape : undefined;
  }

  private add(model: Extract<Val, { kind: 'sequential' }>, layer: Val): void {
    if (layer.kind !== 'layer') {
      // Something we cannot follow went into the model: every later shape is unknown.
      model.empty = false;
      this.lose(model);
      return;
    }
    let input = model.shape;
    const source: TfSource | undefined = model.empty ? { input: this.inputs.indexOf(model.root) } : model.root.last;
    if (model.empty) {
      const config = this.config(layer.call);
      const shape = config.get('inputShape');
      const batch = config.get('batchInputShape');
      input = isShape(shape)
        ? shape
        : Array.isArray(batch) && isShape(batch.slice(1))
          ? (batch.slice(1) as number[])
          : undefined;
      model.empty = false;
      model.root.shape = input;
    }
    const out = this.apply(layer, [input], [], [source]);
    model.shape = out.kind === 'tensor' ? out.shape : undefined;
    model.root.last = out.kind === 'tensor' ? out.source : undefined;
  }

  private apply(
    layer: Extract<Val, { kind: 'layer' }>,
    inputs: (Shape | undefined)[],
    producers: (ts.CallExpression | undefined)[] = [],
    sources: (TfSource | undefined)[] = [],
  ): Val {
    const object = this.configObject(layer.call);
    const config = objectConfig(object, this.constants);
    const at = object ?? layer.call;
    const range = { start: at.getStart(this.file), end: at.getEnd() };
    const named = config.get('name');
    const label = typeof named === 'string' ? named : layer.fn;
    const rule = RULES[layer.fn];
    const result = rule ? rule({ label, config, inputs }) : {};
    const index = this.layers.length;
    this.layers.push({ fn: layer.fn, label, range, inputs, output: result.output, params: result.params });
    if (this.graph) this.details.push(this.detail(object, typeof named === 'string', sources));
    for (const p of result.problems ?? []) {
      // A layer object applied twice to the same shapes says the same thing once.
      const key = `${range.start}:${p.code}:${p.message}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      const fixes = (p.fixes ?? []).flatMap((hint) => this.edits(hint, layer.call, producers) ?? []);
      this.diagnostics.push({
        severity: p.severity,
        code: p.code,
        message: p.message,
        range,
        ...(fixes.length && { fixes }),
      });
    }
    return { kind: 'tensor', shape: result.output, producer: layer.call, source: { layer: index } };
  }

  private detail(
    object: ts.ObjectLiteralExpression | undefined,
    named: boolean,
    sources: (TfSource | undefined)[],
  ): TfLayerDetail {
    const config: Record<string, TfConfigEntry> = {};
    let open = false;
    for (const p of object?.properties ?? []) {
      if (ts.isPropertyAssignment(p) && !ts.isComputedPropertyName(p.name)) {
        config[p.name.getText(this.file).replace(/^['"]|['"]$/g, '')] = {
          value: this.constants.evaluate(p.initializer),
          text: p.initializer.getText(this.file),
        };
      } else if (ts.isShorthandPropertyAssignment(p))
        config[p.name.text] = { value: this.constants.evaluate(p.name), text: p.name.text };
      else open = true;
    }
    return { named, config, open, sources };
  }
}
