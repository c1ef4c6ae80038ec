/** Injection tokens for the ports (interfaces have no runtime identity). */
export const APP_CONFIG = Symbol('APP_CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const READ_STORE = Symbol('READ_STORE');
export const KEY_VALUE_STORE = Symbol('KEY_VALUE_STORE');
/** Where the projections run (a worker thread, this thread, or another process), as the request thread sees them. */
export const PROJECTIONS = Symbol('PROJECTIONS');
/** Where rate limits count hits: this process's memory, or MongoDB (shared by every API instance). */
export const RATE_LIMIT_STORE = Symbol('RATE_LIMIT_STORE');
