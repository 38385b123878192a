/**
 * The administrator's users screen (loaded on demand): every account with its role, scope and
 * status, editing the role and scope, disable / enable, resetting the sign-in of a user who
 * forgot the password or lost the phone, and a form to create one. Needs a connection: nothing
 * here is queued.
 */
import { userLimits } from '#shared/field-limits.ts';
import type { User } from '#shared/schemas/user.ts';
import { scopeIssues } from '#shared/user-scope.ts';
import { ApiError, forgetKey, get, keyFor, query, request, sendDirect } from '../core/api.ts';
import { me } from '../core/app-state.ts';
import { cognitoConfig } from '../core/config.ts';
import { communeByCode, communes, loadCommuneIndex } from '../core/reference.ts';
import type { Commune, Page, Producer, Role } from '../core/types.ts';
import { errorMessage, t } from '../i18n/i18n.ts';
import { h, replace } from '../ui/dom.ts';
import { chip, clearFieldErrors, communePicker, confirmDialog, errorBox, field, input, notice, select, setFieldError, showError, toast } from '../ui/widgets.ts';
import { facts, loadFailed, section } from './common.ts';
import { producerPicker } from './producer-picker.ts';

/** Cognito's password policy (infra/stateful-stack.ts), checked before the pool refuses it in English. */
const cloudPassword = (p: string) => p.length >= 12 && /[a-z]/.test(p) && /[A-Z]/.test(p) && /\d/.test(p) && /[^A-Za-z0-9]/.test(p);

/** What is wrong with a password an administrator sets (the API's rule, and the pool's where sign-in is Cognito), or null. */
function passwordError(p: string, isCognito: boolean): string | null {
  if (!p) return t.fieldRules.required(0);
  if (p.length < userLimits.password.min) return t.fieldRules.too_short(userLimits.password.min);
  if (isCognito && !cloudPassword(p)) return t.admin.users.passwordHintCognito;
  return null;
}

/** The password field of the create and reset forms, with the hint of the sign-in in use. */
function passwordField(label: string, isCognito: boolean): { el: HTMLElement; input: HTMLInputElement } {
  const control = input({ type: 'password', name: 'password', autocomplete: 'new-password', maxlength: userLimits.password.max });
  return { el: field(label, control, { required: true, path: 'password', hint: isCognito ? t.admin.users.passwordHintCognito : t.admin.users.passwordHint(userLimits.password.min) }), input: control };
}

export async function usersView(): Promise<Node> {
  const [list, cognito] = await Promise.all([communes(), cognitoConfig(), loadCommuneIndex()]);
  const usersBox = h('div', null, h('p', { class: 'muted' }, t.common.loading));
  const users = usersList(usersBox, list, cognito !== null);
  void users.load();
  return h(
    'section',
    { class: 'page' },
    h('h1', null, t.admin.users.title),
    section(t.admin.users.list, usersBox),
    section(t.admin.users.create, createForm(list, cognito !== null, (u) => void users.load(u))),
  );
}

