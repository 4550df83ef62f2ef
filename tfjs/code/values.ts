/**
 * The values a model's shapes can depend on, read without running anything: literals, `const` names bound once
 * in the file, and simple arithmetic on them (+ − * / % **, unary minus, parentheses, arrays, a const object's
 * property). Anything else (a function's parameter, a `let`, a call, a name declared twice) is `undefined`, which
 * the shape rules take as unknown: a value CNN Lens cannot be sure of never produces an error.
 */
import { type Expression, Node, type ObjectLiteralExpression, type SourceFile, SyntaxKind, VariableDeclarationKind } from 'ts-morph';
import type { Config, Value } from './rules';

export class Constants {
  /** A name's initializer when the file declares that name exactly once, as a const; null when declared otherwise. */
  private readonly table = new Map<string, Expression | null>();
  private readonly evaluating = new Set<Node>();

  constructor(file: SourceFile) {
    const declare = (name: string, init: Expression | null) => this.table.set(name, this.table.has(name) ? null : init);
    file.forEachDescendant((node) => {
      if (Node.isVariableDeclaration(node)) {
        const nameNode = node.getNameNode();
        if (!Node.isIdentifier(nameNode)) return;
        const init = node.getInitializer();
        const isConst = node.getVariableStatement()?.getDeclarationKind() === VariableDeclarationKind.Const;
        declare(nameNode.getText(), isConst && init ? init : null);
      } else if (Node.isParameterDeclaration(node) || Node.isFunctionDeclaration(node) || Node.isClassDeclaration(node)) {
        const name = node.getName();
        if (name) declare(name, null);
      }
    });
  }

  /** The value of an expression, or undefined when it is not a literal, a const or simple arithmetic on them. */
  evaluate(node: Node | undefined): Value {
    if (!node) return undefined;
    if (Node.isNumericLiteral(node)) return node.getLiteralValue();
    if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) return node.getLiteralValue();
    if (Node.isTrueLiteral(node)) return true;
    if (Node.isFalseLiteral(node)) return false;
    if (Node.isNullLiteral(node)) return null;
    if (Node.isParenthesizedExpression(node) || Node.isAsExpression(node) || Node.isNonNullExpression(node) || Node.isSatisfiesExpression(node)) {
      return this.evaluate(node.getExpression());
    }
    if (Node.isArrayLiteralExpression(node)) {
      const items = node.getElements().map((e) => (Node.isSpreadElement(e) || Node.isOmittedExpression(e) ? undefined : this.evaluate(e)));
      return items.some((v) => v === undefined) ? undefined : items;
    }
    if (Node.isPrefixUnaryExpression(node)) {
      const v = this.evaluate(node.getOperand());
      if (typeof v !== 'number') return undefined;
      const op = node.getOperatorToken();
      return op === SyntaxKind.MinusToken ? -v : op === SyntaxKind.PlusToken ? v : undefined;
    }
    if (Node.isBinaryExpression(node)) return this.binary(node.getOperatorToken().getKind(), this.evaluate(node.getLeft()), this.evaluate(node.getRight()));
    if (Node.isIdentifier(node)) return this.constant(node.getText());
    if (Node.isPropertyAccessExpression(node)) {
      const object = node.getExpression();
      const init = Node.isIdentifier(object) ? this.table.get(object.getText()) : undefined;
      const literal = init && unwrap(init);
      if (!literal || !Node.isObjectLiteralExpression(literal)) return undefined;
      return this.guarded(literal, () => objectConfig(literal, this).get(node.getName()));
    }
    if (Node.isElementAccessExpression(node)) {
      const array = this.evaluate(node.getExpression());
      const index = this.evaluate(node.getArgumentExpression());
      return Array.isArray(array) && typeof index === 'number' ? array[index] : undefined;
    }
    return undefined;
  }

  private constant(name: string): Value {
    const init = this.table.get(name);
    return init ? this.guarded(init, () => this.evaluate(init)) : undefined;
  }

  /** Evaluates once per node on the stack, so `const a = b; const b = a;` is unknown rather than endless. */
  private guarded(node: Node, f: () => Value): Value {
    if (this.evaluating.has(node)) return undefined;
    this.evaluating.add(node);
    try {
      return f();
    } finally {
      this.evaluating.delete(node);
    }
  }

  private binary(op: SyntaxKind, a: Value, b: Value): Value {
    if (op === SyntaxKind.PlusToken && (typeof a === 'string' || typeof b === 'string') && a !== undefined && b !== undefined && !Array.isArray(a) && !Array.isArray(b)) {
      return `${a}${b}`;
    }
    if (typeof a !== 'number' || typeof b !== 'number') return undefined;
    switch (op) {
      case SyntaxKind.PlusToken:
        return a + b;
      case SyntaxKind.MinusToken:
        return a - b;
      case SyntaxKind.AsteriskToken:
        return a * b;
      case SyntaxKind.SlashToken:
        return a / b;
      case SyntaxKind.PercentToken:
        return a % b;
      case SyntaxKind.AsteriskAsteriskToken:
        return a ** b;
      default:
        return undefined;
    }
  }
}

/** Strips what does not change a value: parentheses, `as`, `!`, `satisfies`. */
export function unwrap(node: Node): Node {
  while (Node.isParenthesizedExpression(node) || Node.isAsExpression(node) || Node.isNonNullExpression(node) || Node.isSatisfiesExpression(node)) {
    node = node.getExpression();
  }
  return node;
}

/**
 * A layer's config object as the rules read it. A spread (`...base`) or a computed key could set any key, so
 * then every key counts as present and unreadable.
 */
export function objectConfig(object: ObjectLiteralExpression | undefined, constants: Constants): Config & { node(key: string): Node | undefined } {
  const props = new Map<string, Node>();
  let open = false;
  for (const p of object?.getProperties() ?? []) {
    if (Node.isPropertyAssignment(p)) {
      const name = p.getNameNode();
      if (Node.isComputedPropertyName(name)) open = true;
      else props.set(Node.isStringLiteral(name) ? name.getLiteralValue() : name.getText(), p.getInitializerOrThrow());
    } else if (Node.isShorthandPropertyAssignment(p)) props.set(p.getName(), p.getNameNode());
    else open = true;
  }
  return {
    has: (key) => open || props.has(key),
    get: (key) => constants.evaluate(props.get(key)),
    node: (key) => props.get(key),
  };
}
