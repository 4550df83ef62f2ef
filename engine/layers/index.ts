/** Every layer kind of the language, by the keyword that writes it. */
import { identity, leakyRelu, relu, sigmoid, tanh } from './activation';
import { elu, gelu, hardsigmoid, hardswish, relu6, silu } from './activationV2';
import { batchnorm } from './batchnorm';
import { conv } from './conv';
import { crop } from './crop';
import { deconv } from './deconv';
import { dense } from './dense';
import { dropout } from './dropout';
import { flatten } from './flatten';
import type { LayerKind } from './kind';
import { groupnorm } from './groupnorm';
import { add, concat } from './merge';
import { mul } from './mul';
import { pool } from './pool';
import { softmax } from './softmax';
import { upsample } from './upsample';

export const LAYER_KINDS: ReadonlyMap<string, LayerKind> = new Map(
  [
    conv,
    pool,
    dense,
    flatten,
    relu,
    leakyRelu,
    sigmoid,
    tanh,
    identity,
    softmax,
    dropout,
    batchnorm,
    add,
    concat,
    deconv,
    upsample,
    crop,
    relu6,
    gelu,
    silu,
    hardswish,
    hardsigmoid,
    elu,
    groupnorm,
    mul,
  ].map((k) => [k.kind, k as LayerKind]),
);

export type { LayerKind } from './kind';