/** The users, a page at a time ("Xem thêm"), each with its disable / enable button. */
function usersList(box: HTMLElement, list: Commune[], isCognito: boolean): { load: (created?: User) => Promise<void> } {
  const self = me();
  const ul = h('ul', { class: 'cards', 'data-testid': 'users' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, t.common.more);
  const producers = new Map<string, Promise<Producer | null>>();
  let cursor: string | null = null;

  /** A cooperative account's producer, read once for its card and its edit form (null when it cannot be read; asked again next time). */
  const producerOf = (id: string) => {
    let found = producers.get(id);
    if (!found) {
      found = get<Producer>(`/producers/${id}`).catch(() => {
        producers.delete(id);
        return null;
      });
      producers.set(id, found);
    }
    return found;
  };
  const scopeOf = (u: User): HTMLElement => {
    if (u.role === 'officer') return h('span', null, (u.communes ?? []).map((c) => communeByCode(c)?.fullName ?? c).join(', '));
    if (u.role !== 'cooperative' || !u.producerId) return h('span', null, t.scope.province);
    const span = h('span', null, '…');
    const id = u.producerId;
    void producerOf(id).then((p) => (span.textContent = p?.name ?? id));
    return span;
  };
  const card = (u: User): HTMLElement => {
    const own = u.id === self?.id;
    const actions = own
      ? null
      : h(
          'div',
          { class: 'actions' },
          h('button', { type: 'button', class: 'secondary small', 'aria-label': t.admin.users.editLabel(u.username), onclick: () => void edit(u, li) }, t.common.edit),
          h('button', { type: 'button', class: 'secondary small', 'data-action': 'reset', 'aria-label': t.admin.users.resetLabel(u.username), onclick: () => resetSignIn(u, li) }, t.admin.users.reset),
          h(
            'button',
            {
              type: 'button',
              class: u.disabled ? 'secondary small' : 'danger small',
              'data-action': 'toggle',
              'aria-label': u.disabled ? t.admin.users.enableLabel(u.username) : t.admin.users.disableLabel(u.username),
              onclick: () => void toggle(u, li),
            },
            u.disabled ? t.admin.users.enable : t.admin.users.disable,
          ),
        );
    const li = h(
      'li',
      { class: 'user', 'data-username': u.username },
      h('strong', null, u.username, own ? ` ${t.admin.users.you}` : ''),
      facts([
        [t.admin.users.role, t.roles[u.role]],
        [t.admin.users.scope, scopeOf(u)],
        [t.admin.users.status, u.disabled ? chip(t.admin.users.disabled, 'rejected') : chip(t.admin.users.active, 'live')],
      ]),
      actions,
    );
    return li;
  };
  /** Swaps the card for a form to change the role and scope (a cooperative's producer chosen in it); saved with the version the card showed. */
  const edit = async (u: User, li: HTMLElement) => {
    const producer = u.producerId ? await producerOf(u.producerId) : null;
    if (!li.isConnected) return;
    const editing = h('li', { class: 'user', 'data-username': u.username });
    const form = editForm(list, u, producer, {
      saved: (next) => {
        const fresh = card(next);
        editing.replaceWith(fresh);
        fresh.querySelector('button')?.focus();
        toast(t.admin.users.savedDone(u.username));
      },
      cancelled: () => {
        editing.replaceWith(li);
        li.querySelector('button')?.focus();
      },
      stale: () => {
        toast(t.errors.VERSION_CONFLICT, 'warn');
        void load();
      },
    });
    editing.append(form);
    li.replaceWith(editing);
    form.querySelector<HTMLElement>('select')?.focus();
  };
  /** Swaps the card for the sign-in reset form; the card comes back when it is done or cancelled. */
  const resetSignIn = (u: User, li: HTMLElement) => {
    const resetting = h('li', { class: 'user', 'data-username': u.username });
    const back = (message?: string) => {
      resetting.replaceWith(li);
      li.querySelector<HTMLElement>('button[data-action=reset]')?.focus();
      if (message) toast(message);
    };
    const form = resetForm(u, isCognito, { done: () => back(isCognito ? t.admin.users.resetDoneCognito(u.username) : t.admin.users.resetDone(u.username)), cancelled: () => back() });
    resetting.append(form);
    li.replaceWith(resetting);
    form.querySelector<HTMLElement>('input')?.focus();
  };
  const toggle = async (u: User, li: HTMLElement) => {
    const disabling = !u.disabled;
    const ok = await confirmDialog(disabling ? t.admin.users.confirmDisable(u.username) : t.admin.users.confirmEnable(u.username), disabling ? t.admin.users.disable : t.admin.users.enable);
    if (!ok) return;
    try {
      const body = JSON.stringify({ disabled: disabling });
      const res = await request<User>(`/users/${encodeURIComponent(u.id)}`, { method: 'PATCH', body, idempotencyKey: crypto.randomUUID() });
      const next = card(res.data);
      li.replaceWith(next);
      next.querySelector<HTMLElement>('button[data-action=toggle]')?.focus();
      toast(disabling ? t.admin.users.disabledDone(u.username) : t.admin.users.enabledDone(u.username));
    } catch (e) {
      toast(errorMessage(e), 'warn');
    }
  };
  const page = async (from: string | null) => {
    const res = await get<Page<User>>(`/users${query({ limit: 25, cursor: from })}`);
    ul.append(...res.items.map(card));
    cursor = res.nextCursor;
    more.hidden = !cursor;
  };
  more.addEventListener('click', () => {
    more.disabled = true;
    page(cursor)
      .catch((e: unknown) => toast(errorMessage(e), 'warn'))
      .finally(() => (more.disabled = false));
  });
  /** (Re)loads from the first page; a user just created is shown even when it sorts beyond it. */
  const load = async (created?: User) => {
    ul.replaceChildren();
    try {
      await page(null);
    } catch (e) {
      replace(box, loadFailed(e));
      return;
    }
    if (created && !ul.querySelector(`[data-username="${CSS.escape(created.username)}"]`)) ul.prepend(card(created));
    replace(box, ul.children.length ? ul : h('p', { class: 'muted' }, t.admin.users.empty), more);
  };
  return { load };
}

/**
 * The role and the scope it asks for — communes for an officer, the producer for a cooperative —
 * with the API's rules checked before sending. The create and edit forms share it.
 */
function scopeFields(list: Commune[], initial?: User, initialProducer?: Producer | null) {
  const role = select(
    (Object.keys(t.roles) as Role[]).map((r) => [r, t.roles[r]]),
    { name: 'role', value: initial?.role ?? 'officer' },
  );
  const chosen = communesChooser(list, initial?.communes);
  // Searched for by name, tax code or phone, as in the new-product form: the province has too many for one list.
  const producer = producerPicker({ name: 'producerId', label: t.admin.users.producer, value: initial?.producerId, preset: initialProducer, required: true });
  const sync = () => {
    chosen.el.hidden = role.value !== 'officer';
    producer.el.hidden = role.value !== 'cooperative';
  };
  role.addEventListener('change', sync);
  sync();
  /** The role with the scope it asks for; a field left empty is left out, as the API's rules expect. */
  const value = (): { role: Role; communes?: string[]; producerId?: string } => {
    const r = role.value as Role;
    const codes = chosen.codes();
    return { role: r, ...(r === 'officer' && codes.length ? { communes: codes } : {}), ...(r === 'cooperative' && producer.value() ? { producerId: producer.value() } : {}) };
  };
  return {
    els: [field(t.admin.users.role, role, { required: true, path: 'role' }), chosen.el, producer.el],
    /** Each rule the chosen role and scope break, as [field path, words]. */
    errors(): [string, string][] {
      return scopeIssues(value()).map((i) => [i.path, t.fieldRules[i.rule](0)]);
    },
    value,
    reset() {
      chosen.reset();
      producer.clear();
    },
  };
}

/** Changing one user's role and scope, in place of its card. */
function editForm(list: Commune[], u: User, producer: Producer | null, on: { saved: (u: User) => void; cancelled: () => void; stale: () => void }): HTMLElement {
  const box = errorBox();
  const scope = scopeFields(list, u, producer);
  const save = h('button', { type: 'submit', class: 'primary small' }, t.common.save);
  const cancel = h('button', { type: 'button', class: 'secondary small', onclick: () => on.cancelled() }, t.common.cancel);
  const form = h(
    'form',
    { class: 'stack', novalidate: true, 'aria-label': t.admin.users.editLabel(u.username) },
    h('strong', null, u.username),
    ...scope.els,
    box,
    h('div', { class: 'actions' }, save, cancel),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    box.hidden = true;
    clearFieldErrors(form);
    const errors = scope.errors();
    for (const [path, message] of errors) setFieldError(form, path, message);
    if (errors.length) {
      form.querySelector<HTMLElement>('[aria-invalid=true]')?.focus();
      return;
    }
    save.disabled = true;
    try {
      const body = JSON.stringify({ version: u.version, ...scope.value() });
      const res = await request<User>(`/users/${encodeURIComponent(u.id)}`, { method: 'PATCH', body, idempotencyKey: crypto.randomUUID() });
      on.saved(res.data);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'VERSION_CONFLICT') on.stale();
      else showError(form, box, err);
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

/**
 * Resetting one user's sign-in, in place of its card: the password to hand over (temporary where
 * sign-in is Cognito) and, there, whether to forget the authenticator app of a lost phone.
 */
function resetForm(u: User, isCognito: boolean, on: { done: () => void; cancelled: () => void }): HTMLElement {
  const box = errorBox();
  const password = passwordField(isCognito ? t.admin.users.resetPasswordCognito : t.admin.users.resetPassword, isCognito);
  const authenticatorId = `reset-authenticator-${u.id}`;
  const authenticator = h('input', { type: 'checkbox', id: authenticatorId, name: 'authenticator' });
  const submit = h('button', { type: 'submit', class: 'primary small' }, t.admin.users.resetSubmit);
  const form = h(
    'form',
    { class: 'stack', novalidate: true, 'aria-label': t.admin.users.resetLabel(u.username) },
    h('strong', null, u.username),
    h('p', { class: 'hint' }, t.admin.users.resetHelp),
    password.el,
    isCognito ? h('div', { class: 'check' }, authenticator, h('label', { for: authenticatorId }, t.admin.users.resetAuthenticator)) : null,
    box,
    h('div', { class: 'actions' }, submit, h('button', { type: 'button', class: 'secondary small', onclick: () => on.cancelled() }, t.common.cancel)),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    box.hidden = true;
    clearFieldErrors(form);
    const error = passwordError(password.input.value, isCognito);
    if (error) {
      setFieldError(form, 'password', error);
      password.input.focus();
      return;
    }
    submit.disabled = true;
    try {
      const body = JSON.stringify({ password: password.input.value, authenticator: isCognito && authenticator.checked });
      // Sent at once (never queued); a retry after no answer reuses the key. The key is named without the password.
      await sendDirect<User>(`sign-in-reset|${u.id}|${authenticator.checked}`, `/users/${encodeURIComponent(u.id)}/sign-in-reset`, { method: 'POST', body });
      password.input.value = '';
      on.done();
    } catch (err) {
      showError(form, box, err);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

/** The create form: role first decides what else is asked (communes for an officer, the producer for a cooperative). */
function createForm(list: Commune[], isCognito: boolean, onCreated: (u: User) => void): HTMLElement {
  const box = errorBox();
  const done = h('div', { 'aria-live': 'polite' });
  const username = input({ name: 'username', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', maxlength: userLimits.username.max });
  const { el: passwordEl, input: password } = passwordField(t.admin.users.password, isCognito);
  const scope = scopeFields(list);
  const submit = h('button', { type: 'submit', class: 'primary' }, t.admin.users.submit);
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    field(t.admin.users.username, username, { required: true, path: 'username', hint: t.admin.users.usernameHint }),
    passwordEl,
    isCognito ? notice('info', h('span', { 'data-testid': 'cognito-note' }, t.admin.users.cognitoNote)) : null,
    ...scope.els,
    box,
    h('div', { class: 'actions' }, submit),
    done,
  );
  /** The API's rules, checked before sending: each failure marked on its field. */
  const check = (): Record<string, unknown> | null => {
    clearFieldErrors(form);
    const name = username.value.trim().toLowerCase();
    const errors: [string, string][] = [];
    if (!name) errors.push(['username', t.fieldRules.required(0)]);
    else if (!userLimits.username.pattern.test(name)) errors.push(['username', t.admin.users.usernameHint]);
    const badPassword = passwordError(password.value, isCognito);
    if (badPassword) errors.push(['password', badPassword]);
    errors.push(...scope.errors());
    for (const [path, message] of errors) setFieldError(form, path, message);
    if (errors.length) return null;
    return { username: name, password: password.value, ...scope.value() };
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    box.hidden = true;
    replace(done);
    const body = check();
    if (!body) {
      form.querySelector<HTMLElement>('[aria-invalid=true]')?.focus();
      return;
    }
    submit.disabled = true;
    try {
      const payload = JSON.stringify(body);
      // The key is named by what is sent but the password (which is not kept), and forgotten once the user exists.
      const what = `user|${JSON.stringify({ ...body, password: undefined })}`;
      const res = await request<User>('/users', { method: 'POST', body: payload, idempotencyKey: keyFor(what) });
      forgetKey(what);
      replace(done, notice('ok', t.admin.users.created(res.data.username)));
      toast(t.admin.users.created(res.data.username));
      username.value = '';
      password.value = '';
      scope.reset();
      onCreated(res.data);
      username.focus();
    } catch (err) {
      showError(form, box, err);
      if (err instanceof ApiError && err.code === 'USERNAME_TAKEN') setFieldError(form, 'username', t.errors.USERNAME_TAKEN);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

/**
 * Several communes: the commune picker (loose search, keyboard) adds the one chosen to a list,
 * each with a button to take it off again.
 */
function communesChooser(list: Commune[], initial: readonly string[] = []): { el: HTMLElement; codes: () => string[]; reset: () => void } {
  const chosen: Commune[] = initial.map((code) => communeByCode(code)).filter((c): c is Commune => c !== undefined);
  const ul = h('ul', { class: 'plain chosen', 'aria-label': t.admin.users.chosen, 'data-testid': 'chosen-communes' });
  const empty = h('p', { class: 'muted small' }, t.admin.users.noneChosen);
  const picker = communePicker(list, {
    name: 'communes',
    label: t.admin.users.communes,
    hint: t.admin.users.communesHint,
    onChange: (c) => {
      if (!c) return;
      if (!chosen.some((x) => x.code === c.code)) chosen.push(c);
      text.value = '';
      hidden.value = '';
      setFieldError(picker.closest('form') ?? picker, 'communes', null);
      draw();
    },
  });
  const text = picker.querySelector<HTMLInputElement>('input[role=combobox]')!;
  const hidden = picker.querySelector<HTMLInputElement>('input[type=hidden]')!;
  const draw = () => {
    replace(
      ul,
      chosen.map((c) =>
        h(
          'li',
          { class: 'row spread', 'data-code': c.code },
          h('span', null, c.fullName),
          h(
            'button',
            {
              type: 'button',
              class: 'secondary small',
              'aria-label': t.admin.users.removeCommune(c.fullName),
              onclick: () => {
                chosen.splice(chosen.indexOf(c), 1);
                draw();
                text.focus();
              },
            },
            t.admin.users.remove,
          ),
        ),
      ),
    );
    empty.hidden = chosen.length > 0;
  };
  draw();
  return {
    el: h('div', { class: 'stack' }, picker, empty, ul),
    codes: () => chosen.map((c) => c.code),
    reset: () => {
      chosen.length = 0;
      text.value = '';
      draw();
    },
  };
}
