/** Hand-written backward rules (docs/language.md, "`backward`"): parse, check, standard rules, evaluate. */
export type { CompiledRule } from '../analysis';
export { RULE_FUNCTIONS, compileRule, environment } from './check';
export { type Tensor, evaluateRule } from './evaluate';
export { standardRules } from './standard';
export { type Expr, type ParsedRule, parseRule } from './syntax';
