/**
 * The web app's API types are generated from the OpenAPI document the service serves. This
 * fails when a route or schema changed and `npm run web:api` was not run: the committed types
 * would then describe an API that no longer exists.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, apiTypesOf, servedDocument } from '../../scripts/api-types.js';

describe('web/src/api/schema.d.ts', () => {
  it('matches the served OpenAPI document', async () => {
    const expected = await apiTypesOf(await servedDocument());
    const committed = readFileSync(API_TYPES_FILE, 'utf8');
    expect(committed === expected, 'the API changed: run `npm run web:api` and commit web/src/api/schema.d.ts').toBe(true);
  });
});
