import { can, me } from '../core/app-state.ts';
import { t } from '../i18n/i18n.ts';
import { h } from '../ui/dom.ts';
import { goInstead, link } from '../ui/router.ts';

export function homeView(): Node {
  const u = me()!;
  if (u.role === 'department') {
    // The department's home is the dashboard: shown in place of this entry, so Back leaves the app's home instead of landing here again.
    queueMicrotask(() => goInstead('#/dashboard'));
    return h('p', null, t.common.loading);
  }
  const tiles: [string, string, boolean][] = [
    ['/producers/new', t.home.newProducer, can.writeProducers()],
    ['/products/new', t.home.newProduct, can.writeProducts()],
    ['/producers', t.home.producers, true],
    ['/products', t.home.products, true],
    ['/dashboard', t.home.dashboard, can.viewCoverage()],
    ['/outbox', t.home.outbox, can.writeProducts()],
    ['/imports', t.home.importLists, can.importLists()],
    ['/marketplaces', t.home.marketplaces, true],
    ['/admin/users', t.admin.home.users, can.administer()],
    ['/admin/targets', t.admin.home.targets, can.administer()],
  ];
  return h(
    'section',
    { class: 'page' },
    h('h1', null, t.home.hello(u.username)),
    h('ul', { class: 'tiles' }, tiles.filter(([, , show]) => show).map(([path, label], i) => h('li', null, h('a', { href: link(path), class: i < 2 ? 'tile primary' : 'tile' }, label)))),
  );
}
