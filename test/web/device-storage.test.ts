/** Where the browser denies a document its storage (a third-party iframe), the page's memory stands in. */
import { afterEach, describe, expect, it } from 'vitest';
import { deviceStorage } from '../../web/src/lib/device-storage.js';

const g = globalThis as { window?: unknown };
afterEach(() => {
  delete g.window;
});

describe('deviceStorage', () => {
  it('uses localStorage where it is allowed', () => {
    const store = new Map<string, string>();
    g.window = {
      localStorage: {
        getItem: (k: string) => store.get(k) ?? null,
        setItem: (k: string, v: string) => store.set(k, v),
        removeItem: (k: string) => store.delete(k),
      },
    };
    deviceStorage.setItem('a', '1');
    expect(store.get('a')).toBe('1');
    expect(deviceStorage.getItem('a')).toBe('1');
    deviceStorage.removeItem('a');
    expect(store.has('a')).toBe(false);
  });

  it('falls back to memory when reading localStorage throws (SecurityError)', () => {
    g.window = {
      get localStorage(): never {
        throw new Error("Failed to read the 'localStorage' property from 'Window': Access is denied for this document.");
      },
    };
    expect(deviceStorage.getItem('b')).toBeNull();
    deviceStorage.setItem('b', '2');
    expect(deviceStorage.getItem('b')).toBe('2');
    deviceStorage.removeItem('b');
    expect(deviceStorage.getItem('b')).toBeNull();
  });
});
