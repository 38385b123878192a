import { ApiError } from '../core/api.ts';
import { indexCommunes, searchCommunes } from '../core/commune-search.ts';
import type { Commune } from '../core/types.ts';
import { errorMessage, fieldNameOf, t, wordFieldError } from '../i18n/i18n.ts';
import { h, replace, uid, type Child } from './dom.ts';

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/**
 * A labelled form field. `path` is the API field path (`legalBasis.consentDate`), used to put
 * the API's validation messages next to the right control.
 */
export function field(label: string, control: Control, opts: { hint?: string; path?: string; required?: boolean } = {}): HTMLElement {
  control.id ||= uid();
  const hintId = opts.hint ? `${control.id}-hint` : undefined;
  const errorId = `${control.id}-error`;
  control.setAttribute('aria-describedby', [hintId, errorId].filter(Boolean).join(' '));
  if (opts.required) control.required = true;
  return h(
    'div',
    { class: 'field', 'data-path': opts.path ?? control.name },
    h('label', { for: control.id }, label, opts.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
    control,
    opts.hint ? h('p', { class: 'hint', id: hintId }, opts.hint) : null,
    h('p', { class: 'field-error', id: errorId, hidden: true }),
  );
}

export function input(attrs: Record<string, string | number | boolean | undefined> = {}): HTMLInputElement {
  return h('input', { type: 'text', ...attrs });
}

export function select(options: [value: string, label: string][], attrs: Record<string, string | boolean | undefined> = {}): HTMLSelectElement {
  const value = attrs.value;
  const el = h('select', { ...attrs, value: undefined }, ...options.map(([v, l]) => h('option', { value: v }, l)));
  if (typeof value === 'string') el.value = value;
  return el;
}

/** Marks one field invalid with a message (or clears it with null). */
export function setFieldError(form: HTMLElement, path: string, message: string | null): boolean {
  const wrap = form.querySelector<HTMLElement>(`.field[data-path="${CSS.escape(path)}"]`);
  if (!wrap) return false;
  const err = wrap.querySelector<HTMLElement>('.field-error');
  if (!err) return false;
  const control = wrap.querySelector('input, select, textarea');
  err.textContent = message ?? '';
  err.hidden = !message;
  if (message) control?.setAttribute('aria-invalid', 'true');
  else control?.removeAttribute('aria-invalid');
  return true;
}

export function clearFieldErrors(form: HTMLElement): void {
  for (const wrap of form.querySelectorAll<HTMLElement>('.field[data-path]')) setFieldError(form, wrap.dataset.path!, null);
}

/**
 * Shows an error on a form: the plain-words message for its code in `box`, and each of the API's
 * field errors next to its field (or listed in the box when no field matches). Focuses the box.
 */
export function showError(form: HTMLElement, box: HTMLElement, err: unknown): void {
  clearFieldErrors(form);
  const unmatched: Child[] = [];
  if (err instanceof ApiError && err.problem.errors?.length) {
    for (const fe of err.problem.errors) {
      const message = wordFieldError(fe);
      if (!setFieldError(form, fe.path, message)) unmatched.push(h('li', null, `${fieldNameOf(fe.path)}: ${message}`));
    }
  }
  replace(box, h('p', null, errorMessage(err)), unmatched.length ? h('ul', null, unmatched) : null);
  box.hidden = false;
  box.focus();
}

export function notice(kind: 'info' | 'ok' | 'warn' | 'error', ...children: Child[]): HTMLElement {
  return h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...children);
}

/** An empty, focusable alert area for a form's errors. */
export function errorBox(): HTMLElement {
  return h('div', { class: 'notice notice-error', role: 'alert', tabindex: -1, hidden: true });
}

const toastRegion = () => document.getElementById('toasts');

