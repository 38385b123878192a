import { normaliseName } from '#shared/text/normalise.ts';
import { NetworkError, getPage } from '../core/api.ts';
import { me } from '../core/app-state.ts';
import type { OutboxEntry } from '../core/outbox.ts';
import { refToken } from '../core/outbox-rules.ts';
import type { Producer } from '../core/types.ts';
import { errorMessage, t } from '../i18n/i18n.ts';
import { h } from '../ui/dom.ts';
import { combobox, type ComboOption } from '../ui/widgets.ts';

/** Shorter queries would match most of the province. */
const MIN_CHARS = 2;
/** Typing pause before the server is asked, so a name typed quickly is one request. */
const WAIT_MS = 300;
const SHOWN = 20;
/**
 * Requests one search may make (each reads at most 2,000 producers on the server): a rare name over
 * the province is not read through in full on every pause in typing; the field asks for more letters.
 */
const MAX_REQUESTS = 5;

const producerOption = (p: Producer): ComboOption => ({ value: p.id, text: `${p.name} · ${p.communeName}` });
const pendingOption = (e: OutboxEntry): ComboOption => ({ value: refToken(e.id), text: `${e.label} (${t.common.pending})` });

/** A producer picker's field (`el`), the id (or waiting producer's token) chosen in it or '', and `clear`, which empties it. */
export type ProducerPicker = { el: HTMLElement; value: () => string; clear: () => void };

/**
 * A producer, for a user who sees the whole province (70.000 producers: no list to pick from).
 * Typing at least two letters searches the server as `GET /producers?q=` does — the name loosely
 * (case, accents, tone marks ignored), a number as a tax code or (not for the department) a phone — and offers what it finds
 * as "name · commune". Producers registered on this device and still waiting in the outbox
 * (`pending`) are offered too, matched by name here, so they can be chosen offline. The chosen id
 * (or the waiting producer's token) is in the hidden input `name`, and `onChange` hears a new choice,
 * or '' once the field is emptied — typing over a choice keeps it (the hidden input empty meanwhile)
 * until another is chosen, and leaving the field half-typed shows it again; `value` is the one chosen when the field opens, named by
 * `preset` or by its outbox entry. `placeholder` is what the empty field says (a filter's "all").
 */
export function producerPicker(opts: {
  name: string;
  label: string;
  value?: string;
  preset?: Producer | null;
  pending?: readonly OutboxEntry[];
  required?: boolean;
  placeholder?: string;
  onChange?: (id: string) => void;
}): ProducerPicker {
  const pending = opts.pending ?? [];
  const waitingFor = (q: string) => {
    const key = normaliseName(q);
    return pending.filter((e) => normaliseName(e.label).includes(key)).map(pendingOption);
  };
  const presetPending = pending.find((e) => refToken(e.id) === opts.value);
  const chosen = opts.preset && opts.preset.id === opts.value ? producerOption(opts.preset) : presetPending ? pendingOption(presetPending) : undefined;
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: AbortController | undefined;
  /** The last answer (or the choice made from it), shown again at once for the same text. */
  let last: { q: string; options: ComboOption[]; more: boolean } | undefined;
  const showFound = (waiting: ComboOption[], found: { options: ComboOption[]; more: boolean }) => {
    const all = [...waiting, ...found.options];
    box.show(all, found.more ? (all.length ? t.producerSearch.more : t.producerSearch.notAllSearched) : !all.length ? t.producerSearch.noMatch : undefined);
  };

  const search = (typed: string) => {
    const q = typed.trim();
    const mine = ++seq;
    clearTimeout(timer);
    inFlight?.abort();
    const waiting = waitingFor(q);
    if (q.length < MIN_CHARS) return box.show(waiting, t.producerSearch.typeMore);
    if (last?.q === q) return showFound(waiting, last);
    box.show(waiting, t.producerSearch.searching);
    timer = setTimeout(async () => {
      const controller = (inFlight = new AbortController());
      try {
        const page = await getPage<Producer>('/producers', { q }, { limit: SHOWN, signal: controller.signal, maxRequests: MAX_REQUESTS });
        if (mine !== seq) return;
        last = { q, options: page.items.map(producerOption), more: page.nextCursor !== null };
        showFound(waiting, last);
      } catch (e) {
        if (mine === seq) box.show(waiting, e instanceof NetworkError ? t.producerSearch.offline : errorMessage(e));
      }
    }, WAIT_MS);
  };
  // The field is narrower than most names with their commune on a phone: the choice is also written out in full under it.
  const chosenLine = h('p', { class: 'hint', 'data-testid': 'chosen-producer' });
  const showChosen = (o: ComboOption | null | undefined) => {
    chosenLine.textContent = o ? t.producerSearch.chosen(o.text) : '';
    chosenLine.hidden = !o;
    // ↓ on the chosen one's text offers it again rather than searching for "name · commune".
    if (o) last = { q: o.text, options: [o], more: false };
  };
  /** The choice the field stands for: typing over it keeps it until another is chosen or the field is emptied. */
  let kept = chosen;
  const keep = (o: ComboOption | undefined) => {
    const changed = (o?.value ?? '') !== (kept?.value ?? '');
    kept = o;
    if (changed) opts.onChange?.(o?.value ?? '');
  };
  const box = combobox({
    name: opts.name,
    label: opts.label,
    chosen,
    required: opts.required,
    // The department searches no phone numbers (the API looks them up only for roles that see them).
    hint: me()?.role === 'department' ? t.producerSearch.hintTaxCode : t.producerSearch.hint,
    maxlength: 100,
    search,
    onChange: (o) => {
      showChosen(o);
      if (o || !box.text.value.trim()) keep(o ?? undefined);
    },
  });
  // Left with a half-typed name, the field shows the choice it still stands for again.
  box.text.addEventListener('blur', () => {
    if (!box.value() && kept && box.text.value.trim()) box.set(kept);
  });
  if (opts.placeholder) box.text.placeholder = opts.placeholder;
  showChosen(chosen);
  box.listbox.after(chosenLine);
  return { el: box.el, value: box.value, clear: () => box.set(null) };
}
