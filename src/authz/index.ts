/** The authoriser's public face: principals, the rules, authorised references. */
export * from './principal.js';
export * from './rules.js';
export * from './authorize.js';
export { memberOf, roleIn, roleOfColumn } from './sql.js';
