import { InvalidCursorError } from '#functions/core/errors.ts';
import type { Keyring } from '#functions/core/keyring.ts';
import type { PageState } from './table.ts';

/**
 * Page cursors are opaque and signed: the payload names the caller and the query it belongs
 * to, so a cursor cannot be forged, edited, or replayed by another user or for another query
 * to reach records outside that caller's scope.
 */
export type CursorCodec = {
  encode(state: PageState | undefined, binding: string): string | null;
  decode(token: string | undefined, binding: string): PageState | undefined;
};

export function createCursorCodec(keyring: Keyring): CursorCodec {
  return {
    encode(state, binding) {
      if (!state) return null;
      const payload = Buffer.from(JSON.stringify({ b: binding, s: state })).toString('base64url');
      return `${payload}.${keyring.sign(payload)}`;
    },
    decode(token, binding) {
      if (!token) return undefined;
      const [payload, signature, extra] = token.split('.');
      if (!payload || !signature || extra !== undefined || !keyring.verify(payload, signature)) throw new InvalidCursorError();
      let parsed: { b?: unknown; s?: PageState };
      try {
        parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        throw new InvalidCursorError();
      }
      if (parsed.b !== binding || !parsed.s || typeof parsed.s.p !== 'number') throw new InvalidCursorError();
      return parsed.s;
    },
  };
}
