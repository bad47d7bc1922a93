/** The numeric engine: deep-learning functions, templates, variants and grading. No I/O beyond reading template files. */
export * from './nn/index.js';
export * from './errors.js';
export { formatNumber, formatValue } from './format.js';
export { compileExpression, ALLOWED_FUNCTIONS, MATHJS_FUNCTIONS, MAX_EXPRESSION_LENGTH, MAX_EXPRESSION_DEPTH, type CompiledExpression } from './expr.js';
export { REGISTRY, type RegistryEntry, type Offers } from './registry.js';
export { createRng, MAX_SEED, type Rng } from './rng.js';
export * from './template-schema.js';
export * from './template.js';
export { shownChoices, shufflesChoices, type ShownChoices } from './choices.js';
export * from './grade.js';
export { withinTolerance, allowedError, roundSig, describeTolerance } from './tolerance.js';
export { parseNumber, parseInteger, parseVector, parseMatrix, parseChoice } from './answer-parse.js';
export { checkCatalogue, loadCatalogue, loadTemplateFile, templateFiles } from './catalogue.js';
