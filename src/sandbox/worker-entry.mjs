// The file piscina starts in each sandbox worker thread. Worker threads do not inherit a
// loader registered in the main thread (nor vitest's transform), and the pool starts them
// without tsx's own --import flags, so this registers tsx's loader here, once per thread,
// and loads the TypeScript worker through it. The first task waits for the module; later
// ones call the handler directly.
import { register } from 'tsx/esm/api';

register();
let worker;
const loaded = import('./worker.ts').then((m) => (worker = m.default));

export default function handle(envelope) {
  return worker ? worker(envelope) : loaded.then((w) => w(envelope));
}