/** A short message in the live region at the bottom of the screen; the function returned takes it away sooner (when it no longer holds). */
export function toast(text: string, kind: 'ok' | 'info' | 'warn' = 'ok'): () => void {
  const region = toastRegion();
  if (!region) return () => undefined;
  const el = h('p', { class: `toast toast-${kind}` }, text);
  region.append(el);
  while (region.children.length > 2) region.firstElementChild?.remove();
  setTimeout(() => el.remove(), 4000);
  return () => el.remove();
}

/**
 * A modal dialog (native <dialog>: focus is trapped and Esc closes it). Resolves with what
 * `onSubmit` returns, or null when cancelled. `readOnly`: it only shows something, so its one
 * button (`submitLabel`, "Đóng") closes it and there is no "Huỷ".
 */
export function dialog<T>(title: string, body: Child[], opts: { submitLabel: string; onSubmit: (form: HTMLFormElement) => T | null; danger?: boolean; readOnly?: boolean }): Promise<T | null> {
  return new Promise((resolve) => {
    const titleId = uid('dlg');
    const form = h(
      'form',
      { method: 'dialog', class: 'stack' },
      h('h2', { id: titleId }, title),
      ...body,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: opts.danger ? 'danger' : 'primary' }, opts.submitLabel), opts.readOnly ? null : h('button', { type: 'button', class: 'secondary', onclick: () => close(null) }, t.common.cancel)),
    );
    const dlg = h('dialog', { 'aria-labelledby': titleId }, form);
    let result: T | null = null;
    const close = (value: T | null) => {
      result = value;
      dlg.close();
    };
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const value = opts.onSubmit(form);
      if (value !== null) close(value);
    });
    dlg.addEventListener('close', () => {
      dlg.remove();
      resolve(result);
    });
    document.body.append(dlg);
    dlg.showModal();
  });
}

export function confirmDialog(text: string, submitLabel: string): Promise<boolean> {
  return dialog(text, [], { submitLabel, danger: true, onSubmit: () => true }).then((v) => v === true);
}

/** One choice of a combobox: the value it submits, the text the field shows once it is chosen, and an optional second line. */
export type ComboOption = { value: string; text: string; detail?: string };

/**
 * A combobox's field (`el`), its text input and the list of choices right under it, `show`, which lists the choices for what was typed,
 * `value`, the chosen one's value or '', and `set`, which chooses one (or clears the field) as the user would.
 */
export type Combobox = { el: HTMLElement; text: HTMLInputElement; listbox: HTMLElement; show: (options: readonly ComboOption[], message?: string) => void; value: () => string; set: (o: ComboOption | null) => void };

/**
 * A combobox (WAI-ARIA's pattern: a text field with a list of choices under it): ↑ ↓ move, Enter
 * chooses, Esc closes, a tap or click chooses. The chosen value is in the hidden input `name`;
 * typing clears it until a choice is made again. `search` is asked for the choices of what is
 * typed (on typing, on focus while nothing is chosen, on ↓ while the list is closed) and answers
 * with `show`, at once or later: an answer that arrives after the user left the field opens
 * nothing. `message` is a line under the choices that cannot be chosen (no match, searching…),
 * also said to screen readers.
 */
