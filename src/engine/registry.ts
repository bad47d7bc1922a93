/**
 * The registry of engine functions a template expression may call (besides the mathjs built-ins
 * that expr.ts allows).
 *
 * Templates come from instructors over the API and are untrusted, so what they can reach is an
 * explicit list rather than "whatever a module happens to export": each module declares the
 * functions it offers, `export const offers = { svmLoss, softmax } satisfies Offers`, and this
 * file assembles those declarations into one registry. A function a module exports only for its
 * neighbours (the validation helpers of nn/shapes.ts, the unchecked kernels of nn/kernels.ts,
 * autodiff's parseGraph) is not offered, so no template can call it. The sandbox installs exactly
 * the registry's functions, and the authors' reference (docs/functions.md, written by
 * scripts/function-reference.ts) is generated from their doc comments, in the order of SOURCES.
 * Those comments are written for template authors: Markdown, the course notes' notation, an
 * @param for every argument, and @example lines in template syntax (`expr // value`), which
 * test/engine/function-reference.test.ts evaluates. Run `npm run docs:functions` after a change.
 */
import { offers as autodiff } from './autodiff.js';
import { offers as helpers } from './helpers.js';
import { offers as activations } from './nn/activations.js';
import { offers as attention } from './nn/attention.js';
import { offers as batchnorm } from './nn/batchnorm.js';
import { offers as conv } from './nn/conv.js';
import { offers as distance } from './nn/distance.js';
import { offers as dropout } from './nn/dropout.js';
import { offers as init } from './nn/init.js';
import { offers as knn } from './nn/knn.js';
import { offers as linear } from './nn/linear.js';
import { offers as losses } from './nn/losses.js';
import { offers as optimizers } from './nn/optimizers.js';
import { offers as positional } from './nn/positional.js';
import { offers as regularization } from './nn/regularization.js';
import { offers as rnn } from './nn/rnn.js';
import { offers as schedules } from './nn/schedules.js';

/**
 * A function a template may call. Its arguments come from an untrusted expression, so it must
 * validate them itself (the nn functions do, naming the function and the argument).
 */
export type TemplateFunction = (...args: never[]) => unknown;

/** The functions one module offers to templates, each under its own name. */
export type Offers = Readonly<Record<string, TemplateFunction>>;

/** One module's offers and where they appear in the reference. */
export interface OfferSource {
  /** The module's path under src/engine/ without the extension: 'nn/losses', 'helpers'. */
  readonly module: string;
  /** The reference section the module's functions are listed under. */
  readonly topic: string;
  readonly offers: Offers;
}

/** A function of the registry: its name in templates, the function, and who offers it. */
export interface RegistryEntry {
  readonly name: string;
  readonly fn: TemplateFunction;
  readonly module: string;
  readonly topic: string;
}

/** The modules that offer functions to templates, in the order of the reference (the course's). */
export const SOURCES: readonly OfferSource[] = [
  { module: 'helpers', topic: 'Indexing and formatting', offers: helpers },
  { module: 'nn/distance', topic: 'Distances', offers: distance },
  { module: 'nn/knn', topic: 'k-nearest neighbours', offers: knn },
  { module: 'nn/linear', topic: 'Linear classifiers', offers: linear },
  { module: 'nn/losses', topic: 'Losses', offers: losses },
  { module: 'nn/regularization', topic: 'Regularization', offers: regularization },
  { module: 'nn/optimizers', topic: 'Optimizers', offers: optimizers },
  { module: 'nn/schedules', topic: 'Learning-rate schedules', offers: schedules },
  { module: 'autodiff', topic: 'Backpropagation', offers: autodiff },
  { module: 'nn/activations', topic: 'Activation functions', offers: activations },
  { module: 'nn/init', topic: 'Weight initialization', offers: init },
  { module: 'nn/batchnorm', topic: 'Batch normalization', offers: batchnorm },
  { module: 'nn/dropout', topic: 'Dropout', offers: dropout },
  { module: 'nn/conv', topic: 'Convolution and pooling', offers: conv },
  { module: 'nn/rnn', topic: 'Recurrent networks', offers: rnn },
  { module: 'nn/attention', topic: 'Attention', offers: attention },
  { module: 'nn/positional', topic: 'Positional encoding', offers: positional },
];

// Template function names are plain identifiers starting lowercase, like mathjs's own.
const NAME = /^[a-z][A-Za-z0-9]*$/;

/**
 * Assembles the registry from the modules' offers. Throws when two modules offer the same name
 * (one would silently replace the other), when a name is not a plain identifier, or when a
 * function is offered under a name other than its own (its error messages, which start with
 * its own name, would then name a function the author never called).
 */
export function buildRegistry(sources: readonly OfferSource[]): ReadonlyMap<string, RegistryEntry> {
  const registry = new Map<string, RegistryEntry>();
  for (const { module, topic, offers } of sources) {
    for (const [name, fn] of Object.entries(offers)) {
      if (!NAME.test(name)) throw new Error(`${module} offers '${name}', which is not a template function name (${String(NAME)})`);
      if (typeof fn !== 'function') throw new Error(`${module} offers '${name}', which is not a function`);
      if (fn.name !== name) throw new Error(`${module} offers the function '${fn.name}' under another name, '${name}'`);
      const other = registry.get(name);
      if (other) throw new Error(`template function '${name}' is offered twice: by ${other.module} and by ${module}`);
      registry.set(name, { name, fn, module, topic });
    }
  }
  return registry;
}

/** Every function a template may call, by name, in the order of SOURCES. */
export const REGISTRY: ReadonlyMap<string, RegistryEntry> = buildRegistry(SOURCES);
