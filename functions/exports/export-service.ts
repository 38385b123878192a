import { VIETNAM_UTC_OFFSET_HOURS } from '#shared/vietnam-time.ts';
import { getCommune } from '#shared/admin-units/admin-units.ts';
import { ALL, percentText, type Metrics } from '#shared/coverage-rules.ts';
import { indicatorWords } from '#shared/indicator-words.ts';
import { getMarketplace } from '#shared/marketplaces.ts';
import type { Producer } from '#shared/schemas/producer.ts';
import type { Product } from '#shared/schemas/product.ts';
import type { Principal } from '#functions/services/principal.ts';
import type { CoverageService } from '#functions/services/coverage-service.ts';
import type { ProducerService } from '#functions/services/producer-service.ts';
import type { ProductService } from '#functions/services/product-service.ts';
import type { Table } from './tabular.ts';

const metricHeaders: [keyof Metrics, string][] = [
  ['producers', 'Số chủ thể'],
  ['producersTrained', 'Chủ thể đã tập huấn TMĐT'],
  ['producersWithAccount', 'Chủ thể có tài khoản trên sàn'],
  ['producersLive', 'Chủ thể có sản phẩm đang bán'],
  ['products', 'Số sản phẩm'],
  ['productsOcop3', 'Sản phẩm OCOP 3 sao'],
  ['productsOcop4', 'Sản phẩm OCOP 4 sao'],
  ['productsOcop5', 'Sản phẩm OCOP 5 sao'],
  ['productsReady', 'Sản phẩm đủ điều kiện lên sàn'],
  ['productsLive', 'Sản phẩm đang bán trên sàn'],
  ['ocopLive', 'Sản phẩm OCOP đang bán trên sàn'],
];

const kindNames: Record<Producer['kind'], string> = { household: 'Hộ kinh doanh', cooperative: 'Hợp tác xã', cooperative_group: 'Tổ hợp tác', enterprise: 'Doanh nghiệp' };
const groupNames: Record<Product['ocopGroup'], string> = { food: 'Thực phẩm', beverages: 'Đồ uống', herbs: 'Dược liệu', handicrafts: 'Thủ công mỹ nghệ', ornamentals: 'Sinh vật cảnh', tourism_services: 'Dịch vụ du lịch cộng đồng' };