export function combobox(opts: { name: string; label: string; chosen?: ComboOption; required?: boolean; hint?: string; maxlength?: number; search: (query: string) => void; onChange?: (o: ComboOption | null) => void }): Combobox {
  const listId = uid('options');
  const hidden = h('input', { type: 'hidden', name: opts.name, value: opts.chosen?.value ?? '' });
  const text = input({ role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': listId, autocomplete: 'off', spellcheck: 'false', value: opts.chosen?.text ?? '', maxlength: opts.maxlength });
  const listbox = h('ul', { id: listId, role: 'listbox', class: 'listbox', hidden: true });
  const status = h('p', { class: 'visually-hidden', role: 'status' });
  let options: readonly ComboOption[] = [];
  let active = -1;

  const choose = (o: ComboOption | null) => {
    hidden.value = o?.value ?? '';
    text.value = o?.text ?? '';
    close();
    opts.onChange?.(o);
  };
  const close = () => {
    listbox.hidden = true;
    text.setAttribute('aria-expanded', 'false');
    text.removeAttribute('aria-activedescendant');
  };
  const highlight = () => {
    listbox.querySelectorAll('[role=option]').forEach((el, i) => el.setAttribute('aria-selected', i === active ? 'true' : 'false'));
    if (active >= 0) text.setAttribute('aria-activedescendant', `${listId}-${active}`);
    else text.removeAttribute('aria-activedescendant');
  };
  const show = (list: readonly ComboOption[], message?: string) => {
    options = list;
    active = list.length ? 0 : -1;
    replace(
      listbox,
      list.map((o, i) => h('li', { id: `${listId}-${i}`, role: 'option', 'aria-selected': 'false', onmousedown: (e: Event) => (e.preventDefault(), choose(o)) }, h('span', null, o.text), o.detail ? h('small', null, o.detail) : null)),
      message ? h('li', { class: 'empty', role: 'option', 'aria-disabled': 'true', 'aria-selected': 'false' }, message) : null,
    );
    status.textContent = message ?? '';
    if (document.activeElement !== text) return;
    listbox.hidden = !list.length && !message;
    text.setAttribute('aria-expanded', String(!listbox.hidden));
    highlight();
  };
  text.addEventListener('input', () => {
    hidden.value = '';
    opts.onChange?.(null);
    opts.search(text.value);
  });
  text.addEventListener('focus', () => {
    if (!hidden.value) opts.search(text.value);
  });
  text.addEventListener('blur', () => setTimeout(close, 100));
  text.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (listbox.hidden) opts.search(text.value);
      else if (options.length) {
        active = (active + (e.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length;
        highlight();
      }
    } else if (e.key === 'Enter' && !listbox.hidden && options[active]) {
      e.preventDefault();
      choose(options[active]!);
    } else if (e.key === 'Escape') close();
  });
  const el = field(opts.label, text, { hint: opts.hint, path: opts.name, required: opts.required });
  el.classList.add('combo');
  // The choices open right under the text, above its hint and error.
  text.after(listbox);
  el.append(hidden, status);
  return { el, text, listbox, show, value: () => hidden.value, set: choose };
}

/**
 * Commune picker: a combobox with loose search ("thieu hoa" finds Xã Thiệu Hóa), keyboard
 * navigable (↑ ↓ Enter Esc). The chosen code is in the hidden input `name`.
 */
export function communePicker(list: readonly Commune[], opts: { name: string; label: string; value?: string; required?: boolean; hint?: string; onChange?: (c: Commune | null) => void }): HTMLElement {
  const index = indexCommunes(list);
  const option = (c: Commune): ComboOption => ({ value: c.code, text: c.fullName, detail: c.formerDistricts.map((d) => d.fullName).join(', ') });
  const current = list.find((c) => c.code === opts.value);
  const box = combobox({
    name: opts.name,
    label: opts.label,
    required: opts.required,
    hint: opts.hint,
    // A code that is none of these communes is kept as it is (sent back unchanged), with no name to show.
    chosen: current ? option(current) : opts.value ? { value: opts.value, text: '' } : undefined,
    search: (query) => {
      const found = searchCommunes(index, query, 8);
      box.show(found.map(option), found.length ? undefined : t.producer.communeNoMatch);
    },
    onChange: (o) => opts.onChange?.(o ? (list.find((c) => c.code === o.value) ?? null) : null),
  });
  return box.el;
}

/** A status chip with its own colour (text and background pass WCAG AA). */
export function chip(text: string, tone: string): HTMLElement {
  return h('span', { class: `chip chip-${tone}` }, text);
}

/** Percentage bar with its number as text. */
export function meter(percent: number, label: string): HTMLElement {
  return h(
    'div',
    { class: 'meter', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': percent, 'aria-label': label },
    h('span', { class: 'meter-bar', style: `width:${Math.max(0, Math.min(100, percent))}%` }),
  );
}
