/**
 * The marketplace registry as a page (loaded on demand): for each marketplace, who runs it,
 * what a product needs before it can be listed there, and the photo rules — what the product
 * page's readiness checks. Read from the same registry the server uses (GET /marketplaces, or
 * the copy kept for offline use).
 */
import type { PhotoFormat, RequiredField } from '#shared/marketplaces.ts';
import { can } from '../core/app-state.ts';
import { formatNumber } from '../core/format.ts';
import { marketplaces } from '../core/reference.ts';
import type { MarketplaceInfo } from '../core/types.ts';
import { t } from '../i18n/i18n.ts';
import { h, replace } from '../ui/dom.ts';
import { chip } from '../ui/widgets.ts';
import { facts, loadFailed } from './common.ts';

const fieldLabel = (f: RequiredField): string =>
  ({
    'product.name': t.product.name,
    'product.description': t.product.description,
    'product.priceVnd': t.product.price,
    'product.unit': t.product.unit,
    'product.weightGrams': t.product.weight,
    'product.shelfLifeDays': t.product.shelfLife,
    'producer.phone': t.marketplaces.producerField(t.producer.phone),
    'producer.taxCode': t.marketplaces.producerField(t.producer.taxCode),
  })[f];

const formatLabel = (f: PhotoFormat) => ({ jpeg: 'JPG', png: 'PNG', webp: 'WebP' })[f];

function card(m: MarketplaceInfo): HTMLElement {
  const p = m.photos;
  return h(
    'article',
    { class: 'card stack', 'data-testid': `marketplace-${m.id}` },
    h('h2', null, h('a', { href: m.url, target: '_blank', rel: 'noopener noreferrer' }, m.name), ' ', m.publicProgramme ? chip(t.marketplaces.publicProgramme, 'live') : null),
    facts([
      [t.marketplaces.operator, m.operator],
      [t.marketplaces.required, h('ul', { class: 'plain' }, m.requiredFields.map((f) => h('li', null, fieldLabel(f))))],
      [
        t.marketplaces.photos,
        h(
          'ul',
          { class: 'plain' },
          h('li', null, t.marketplaces.photoCount(p.minCount, p.maxCount)),
          h('li', null, t.marketplaces.photoSize(formatNumber(p.minPx), formatNumber(p.maxPx), p.aspect === 'square')),
          h('li', null, t.marketplaces.photoBytes(formatNumber(Math.round((10 * p.maxBytes) / (1024 * 1024)) / 10), p.formats.map(formatLabel).join(', '))),
          h('li', null, t.marketplaces.photoVariant(formatNumber(p.targetPx))),
        ),
      ],
    ]),
  );
}

export function marketplacesView(): Node {
  const body = h('div', { class: 'stack' }, h('p', { class: 'muted' }, t.common.loading));
  void marketplaces()
    .then((list) => replace(body, ...list.map(card)))
    .catch((e: unknown) => replace(body, loadFailed(e)));
  return h(
    'section',
    { class: 'page' },
    h('h1', null, t.marketplaces.title),
    h('p', null, t.marketplaces.intro),
    can.administer() ? h('p', { class: 'small muted' }, t.marketplaces.howToChange) : null,
    body,
  );
}
