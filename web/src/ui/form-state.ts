/**
 * A record's form on its page: asks before the page is left with changes typed into it, and, when
 * someone else saved the record first, draws it afresh from the record as it now is with the
 * user's changes laid over it.
 */
import { NetworkError, request } from '../core/api.ts';
import { changedKeys, mergeChanges, type FormValues } from '../core/form-values.ts';
import { errorMessage, t } from '../i18n/i18n.ts';
import { h, replace } from './dom.ts';
import { guardLeaving } from './router.ts';
import { notice } from './widgets.ts';

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

function controls(form: HTMLFormElement): Control[] {
  return [...form.elements].filter((el): el is Control => (el instanceof HTMLInputElement && !['button', 'submit', 'reset', 'file'].includes(el.type)) || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement);
}

/** A control's key: its name (a checkbox: `name=value`; a radio group shares its name); one without a name (a combobox's text) by its field's path and `~`. */
function keyOf(c: Control): string | null {
  if (c instanceof HTMLInputElement && c.type === 'checkbox') return c.name ? `${c.name}=${c.value}` : null;
  if (c.name) return c.name;
  const path = c.closest<HTMLElement>('.field[data-path]')?.dataset.path;
  return path ? `${path}~` : null;
}

const isBox = (c: Control): c is HTMLInputElement => c instanceof HTMLInputElement && (c.type === 'checkbox' || c.type === 'radio');

/** What `form` holds, control by control (a checkbox `on` or '', a radio group its checked value or ''). */
export function formValues(form: HTMLFormElement): FormValues {
  const out = new Map<string, string>();
  for (const c of controls(form)) {
    const key = keyOf(c);
    if (!key) continue;
    if (c instanceof HTMLInputElement && c.type === 'radio') out.set(key, c.checked ? c.value : (out.get(key) ?? ''));
    else out.set(key, isBox(c) ? (c.checked ? 'on' : '') : c.value);
  }
  return out;
}

/** Sets the controls of `key` to `value` as the user would, so what listens to them (a hidden part, a preview) follows. */
function setValue(form: HTMLFormElement, key: string, value: string): void {
  for (const c of controls(form)) {
    if (keyOf(c) !== key) continue;
    if (c instanceof HTMLInputElement && c.type === 'radio') c.checked = c.value === value;
    else if (isBox(c)) c.checked = value === 'on';
    else c.value = value;
    // Not `input`: a combobox takes that for typing, which would undo its choice.
    c.dispatchEvent(new Event('change', { bubbles: true }));
  }
}

/** `value` of `key` as the form shows it: a choice's words, a box's label with yes or no. */
function shown(form: HTMLFormElement, key: string, value: string): string {
  const c = controls(form).find((x) => keyOf(x) === key && !(x instanceof HTMLInputElement && x.type === 'radio' && x.value !== value));
  if (c && isBox(c)) {
    const label = c.labels?.[0]?.textContent ?? '';
    return c.type === 'radio' ? label : `${label}: ${value ? t.common.yes : t.common.no}`;
  }
  if (!value) return t.common.emptyValue;
  return c instanceof HTMLSelectElement ? ([...c.options].find((o) => o.value === value)?.text ?? value) : value;
}

/**
 * Lays the user's changes to `from` (what it holds that differs from `baseline`, its values when
 * drawn) over `to`, the same form drawn afresh from the record as someone else has since saved
 * it (`mergeChanges`). Each field where the other saved another value says so under it. Answers
 * how many such fields there are. A hidden value alone (no control of its own on screen) is
 * carried over without a word.
 */
export function carryChanges(from: HTMLFormElement, baseline: FormValues, to: HTMLFormElement): number {
  const theirs = formValues(to);
  const { keep, clashes } = mergeChanges(baseline, formValues(from), theirs);
  for (const [key, value] of keep) setValue(to, key, value);
  let marked = 0;
  for (const key of clashes) {
    const control = controls(to).find((c) => keyOf(c) === key);
    const wrap = control?.closest<HTMLElement>('.field');
    if (!control || !wrap || (control instanceof HTMLInputElement && control.type === 'hidden')) continue;
    wrap.append(h('p', { class: 'hint theirs', 'data-testid': 'theirs' }, t.common.theirValue(shown(to, key, theirs.get(key) ?? ''))));
    marked += 1;
  }
  return marked;
}

/** Handed to a form as it is drawn: `sending(true)` once what it holds is saved or queued, `sending(false)` when it came back refused; `conflict(box)` when someone else saved the record first. */
export type FormGuard = { sending: (on: boolean) => void; conflict: (box: HTMLElement) => void };

/**
 * A page with `title` and the form `draw` makes of `record` (null: a new one). Leaving the page —
 * another route, Back, "Huỷ", the language switch, closing the tab — asks first while the form
 * holds something the user typed or changed since it was drawn, but not once that is sent
 * (saved, or kept in the outbox: leaving loses nothing), nor on the way to the page a save leads to.
 *
 * For an edit (`freshPath`: where the record is read), `conflict` says in the form's error box that
 * someone else saved the record first, with a button that reads it as the server now has it,
 * draws the form afresh from that and lays the user's changes over it (`carryChanges`): the next
 * save is based on that version and changes only what the user changed.
 */
export function formPage<R>(title: string, record: R, draw: (record: R, guard: FormGuard) => HTMLFormElement, freshPath?: string): HTMLElement {
  const page = h('section', { class: 'page' });
  const show = (rec: R, before?: { form: HTMLFormElement; baseline: FormValues }) => {
    let sent = false;
    const guard: FormGuard = {
      sending: (on) => void (sent = on),
      conflict: (box) => {
        const failed = h('p', { hidden: true });
        const reload = h('button', { type: 'button', class: 'secondary' }, t.common.loadLatest);
        reload.addEventListener('click', async () => {
          if (!freshPath) return;
          reload.disabled = true;
          try {
            // The server's copy, never the one saved on the phone: an old version would only clash again.
            show((await request<R>(freshPath, { fresh: true })).data, { form, baseline });
          } catch (e) {
            failed.textContent = e instanceof NetworkError ? t.errors.NETWORK_READ : errorMessage(e);
            failed.hidden = false;
            reload.disabled = false;
          }
        });
        replace(box, h('p', null, t.common.conflict), freshPath ? h('p', null, reload) : null, failed);
        box.hidden = false;
        box.focus();
      },
    };
    const form = draw(rec, guard);
    const baseline = formValues(form);
    const note = before ? notice('info', h('span', { 'data-testid': 'loaded-latest' }, t.common.loadedLatest(carryChanges(before.form, before.baseline, form)))) : null;
    note?.setAttribute('tabindex', '-1');
    replace(page, h('h1', null, title), note, form);
    note?.focus();
    guardLeaving(page, () => (!sent && changedKeys(baseline, formValues(form)).length ? t.common.leaveUnsaved : null));
  };
  show(record);
  return page;
}
