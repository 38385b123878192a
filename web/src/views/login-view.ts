import { request } from '../core/api.ts';
import { saveSession } from '../core/session.ts';
import type { Session } from '../core/types.ts';
import { t } from '../i18n/i18n.ts';
import { h } from '../ui/dom.ts';
import { go } from '../ui/router.ts';
import { errorBox, field, input, notice, showError } from '../ui/widgets.ts';

export function loginView(): Node {
  const expired = sessionStorage.getItem('ocop.expired') === '1';
  sessionStorage.removeItem('ocop.expired');
  const box = errorBox();
  const submit = h('button', { type: 'submit', class: 'primary' }, t.login.submit);
  const form = h(
    'form',
    { class: 'stack card narrow', novalidate: true },
    field(t.login.username, input({ name: 'username', autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', required: true }), { required: true }),
    field(t.login.password, input({ name: 'password', type: 'password', autocomplete: 'current-password', required: true }), { required: true }),
    box,
    submit,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const data = new FormData(form);
    submit.disabled = true;
    submit.textContent = t.login.busy;
    try {
      const res = await request<Session>('/auth/login', { method: 'POST', body: JSON.stringify({ username: String(data.get('username')).trim(), password: String(data.get('password')) }) });
      // Responses cached for the previous user must not be shown to this one.
      await caches?.delete('ocop-data').catch(() => undefined);
      saveSession(res.data);
      window.dispatchEvent(new Event('ocop:session'));
      go('#/');
    } catch (err) {
      showError(form, box, err);
      submit.disabled = false;
      submit.textContent = t.login.submit;
    }
  });
  return h('section', { class: 'page' }, h('h1', null, t.login.title), expired ? notice('warn', t.login.expired) : null, form);
}
