/** Hand-written backward rules (DSL.md, "Backward rules written by hand"): parse, check, standard rules, evaluate. */
export type { CompiledRule } from '../analysis';
export { RULE_FUNCTIONS, compileRule, environment } from './check';
export { type Tensor, evaluateRule } from './evaluate';
export { standardRules } from './standard';
export { type Expr, type ParsedRule, parseRule } from './syntax';
