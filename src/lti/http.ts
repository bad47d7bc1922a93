/**
 * How the LTI code reaches platforms (JWKS, token, AGS, NRPS, dynamic registration): one
 * injectable fetch, so the service can route every platform request through its outbound
 * policy (e.g. refusing private addresses) in one place.
 */
export type LtiFetch = (url: string, init?: RequestInit) => Promise<Response>;

export const defaultFetch: LtiFetch = (url, init) => fetch(url, init);
