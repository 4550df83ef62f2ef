/**
 * The values a model's shapes can depend on, read without running anything: literals, `const` names bound once
 * in the file, and simple arithmetic on them (+ − * / % **, unary minus, parentheses, arrays, a const object's
 * property). Anything else (a function's parameter, a `let`, a call, a name declared twice) is `undefined`, which
 * the shape rules take as unknown: a value CNN Lens cannot be sure of never produces an error.
 *
 * These read the compiler's nodes (ts-morph's `ts`) directly: ts-morph's wrapped nodes cost about 30 times the
 * walk itself on a 2,000-line file (bench:tfjs), and the editor reads the file again after every edit.
 */
import { ts } from 'ts-morph';
import type { Config, Value } from './rules';

export class Constants {
  /** A name's initializer when the file declares that name exactly once, as a const; null when declared otherwise. */
  private readonly table = new Map<string, ts.Expression | null>();
  private readonly evaluating = new Set<ts.Node>();

  constructor(file: ts.SourceFile) {
    const declare = (name: string, init: ts.Expression | null) =>
      this.table.set(name, this.table.has(name) ? null : init);
    const visit = (node: ts.Node): void => {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name)) {
        const isConst =
          ts.isVariableDeclarationList(node.parent) &&
          (node.parent.flags & ts.NodeFlags.Const) !== 0 &&
          ts.isVariableStatement(node.parent.parent);
        declare(node.name.text, isConst && node.initializer ? node.initializer : null);
      } else if ((ts.isParameter(node) || ts.isBindingElement(node)) && ts.isIdentifier(node.name))
        declare(node.name.text, null);
      else if ((ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) && node.name)
        declare(node.name.text, null);
      ts.forEachChild(node, visit);
    };
    visit(file);
  }

  /** The value of an expression, or undefined when it is not a literal, a const or simple arithmetic on them. */
  evaluate(node: ts.Node | undefined): Value {
    if (!node) return undefined;
    if (ts.isNumericLiteral(node)) return Number(node.text);
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
    if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
    if (node.kind === ts.SyntaxKind.FalseKeyword) return false;
    if (node.kind === ts.SyntaxKind.NullKeyword) return null;
    if (
      ts.isParenthesizedExpression(node) ||
      ts.isAsExpression(node) ||
      ts.isNonNullExpression(node) ||
      ts.isSatisfiesExpression(node)
    ) {
      return this.evaluate(node.expression);
    }
    if (ts.isArrayLiteralExpression(node)) {
      const items = node.elements.map((e) =>
        ts.isSpreadElement(e) || ts.isOmittedExpression(e) ? undefined : this.evaluate(e),
      );
      return items.some((v) => v === undefined) ? undefined : items;
    }
    if (ts.isPrefixUnaryExpression(node)) {
      const v = this.evaluate(node.operand);
      if (typeof v !== 'number') return undefined;
      return node.operator === ts.SyntaxKind.MinusToken
        ? -v
        : node.operator === ts.SyntaxKind.PlusToken
          ? v
          : undefined;
    }
    if (ts.isBinaryExpression(node))
      return this.binary(node.operatorToken.kind, this.evaluate(node.left), this.evaluate(node.right));
    if (ts.isIdentifier(node)) return this.constant(node.text);
    if (ts.isPropertyAccessExpression(node)) {
      const init = ts.isIdentifier(node.expression) ? this.table.get(node.expression.text) : undefined;
      const literal = init && unwrap(init);
      if (!literal || !ts.isObjectLiteralExpression(literal)) return undefined;
      return this.guarded(literal, () => objectConfig(literal, this).get(node.name.text));
    }
    if (ts.isElementAccessExpression(node)) {
      const array = this.evaluate(node.expression);
      const index = this.evaluate(node.argumentExpression);
      return Array.isArray(array) && typeof index === 'number' ? array[index] : undefined;
    }
    return undefined;
  }

  private constant(name: string): Value {
    const init = this.table.get(name);
    return init ? this.guarded(init, () => this.evaluate(init)) : undefined;
  }

  /** Evaluates once per node on the stack, so `const a = b; const b = a;` is unknown rather than endless. */
  private guarded(node: ts.Node, f: () => Value): Value {
    if (this.evaluating.has(node)) return undefined;
    this.evaluating.add(node);
    try {
      return f();
    } finally {
      this.evaluating.delete(node);
    }
  }

  private binary(op: ts.SyntaxKind, a: Value, b: Value): Value {
    const K = ts.SyntaxKind;
    if (
      op === K.PlusToken &&
      (typeof a === 'string' || typeof b === 'string') &&
      (typeof a === 'string' || typeof a === 'number') &&
      (typeof b === 'string' || typeof b === 'number')
    ) {
      return `${a}${b}`;
    }
    if (typeof a !== 'number' || typeof b !== 'number') return undefined;
    switch (op) {
      case K.PlusToken:
        return a + b;
      case K.MinusToken:
        return a - b;
      case K.AsteriskToken:
        return a * b;
      case K.SlashToken:
        return a / b;
      case K.PercentToken:
        return a % b;
      case K.AsteriskAsteriskToken:
        return a ** b;
      default:
        return undefined;
    }
  }
}

/** Strips what does not change a value: parentheses, `as`, `!`, `satisfies`, `<T>x`. */
export function unwrap(node: ts.Node): ts.Node {
  while (
    ts.isParenthesizedExpression(node) ||
    ts.isAsExpression(node) ||
    ts.isNonNullExpression(node) ||
    ts.isSatisfiesExpression(node) ||
    ts.isTypeAssertionExpression(node)
  ) {
    node = node.expression;
  }
  return node;
}

/**
 * A layer's config object as the rules read it. A spread (`...base`) or a computed key could set any key, so
 * then every key counts as present and unreadable.
 */
export function objectConfig(
  object: ts.ObjectLiteralExpression | undefined,
  constants: Constants,
): Config & { node(key: string): ts.Node | undefined } {
  const props = new Map<string, ts.Node>();
  let open = false;
  for (const p of object?.properties ?? []) {
    if (ts.isPropertyAssignment(p)) {
      if (ts.isComputedPropertyName(p.name)) open = true;
      else
        props.set(
          ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) || ts.isNumericLiteral(p.name)
            ? p.name.text
            : p.name.getText(),
          p.initializer,
        );
    } else if (ts.isShorthandPropertyAssignment(p)) props.set(p.name.text, p.name);
    else open = true;
  }
  return {
    has: (key) => open || props.has(key),
    get: (key) => constants.evaluate(props.get(key)),
    node: (key) => props.get(key),
  };
}
