import { afterEach, describe, expect, it, vi } from 'vitest';
import { logger, withLogContext } from '#functions/core/logger.ts';

afterEach(() => vi.restoreAllMocks());

describe('logs', () => {
  it('never contain phone numbers, citizen IDs, passwords or tokens, however deep', () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
    logger.error('oops', { phone: '0912345678', nested: { citizenId: '038085001234', list: [{ password: 'pw' }] }, authorization: 'Bearer abc', ok: 'kept' });
    const line = lines.join('');
    for (const secret of ['0912345678', '038085001234', '"pw"', 'Bearer abc']) expect(line).not.toContain(secret);
    expect(JSON.parse(line)).toMatchObject({ level: 'error', message: 'oops', ok: 'kept', phone: '[redacted]' });
  });

  it('carry the request id of the request or invocation they were written in, across awaits, and only there', async () => {
    const lines: string[] = [];
    // Warnings: the tests' LOG_LEVEL may hide info lines.
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
    const deep = async () => {
      await new Promise((r) => setTimeout(r, 5));
      logger.warn('inner', { photoId: 'P1' });
    };
    await Promise.all([withLogContext({ requestId: 'req-a' }, deep), withLogContext({ requestId: 'req-b' }, () => withLogContext({ job: 'x' }, deep))]);
    logger.warn('outside');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.map(({ requestId, job, message }) => ({ requestId, job, message }))).toEqual(
      expect.arrayContaining([
        { requestId: 'req-a', job: undefined, message: 'inner' },
        { requestId: 'req-b', job: 'x', message: 'inner' },
        { requestId: undefined, job: undefined, message: 'outside' },
      ]),
    );
    expect(parsed).toHaveLength(3);
  });
});