/** dd/mm/yyyy, and dd/mm/yyyy HH:MM in Vietnam time. */
export function vnDate(iso: string | undefined, withTime = false): string {
  if (!iso) return '';
  if (!withTime && /^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso.split('-').reverse().join('/');
  const d = new Date(new Date(iso).getTime() + VIETNAM_UTC_OFFSET_HOURS * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  const date = `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
  return withTime ? `${date} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}` : date;
}

const numberVi = (n: number) => n.toLocaleString('vi-VN', { maximumFractionDigits: 1 });

/** "• Tỉ lệ SP OCOP đang bán / SP OCOP · Toàn tỉnh · hạn 31/12/2026: 45% / 100% — đạt 45%" (worded as on screen; a bullet, not a dash: a cell starting with "-" reads as a formula). */
function targetLine(t: Awaited<ReturnType<CoverageService['targetsWithProgress']>>['items'][number], wholeProvince: boolean): string {
  // A province target seen from an officer's communes is measured on those communes only, and says so.
  const place = t.scope !== 'province' ? (getCommune(t.scope)?.fullName ?? t.scope) : wholeProvince ? 'Toàn tỉnh' : 'Toàn tỉnh (số liệu các xã được giao)';
  const amount = (n: number | null) => (n === null ? '—' : t.unit === 'percent' ? percentText(n) : numberVi(n));
  const reached = t.achieved === null ? '' : ` — đạt ${percentText(t.achieved)}`;
  return `• ${indicatorWords(t.indicator)} · ${place} · hạn ${vnDate(t.period)}: ${amount(t.current)} / ${amount(t.value)}${reached}`;
}

/**
 * Whether a rated product's OCOP certificate still counts — as the coverage report counts it (its
 * lapse as kept, which the nightly marking sets) — so the list's OCOP products add up to the report's.
 */
const certificateState = (p: Product): string => (p.ocopStars && p.certificateExpiry ? (p.certificateExpired ? 'Hết hạn' : 'Còn hiệu lực') : '');

const marketplaceNames = (ids: string[]) => ids.map((id) => getMarketplace(id)?.name ?? id).join(', ');

async function allPages<T>(page: (cursor?: string) => Promise<{ items: T[]; nextCursor: string | null }>): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const p = await page(cursor);
    out.push(...p.items);
    cursor = p.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/** The tables behind the Excel/CSV exports, in Vietnamese, for the caller's scope. */
export function createExportService(deps: {
  coverage: CoverageService;
  producers: ProducerService;
  products: ProductService;
}) {
  return {
    /**
     * Coverage by commune: now, or at the end of `month` (from its month-end snapshot), with the
     * targets on this marketplace and where each stands — measured as the dashboard measures them
     * (for a month, against the targets its snapshot kept).
     */
    async coverage(principal: Principal, communes: string[] | 'all', marketplace = ALL, month?: string): Promise<Table> {
      const [report, progress] = await Promise.all([deps.coverage.communeReport(communes, marketplace, month), deps.coverage.targetsWithProgress(communes, month)]);
      const asOf = month ? `hết tháng ${month.slice(5)}/${month.slice(0, 4)} (số liệu chốt lúc ${vnDate(report.takenAt, true)})` : vnDate(new Date().toISOString(), true);
      const targets = progress.items.filter((t) => t.marketplace === marketplace);
      const targetsWhen = month && progress.asOf === report.takenAt ? 'áp dụng lúc chốt số liệu' : 'hiện hành';
      return {
        title: 'Độ phủ TMĐT',
        preamble: [
          'BÁO CÁO ĐỘ PHỦ THƯƠNG MẠI ĐIỆN TỬ — TỈNH THANH HÓA',
          `Sàn: ${marketplace === ALL ? 'Tất cả các sàn (có mặt trên ít nhất một sàn)' : (getMarketplace(marketplace)?.name ?? marketplace)}`,
          `Số liệu tính đến: ${asOf} · Người xuất: ${principal.username}`,
          'Sản phẩm OCOP: chỉ tính sản phẩm có giấy chứng nhận OCOP còn hạn.',
          ...(targets.length ? [`Chỉ tiêu (${targetsWhen}):`, ...targets.map((t) => targetLine(t, communes === 'all'))] : []),
        ],
        headers: ['Mã xã', 'Xã/Phường', 'Huyện cũ', ...metricHeaders.map(([, h]) => h)],
        rows: report.rows.map((r) => [r.communeCode, r.communeName, r.formerDistrict, ...metricHeaders.map(([k]) => r[k])]),
        footer: ['', 'Tổng cộng', '', ...metricHeaders.map(([k]) => report.totals[k])],
      };
    },
    async producers(principal: Principal): Promise<Table> {
      const items = await allPages((cursor) => deps.producers.list(principal, {}, { limit: 100, cursor }));
      return {
        title: 'Chủ thể',
        preamble: ['DANH SÁCH CHỦ THỂ', `Số liệu tính đến: ${vnDate(new Date().toISOString(), true)} · ${numberVi(items.length)} chủ thể`],
        headers: ['Mã', 'Tên chủ thể', 'Loại hình', 'Người đại diện', 'Số điện thoại', 'Mã số thuế', 'CCCD (4 số cuối)', 'Mã xã', 'Xã/Phường', 'Địa chỉ', 'Ngày tập huấn TMĐT', 'Số sản phẩm', 'Sàn có tài khoản'],
        rows: items.map((p) => [p.id, p.name, kindNames[p.kind], p.representative, p.phone, p.taxCode, p.citizenIdLast4 ? `••••${p.citizenIdLast4}` : '', p.communeCode, p.communeName, p.address, vnDate(p.trainingDate), p.productCount, marketplaceNames(p.accountMarketplaces)]),
      };
    },
    async products(principal: Principal): Promise<Table> {
      const items = await allPages((cursor) => deps.products.list(principal, {}, { limit: 100, cursor }));
      return {
        title: 'Sản phẩm',
        preamble: [
          'DANH SÁCH SẢN PHẨM',
          `Số liệu tính đến: ${vnDate(new Date().toISOString(), true)} · ${numberVi(items.length)} sản phẩm`,
          'Sản phẩm có chứng nhận OCOP hết hạn vẫn giữ hạng sao nhưng không được tính là sản phẩm OCOP trong báo cáo độ phủ (cột “Chứng nhận OCOP”).',
        ],
        headers: ['Mã', 'Tên sản phẩm', 'Mã chủ thể', 'Tên chủ thể', 'Mã xã', 'Xã/Phường', 'Nhóm OCOP', 'Hạng sao', 'Số quyết định', 'Ngày quyết định', 'Hạn chứng nhận', 'Chứng nhận OCOP', 'Đơn vị', 'Giá (₫)', 'Sàn đủ điều kiện', 'Sàn đang bán'],
        rows: items.map((p) => [p.id, p.name, p.producerId, p.producerName ?? '', p.communeCode, getCommune(p.communeCode)?.fullName ?? '', groupNames[p.ocopGroup], p.ocopStars || '', p.certificateNo, vnDate(p.certificateDate), vnDate(p.certificateExpiry), certificateState(p), p.unit, p.priceVnd, marketplaceNames(p.readyMarketplaces), marketplaceNames(p.liveMarketplaces)]),
      };
    },
  };
}
export type ExportService = ReturnType<typeof createExportService>;
