import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Structured JSON logs. Personal data never reaches a log: fields whose names carry it are
 * replaced before writing, whatever the caller passes.
 */
const personalFields = /^(phone|citizenId|citizenIdHash|password|passwordHash|token|authorization)$/i;

function redact(value: unknown, depth = 0): unknown {
  if (depth > 5 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, personalFields.test(k) ? '[redacted]' : redact(v, depth + 1)]));
}

type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const threshold = order[(process.env.LOG_LEVEL as Level | undefined) ?? 'info'] ?? order.info;

/** Fields every line written within one request or invocation carries (its request id). */
const context = new AsyncLocalStorage<Record<string, unknown>>();

/** Runs `fn` so that every log line written within it — however deep — carries `fields` (e.g. `{ requestId }`). */
export function withLogContext<T>(fields: Record<string, unknown>, fn: () => T): T {
  return context.run({ ...context.getStore(), ...fields }, fn);
}

function write(level: Level, message: string, fields: Record<string, unknown> = {}) {
  if (order[level] < threshold) return;
  const line = JSON.stringify({ level, time: new Date().toISOString(), message, ...(redact({ ...context.getStore(), ...fields }) as object) });
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(line + '\n');
}

export const logger = {
  debug: (m: string, f?: Record<string, unknown>) => write('debug', m, f),
  info: (m: string, f?: Record<string, unknown>) => write('info', m, f),
  warn: (m: string, f?: Record<string, unknown>) => write('warn', m, f),
  error: (m: string, f?: Record<string, unknown>) => write('error', m, f),
};
