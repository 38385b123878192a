import type { CognitoAuthConfig } from '#shared/web-config.ts';
import { request } from '../core/api.ts';
import { answerStep, CognitoError, startSignIn, type SignInStep } from '../core/cognito.ts';
import { cognitoConfig } from '../core/config.ts';
import { saveSession } from '../core/session.ts';
import type { Me, Session } from '../core/types.ts';
import { t } from '../i18n/i18n.ts';
import { h, replace } from '../ui/dom.ts';
import { go } from '../ui/router.ts';
import { errorBox, field, input, notice, showError } from '../ui/widgets.ts';

type Pending = Exclude<SignInStep, { kind: 'done' }>;

/**
 * Sign-in. Locally the server checks the password (`/auth/login`); in the cloud the browser
 * talks to Cognito (SRP), then answers what the pool asks next — the authenticator code, its
 * first-time set-up, a new password — in the same card, and asks the API who it is.
 */
export async function loginView(): Promise<Node> {
  const expired = sessionStorage.getItem('ocop.expired') === '1';
  sessionStorage.removeItem('ocop.expired');
  const cognito = await cognitoConfig();
  const card = h('div', null);
  const passwordForm = (username = ''): HTMLFormElement => stepForm(
    [
      field(t.login.username, input({ name: 'username', value: username, autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', required: true }), { required: true }),
      field(t.login.password, input({ name: 'password', type: 'password', autocomplete: 'current-password', required: true }), { required: true }),
    ],
    t.login.submit,
    async (data) => {
      const username = String(data.get('username')).trim().toLowerCase();
      const password = String(data.get('password'));
      if (!cognito) {
        const res = await request<Session>('/auth/login', { method: 'POST', body: JSON.stringify({ username, password }) });
        return signedIn(res.data);
      }
      const restart = () => {
        // Cognito's sign-in session ran out between steps (or refused it): start again from the password.
        replace(card, notice('warn', t.login.restart), passwordForm(username));
        card.querySelector<HTMLInputElement>('input[name=password]')?.focus();
      };
      return follow({ cfg: cognito, card, restart }, await startSignIn(cognito, username, password));
    },
  );
  replace(card, passwordForm());
  return h('section', { class: 'page' }, h('h1', null, t.login.title), expired ? notice('warn', t.login.expired) : null, card);
}

/** A form of `fields` whose submit runs `onSubmit`, showing its error in place and re-enabling the button. */
function stepForm(fields: Node[], label: string, onSubmit: (data: FormData) => Promise<void>, intro: Node[] = []): HTMLFormElement {
  const box = errorBox();
  const submit = h('button', { type: 'submit', class: 'primary' }, label);
  const form = h('form', { class: 'stack card narrow', novalidate: true }, ...intro, ...fields, box, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    submit.textContent = t.login.busy;
    try {
      await onSubmit(new FormData(form));
    } catch (err) {
      showError(form, box, err);
      submit.disabled = false;
      submit.textContent = label;
    }
  });
  return form;
}

type Flow = { cfg: CognitoAuthConfig; card: HTMLElement; restart: () => void };

async function follow(flow: Flow, step: SignInStep): Promise<void> {
  if (step.kind === 'done') {
    const { accessToken, refreshToken, expiresAt } = step.tokens;
    const me = await request<Me>('/auth/me', { token: accessToken });
    return signedIn({ token: accessToken, expiresAt, ...(refreshToken ? { refreshToken } : {}), user: me.data });
  }
  const form = nextForm(flow, step);
  replace(flow.card, form);
  form.querySelector('input')?.focus();
}

function codeField(): Node {
  return field(t.login.code, input({ name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: 6, required: true }), { required: true, hint: t.login.codeHint });
}

function nextForm(flow: Flow, step: Pending): HTMLFormElement {
  const answer = (name: string) => async (data: FormData) => {
    let next: SignInStep;
    try {
      next = await answerStep(flow.cfg, step, String(data.get(name)).trim());
    } catch (e) {
      if (e instanceof CognitoError && e.type === 'NotAuthorizedException') return flow.restart();
      throw e;
    }
    return follow(flow, next);
  };
  switch (step.kind) {
    case 'mfa':
      return stepForm([codeField()], t.login.verify, answer('code'), [h('h2', null, t.login.codeTitle)]);
    case 'mfa-setup':
      return stepForm([codeField()], t.login.verify, answer('code'), [
        h('h2', null, t.login.setupTitle),
        h('p', null, t.login.setupHint),
        h('p', null, `${t.login.setupKey}: `, h('code', { class: 'totp-secret', 'data-secret': step.secret }, step.secret.replace(/(.{4})/g, '$1 ').trim())),
        h('p', null, h('a', { href: step.otpauthUri }, t.login.setupOpen)),
      ]);
    case 'new-password':
      return stepForm(
        [field(t.login.newPassword, input({ name: 'newPassword', type: 'password', autocomplete: 'new-password', required: true }), { required: true, hint: t.login.newPasswordHint })],
        t.login.submit,
        answer('newPassword'),
        [h('h2', null, t.login.newPasswordTitle)],
      );
  }
}

async function signedIn(session: Session): Promise<void> {
  // Responses cached for the previous user must not be shown to this one.
  await caches?.delete('ocop-data').catch(() => undefined);
  saveSession(session);
  window.dispatchEvent(new Event('ocop:session'));
  go('#/');
}
