/** The template sandbox: a worker pool that runs untrusted templates with time, memory and nesting limits. */
export {
  TemplateSandbox,
  DEFAULT_LIMITS,
  DEFAULT_TIMEOUTS,
  type CallOptions,
  type SandboxLimits,
  type SandboxOptions,
  type SandboxSelfTestReport,
  type SandboxTimeouts,
} from './pool.js';
export { SandboxError, SANDBOX_ERROR_CODES, isSandboxErrorCode, type SandboxErrorCode } from './errors.js';
export type { InstantiateManyValue, PingValue } from './protocol.js';
