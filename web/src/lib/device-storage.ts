/**
 * localStorage where the browser allows it, else this page's memory. In an LMS's iframe (an LTI
 * launch) the browser may deny a third-party document its storage: reading `localStorage` then
 * throws a SecurityError. The exam page keeps working (answers still go to the server as typed);
 * only what survives a reload is lost in that case.
 */
const memory = new Map<string, string>();

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export const deviceStorage = {
  getItem(key: string): string | null {
    try {
      return storage()?.getItem(key) ?? memory.get(key) ?? null;
    } catch {
      return memory.get(key) ?? null;
    }
  },
  setItem(key: string, value: string): void {
    try {
      const s = storage();
      if (s) {
        s.setItem(key, value);
        return;
      }
    } catch {
      // Denied, or full: memory below.
    }
    memory.set(key, value);
  },
  removeItem(key: string): void {
    memory.delete(key);
    try {
      storage()?.removeItem(key);
    } catch {
      // Nothing stored there.
    }
  },
};
