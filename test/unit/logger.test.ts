import { afterEach, describe, expect, it, vi } from 'vitest';
import { logger } from '#functions/core/logger.ts';

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
});
