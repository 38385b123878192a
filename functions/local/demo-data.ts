import type { Target } from '#shared/schemas/coverage.ts';
import type { ProducerCreate } from '#shared/schemas/producer.ts';
import type { ProductCreate } from '#shared/schemas/product.ts';
import type { UserCreate } from '#shared/schemas/user.ts';
import type { Principal } from '#functions/services/principal.ts';
import { hashPassword } from '#functions/core/passwords.ts';
import { transact } from '#functions/repositories/table.ts';
import type { LocalServices } from './local-services.ts';

/** Demo accounts created on first start (local mode only). Passwords are for a laptop, never a deployment. */
export const demoAccounts = [
  { username: 'canbo.thieuhoa', password: 'demo1234', role: 'officer', communes: ['15772', '15835'] },
  { username: 'canbo.hamrong', password: 'demo1234', role: 'officer', communes: ['14758'] },
  { username: 'sct', password: 'demo1234', role: 'department' },
] as const satisfies readonly Omit<UserCreate, 'producerId'>[];

export const DEMO_COOPERATIVE = { username: 'htx.demo', password: 'demo1234' };

const demoProducers: (ProducerCreate & { products: Omit<ProductCreate, 'producerId'>[] })[] = [
  {
    kind: 'cooperative', name: 'HTX Nông nghiệp Thiệu Hóa', representative: 'Lê Văn Hùng', phone: '0912345678', taxCode: '2801234567', communeCode: '15772', address: 'Thôn 3',
    legalBasis: { type: 'state_management' }, trainingDate: '2025-09-12',
    products: [
      { name: 'Gạo nếp cái hoa vàng', ocopGroup: 'food', ocopStars: 4, certificateNo: '1234/QĐ-UBND', certificateDate: '2024-05-20', unit: 'túi 2 kg', priceVnd: 120000, weightGrams: 2000, shelfLifeDays: 365 },
      { name: 'Rượu nếp cẩm', ocopGroup: 'beverages', ocopStars: 3, certificateNo: '2210/QĐ-UBND', certificateDate: '2023-11-02', unit: 'chai 500 ml', priceVnd: 85000 },
    ],
  },
  {
    kind: 'household', name: 'Hộ kinh doanh Nguyễn Thị Mai', representative: 'Nguyễn Thị Mai', phone: '0987654321', communeCode: '15772',
    legalBasis: { type: 'consent', consentDate: '2025-10-01' },
    products: [{ name: 'Nem chua Thanh Hóa', ocopGroup: 'food', ocopStars: 0, unit: 'hộp 20 cái', priceVnd: 60000, shelfLifeDays: 7 }],
  },
  {
    kind: 'enterprise', name: 'Công ty TNHH Mây tre đan Hàm Rồng', representative: 'Trịnh Quốc Bảo', phone: '0237385 1234', taxCode: '2802345678', communeCode: '14758',
    legalBasis: { type: 'state_management' },
    products: [{ name: 'Giỏ mây đan thủ công', ocopGroup: 'handicrafts', ocopStars: 3, certificateNo: '987/QĐ-UBND', certificateDate: '2024-01-15', priceVnd: 250000 }],
  },
  {
    kind: 'cooperative_group', name: 'Tổ hợp tác chè Thiệu Trung', communeCode: '15835', phone: '0356112233',
    legalBasis: { type: 'consent', consentDate: '2025-08-20' },
    products: [{ name: 'Chè xanh sao khô', ocopGroup: 'beverages', ocopStars: 0, unit: 'gói 200 g', priceVnd: 45000 }],
  },
];

/** Makes sure the local admin exists with the configured password (local mode only). */
export async function ensureLocalAdmin(local: LocalServices, password: string): Promise<Principal> {
  const { users } = local.repositories;
  const existing = await users.getByUsername('admin');
  if (existing) {
    await transact(local.table, [users.setPasswordOp(existing.id, await hashPassword(password))]);
    return { sub: existing.id, username: 'admin', role: 'admin', communes: [] };
  }
  const bootstrap: Principal = { sub: 'system', username: 'system', role: 'admin', communes: [] };
  const admin = await local.services.users.create({ principal: bootstrap }, { username: 'admin', password, role: 'admin' });
  return { sub: admin.id, username: admin.username, role: 'admin', communes: [] };
}

/** Loads the demo users and a small data set, once: a second start finds them and adds nothing. */
/** Targets of the kind a provincial e-commerce plan sets (illustrative values, not the province's). */
const demoTargets: Target[] = [
  { indicator: 'ocopLive/productsOcop', period: '2026-12-31', scope: 'province', marketplace: 'all', unit: 'percent', value: 80 },
  { indicator: 'producersWithAccount', period: '2026-12-31', scope: 'province', marketplace: 'all', unit: 'count', value: 500 },
  { indicator: 'productsLive', period: '2026-12-31', scope: 'province', marketplace: 'postmart', unit: 'count', value: 300 },
];

export async function loadDemoData(local: LocalServices, admin: Principal): Promise<'loaded' | 'present'> {
  const { services, repositories } = local;
  if (await repositories.users.getByUsername(demoAccounts[0].username)) return 'present';
  const ctx = { principal: admin };
  let cooperativeProducerId = '';
  for (const { products, ...producer } of demoProducers) {
    const created = await services.producers.create(ctx, producer);
    cooperativeProducerId ||= created.id;
    for (const product of products) await services.products.create(ctx, { ...product, producerId: created.id });
  }
  await repositories.targets.replaceAll(demoTargets);
  await services.users.create(ctx, { ...DEMO_COOPERATIVE, role: 'cooperative', producerId: cooperativeProducerId });
  for (const account of demoAccounts) await services.users.create(ctx, { ...account, communes: 'communes' in account ? [...account.communes] : undefined });
  return 'loaded';
}
