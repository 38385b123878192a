import { DeleteTableCommand, DynamoDBClient, ProvisionedThroughputExceededException, RequestLimitExceeded, ResourceNotFoundException, ThrottlingException, TransactionCanceledException, waitUntilTableNotExists } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { listCommunes, type Commune } from '#shared/admin-units/admin-units.ts';
import { contributionDelta, producerContribution, productContribution, type Contribution } from '#shared/coverage-rules.ts';
import { marketplaces } from '#shared/marketplaces.ts';
import { accountAllowsLiveListing, readyMarketplacesOf, type AccountStatus, type ListingStatus } from '#shared/onboarding-rules.ts';
import type { Target } from '#shared/schemas/coverage.ts';
import type { Account, Listing, ListingTransition } from '#shared/schemas/onboarding.ts';
import type { ProducerCreate } from '#shared/schemas/producer.ts';
import { certifications as certificationKinds, ocopGroups, type ProductCreate } from '#shared/schemas/product.ts';
import { normaliseName } from '#shared/text/normalise.ts';
import { createCoverageRepository } from '#functions/repositories/coverage-repository.ts';
import { createDuplicateKeyRepository } from '#functions/repositories/duplicate-key-repository.ts';
import { createAccountRepository, createListingRepository } from '#functions/repositories/onboarding-repository.ts';
import { createProducerRepository, type ProducerRecord } from '#functions/repositories/producer-repository.ts';
import { createProductRepository, type ProductRecord } from '#functions/repositories/product-repository.ts';
import { createTargetRepository } from '#functions/repositories/target-repository.ts';
import type { Item, Table, TxOp } from '#functions/repositories/table.ts';
import { producerCoverageState, productCoverageState } from '#functions/services/coverage-tracker.ts';
import { duplicateKeysOf } from '#functions/services/producer-service.ts';
import { withDerived } from '#functions/services/product-service.ts';

/**
 * A deterministic province-scale data set (DESIGN §6: 166 communes, 70,000 producers, 20,000
 * products of which 1,000 OCOP, 60,000 listings across the 7 marketplaces, with seller
 * accounts and training dates), loaded straight into the table with BatchWriteItem.
 *
 * Every item is built by the repositories' own ops, so the records are exactly what the API
 * would have written, derived coverage state included (producer: productCount,
 * accountMarketplaces, liveCounts, userCount 0; product: readyMarketplaces, liveMarketplaces; covRev 0),
 * and the coverage counters are written from the same contributions the tracker computes —
 * a reconciliation afterwards finds no difference. Same seed → same data.
 *
 * Not written: audit events (a bulk load is not a change by a user) and photos (so readiness
 * is below 100% everywhere, as `recountFromRecords` computes it with no photos).
 */

export type SeedCounts = { producers: number; products: number; ocop: number; listings: number };
export type SeedScale = 'province' | 'small';
export const seedScales: Record<SeedScale, SeedCounts> = {
  province: { producers: 70_000, products: 20_000, ocop: 1_000, listings: 60_000 },
  small: { producers: 700, products: 200, ocop: 10, listings: 600 },
};

export type SeedOptions = {
  /** Same seed → same data (default `ocop-38`). */
  seed?: string;
  scale?: SeedScale;
  /** Overrides of the scale's numbers. */
  counts?: Partial<SeedCounts>;
  /** The keyring's citizen-ID hash; without it no producer gets a citizen ID. */
  hashCitizenId?: (citizenId: string) => string;
  /** Also write a small set of targets when the table has none (default true). */
  targets?: boolean;
  /** Write requests in flight at once (default 8). */
  concurrency?: number;
  /** BatchWriteItem of 25 (default) or TransactWriteItems of 100 (faster on DynamoDB Local's disk store). */
  writes?: WriteMode;
  /** Progress lines; silent when absent. */
  log?: (line: string) => void;
};

export type SeedDataSet = {
  seed: string;
  counts: SeedCounts;
  producers: ProducerRecord[];
  products: ProductRecord[];
  accounts: Account[];
  listings: { listing: Listing; history: ListingTransition[] }[];
  targets: Target[];
};

export type SeedSummary = {
  seed: string;
  counts: SeedCounts & { communes: number; ocopByStars: Record<3 | 4 | 5, number>; accounts: number; liveListings: number; listingsByStatus: Record<string, number>; transitions: number; duplicateKeys: number; counters: number; targets: number };
  items: number;
  generateMs: number;
  writeMs: number;
  itemsPerSecond: number;
  firstProducerId: string;
};

/** A seed on a table that already holds this province's records: it would double-count. */
export class SeedRefusedError extends Error {}

/** Who the seeded records say created them. */
const SEED_ACTOR = { id: 'seed', username: 'seed' };
const DAY = 86_400_000;
/** Records are created between these instants (fixed, so the data does not depend on today). */
const PRODUCERS_FROM = Date.UTC(2025, 6, 1);
const PRODUCERS_TO = Date.UTC(2026, 4, 31);
const LATEST = Date.UTC(2026, 9, 31, 12);

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** sfc32 seeded by a 128-bit string hash: fast, good enough, and the same on every platform. */
export function createRandom(seed: string) {
  let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
  for (let i = 0; i < seed.length; i++) {
    const k = seed.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  let a = (h1 ^ h2 ^ h3 ^ h4) >>> 0, b = (h2 ^ h1) >>> 0, c = (h3 ^ h1) >>> 0, d = (h4 ^ h1) >>> 0;
  const next = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) next();
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (p: number) => next() < p,
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    /** Index drawn with probability proportional to its weight. */
    weighted(weights: readonly number[], total = weights.reduce((s, w) => s + w, 0)): number {
      let r = next() * total;
      for (let i = 0; i < weights.length; i++) if ((r -= weights[i]!) < 0) return i;
      return weights.length - 1;
    },
    digits: (n: number) => Array.from({ length: n }, () => int(0, 9)).join(''),
    shuffle<T>(xs: T[]): T[] {
      for (let i = xs.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [xs[i], xs[j]] = [xs[j]!, xs[i]!];
      }
      return xs;
    },
  };
}
export type Random = ReturnType<typeof createRandom>;

const ULID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** A ULID like `newId`, but its random part drawn from the seeded generator. */
function seededId(ms: number, rnd: Random): string {
  let time = '';
  let t = ms;
  for (let i = 0; i < 10; i++) {
    time = ULID_ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let rand = '';
  for (let i = 0; i < 16; i++) rand += ULID_ALPHABET[Math.floor(rnd.next() * 32)];
  return time + rand;
}

const iso = (ms: number) => new Date(ms).toISOString();
const isoDate = (ms: number) => iso(ms).slice(0, 10);

// ---------------------------------------------------------------------------------------------
// Vietnamese names, phones, tax codes

const surnames = ['Nguyễn', 'Lê', 'Trịnh', 'Trần', 'Hoàng', 'Phạm', 'Đỗ', 'Vũ', 'Hà', 'Mai', 'Bùi', 'Lò', 'Cầm', 'Đặng', 'Ngô', 'Dương', 'Lương', 'Quách', 'Tống', 'Lại', 'Phan', 'Đinh', 'Hoàng', 'Vi'];
const surnameWeights = [30, 14, 8, 8, 5, 6, 4, 3, 3, 3, 3, 2, 1.5, 2, 2, 1.5, 1.5, 1, 1, 1, 2, 1.5, 1, 0.5];
const maleMiddle = ['Văn', 'Văn', 'Văn', 'Đình', 'Xuân', 'Hữu', 'Minh', 'Quang', 'Đức', 'Ngọc', 'Công', 'Bá', 'Trọng'];
const femaleMiddle = ['Thị', 'Thị', 'Thị', 'Thị', 'Ngọc', 'Thu', 'Thanh', 'Kim', 'Minh', 'Hồng'];
const maleGiven = ['Hùng', 'Dũng', 'Tuấn', 'Nam', 'Hải', 'Long', 'Thắng', 'Sơn', 'Bình', 'Cường', 'Hưng', 'Phúc', 'Quân', 'Tiến', 'Toàn', 'Trung', 'Việt', 'Khánh', 'Lâm', 'Lợi', 'Mạnh', 'Nghĩa', 'Tâm', 'Thành', 'Tùng', 'Hòa', 'Thủy', 'Chiến', 'Đông', 'Quý'];
const femaleGiven = ['Hoa', 'Lan', 'Hương', 'Mai', 'Hằng', 'Thủy', 'Nga', 'Hà', 'Liên', 'Huệ', 'Nhung', 'Oanh', 'Phương', 'Trang', 'Yến', 'Xuân', 'Dung', 'Hạnh', 'Loan', 'Thảo', 'Vân', 'Hồng', 'Hiền', 'Lý', 'Tuyết', 'Hòa'];

function personName(rnd: Random): string {
  const female = rnd.chance(0.5);
  const surname = surnames[rnd.weighted(surnameWeights)]!;
  return `${surname} ${rnd.pick(female ? femaleMiddle : maleMiddle)} ${rnd.pick(female ? femaleGiven : maleGiven)}`;
}

const coopTrades = ['Nông nghiệp', 'Dịch vụ nông nghiệp', 'Nông nghiệp và dịch vụ tổng hợp', 'Sản xuất và tiêu thụ rau an toàn', 'Chăn nuôi', 'Mây tre đan', 'Chế biến nông sản', 'Dược liệu', 'Thủy sản', 'Du lịch cộng đồng', 'Nuôi ong', 'Trồng nấm'];
const groupTrades = ['chè', 'rau an toàn', 'nuôi ong', 'mây tre đan', 'bánh gai', 'nem chua', 'dệt thổ cẩm', 'trồng nấm', 'chiếu cói', 'làm bún'];
const brandWords = ['Xanh', 'Sạch', 'Việt', 'Hồng Đức', 'Lam Sơn', 'Sao Mai', 'Phú Quý', 'An Phát', 'Minh Anh', 'Hoàng Gia', 'Trường Thịnh', 'Thành Đạt', 'Đông Á', 'Bảo Ngọc', 'Hưng Long', 'Phúc Lộc'];
const brandTrades = ['Nông sản', 'Thực phẩm', 'Thương mại', 'Đầu tư và Thương mại', 'Xuất nhập khẩu', 'Chế biến nông sản', 'Dược liệu'];
const villageParts = ['Đông', 'Tây', 'Nam', 'Bắc', 'Trung', 'Thượng', 'Hạ', 'Phú', 'Yên', 'Xuân', 'Tân', 'Vạn'];
const streets = ['Lê Lợi', 'Trần Phú', 'Bà Triệu', 'Quang Trung', 'Nguyễn Trãi', 'Lê Hoàn', 'Hạc Thành', 'Phan Chu Trinh', 'Lê Lai', 'Trường Thi', 'Đại lộ Lê Lợi'];

/** Mobile prefixes in use (Viettel, VinaPhone, MobiFone, Vietnamobile, Gmobile): 0[35789]x. */
const mobilePrefixes = ['086', '096', '097', '098', '032', '033', '034', '035', '036', '037', '038', '039', '088', '091', '094', '081', '082', '083', '084', '085', '089', '090', '093', '070', '076', '077', '078', '079', '092', '056', '058', '099', '059'];

/** A 10-digit tax code (MST) with its check digit: N10 = 10 − (Σ wᵢ·Nᵢ mod 11), weights 31 29 23 19 17 13 7 5 3. */
export function taxCodeWithCheckDigit(nine: string): string | undefined {
  const w = [31, 29, 23, 19, 17, 13, 7, 5, 3];
  const sum = [...nine].reduce((s, ch, i) => s + Number(ch) * w[i]!, 0);
  const check = 10 - (sum % 11);
  return check === 10 ? undefined : nine + check;
}

function taxCode(rnd: Random, prefix: string): string {
  for (;;) {
    const code = taxCodeWithCheckDigit(prefix + rnd.digits(9 - prefix.length));
    if (code) return code;
  }
}

// ---------------------------------------------------------------------------------------------
// Products

type ProductTemplate = { name: string; unit: string[]; price: [number, number]; weight?: [number, number]; shelf?: [number, number] };
const productTemplates: Record<(typeof ocopGroups)[number], ProductTemplate[]> = {
  food: [
    { name: 'Nem chua', unit: ['hộp 20 cái', 'túi 10 cái'], price: [40_000, 120_000], weight: [300, 1000], shelf: [5, 10] },
    { name: 'Gạo nếp cái hoa vàng', unit: ['túi 2 kg', 'túi 5 kg'], price: [60_000, 180_000], weight: [2000, 5000], shelf: [180, 365] },
    { name: 'Mật ong rừng', unit: ['chai 500 ml', 'chai 1 lít'], price: [150_000, 450_000], weight: [700, 1500], shelf: [365, 730] },
    { name: 'Bánh gai', unit: ['hộp 10 chiếc', 'túi 5 chiếc'], price: [40_000, 90_000], weight: [500, 1000], shelf: [5, 15] },
    { name: 'Chè lam', unit: ['hộp 500 g', 'gói 250 g'], price: [35_000, 90_000], weight: [250, 500], shelf: [60, 120] },
    { name: 'Mắm tép', unit: ['hũ 500 g', 'hũ 1 kg'], price: [50_000, 150_000], weight: [600, 1200], shelf: [180, 365] },
    { name: 'Nước mắm', unit: ['chai 500 ml', 'can 2 lít'], price: [40_000, 200_000], weight: [700, 2500], shelf: [365, 730] },
    { name: 'Gạo hữu cơ', unit: ['túi 5 kg', 'túi 10 kg'], price: [120_000, 300_000], weight: [5000, 10000], shelf: [180, 365] },
    { name: 'Bưởi Luận Văn', unit: ['quả', 'thùng 5 quả'], price: [50_000, 350_000], weight: [1200, 7000], shelf: [20, 45] },
    { name: 'Cam Vân Du', unit: ['kg', 'thùng 10 kg'], price: [35_000, 400_000], weight: [1000, 10000], shelf: [15, 30] },
    { name: 'Giò bò', unit: ['cây 500 g', 'cây 1 kg'], price: [150_000, 320_000], weight: [500, 1000], shelf: [5, 10] },
    { name: 'Mực khô', unit: ['túi 500 g', 'túi 1 kg'], price: [450_000, 1_200_000], weight: [500, 1000], shelf: [180, 365] },
    { name: 'Bánh răng bừa', unit: ['hộp 10 chiếc'], price: [40_000, 80_000], weight: [600, 900], shelf: [2, 4] },
    { name: 'Chả tôm', unit: ['hộp 500 g', 'hộp 1 kg'], price: [150_000, 350_000], weight: [500, 1000], shelf: [7, 90] },
    { name: 'Tương Cự Đà', unit: ['chai 500 ml'], price: [30_000, 60_000], weight: [700, 800], shelf: [180, 365] },
  ],
  beverages: [
    { name: 'Rượu nếp cẩm', unit: ['chai 500 ml', 'bình 2 lít'], price: [60_000, 250_000], weight: [800, 2500], shelf: [365, 1825] },
    { name: 'Rượu men lá', unit: ['chai 500 ml', 'can 5 lít'], price: [50_000, 400_000], weight: [800, 5500], shelf: [365, 1825] },
    { name: 'Chè xanh sao khô', unit: ['gói 200 g', 'hộp 500 g'], price: [40_000, 180_000], weight: [200, 500], shelf: [180, 365] },
    { name: 'Trà hoa vàng', unit: ['hộp 100 g'], price: [200_000, 600_000], weight: [150, 300], shelf: [365, 730] },
    { name: 'Rượu ngô', unit: ['chai 500 ml', 'can 5 lít'], price: [50_000, 350_000], weight: [800, 5500], shelf: [365, 1825] },
    { name: 'Trà dây', unit: ['gói 500 g'], price: [80_000, 200_000], weight: [500, 600], shelf: [365, 730] },
  ],
  herbs: [
    { name: 'Cao lá xạ đen', unit: ['hộp 100 g', 'hũ 200 g'], price: [200_000, 800_000], weight: [150, 300], shelf: [365, 730] },
    { name: 'Tinh dầu quế', unit: ['chai 10 ml', 'chai 50 ml'], price: [60_000, 300_000], weight: [50, 150], shelf: [730, 1095] },
    { name: 'Trà túi lọc giảo cổ lam', unit: ['hộp 25 túi'], price: [60_000, 150_000], weight: [100, 200], shelf: [365, 730] },
    { name: 'Tinh bột nghệ', unit: ['hũ 500 g'], price: [150_000, 450_000], weight: [500, 600], shelf: [365, 730] },
    { name: 'Sâm Bố Chính', unit: ['hộp 500 g'], price: [300_000, 1_200_000], weight: [500, 600], shelf: [365, 730] },
  ],
  handicrafts: [
    { name: 'Chiếu cói Nga Sơn', unit: ['chiếc 1,6 m', 'chiếc 1,8 m'], price: [150_000, 600_000], weight: [1500, 3000] },
    { name: 'Giỏ mây đan thủ công', unit: ['chiếc', 'bộ 3 chiếc'], price: [80_000, 450_000], weight: [300, 1500] },
    { name: 'Nón lá', unit: ['chiếc'], price: [40_000, 150_000], weight: [150, 300] },
    { name: 'Thổ cẩm Thái', unit: ['tấm', 'chiếc khăn'], price: [150_000, 1_500_000], weight: [200, 800] },
    { name: 'Đồ gỗ mỹ nghệ', unit: ['bộ', 'chiếc'], price: [500_000, 8_000_000], weight: [2000, 20000] },
    { name: 'Gốm Lò Chum', unit: ['bình', 'bộ ấm chén'], price: [150_000, 2_000_000], weight: [500, 3000] },
  ],
  ornamentals: [
    { name: 'Lan rừng', unit: ['chậu'], price: [150_000, 2_000_000], weight: [1000, 4000] },
    { name: 'Cây cảnh bonsai', unit: ['chậu'], price: [300_000, 5_000_000], weight: [2000, 15000] },
    { name: 'Cá chép Koi', unit: ['con'], price: [200_000, 3_000_000] },
  ],
  tourism_services: [
    { name: 'Homestay Pù Luông', unit: ['đêm'], price: [300_000, 1_500_000] },
    { name: 'Du lịch cộng đồng bản Hiêu', unit: ['người/ngày'], price: [250_000, 900_000] },
    { name: 'Du lịch sinh thái Bến En', unit: ['vé'], price: [50_000, 300_000] },
  ],
};
const groupWeights = [62, 14, 8, 10, 3, 3];
const overrideReasons = ['Ảnh sản phẩm sẽ bổ sung sau', 'Cán bộ hỗ trợ đăng trực tiếp trên sàn', 'Sàn đã chấp nhận ảnh chụp tại chỗ'];
const rejectionReasons = ['Ảnh sản phẩm không đạt yêu cầu của sàn', 'Thiếu giấy chứng nhận an toàn thực phẩm', 'Tên sản phẩm không khớp với nhãn', 'Giá bán chưa hợp lệ', 'Thiếu thông tin nguồn gốc xuất xứ'];
const descriptions = ['Sản phẩm truyền thống của địa phương, sản xuất theo quy trình khép kín.', 'Nguyên liệu tự nhiên, không chất bảo quản.', 'Đạt chứng nhận OCOP tỉnh Thanh Hóa.', 'Đóng gói cẩn thận, giao hàng toàn quốc qua bưu điện.'];

/** Relative share of listings per marketplace (the public programme platforms first). */
const marketplaceWeights: Record<string, number> = { postmart: 22, voso: 20, portal: 20, shopee: 16, lazada: 8, tiktok: 9, tiki: 5 };
/** Listing states: [status, weight for an OCOP product, weight for another]. */
const listingStates: [ListingStatus, number, number][] = [
  ['draft', 8, 13],
  ['submitted', 7, 10],
  ['live', 62, 45],
  ['paused', 8, 8],
  ['delisted', 5, 8],
  ['rejected', 10, 16],
];
/** Listings per product: distribution of 0…7 (mean ≈ 3), adjusted to the exact total. */
const listingsPerProduct = [5, 15, 20, 22, 18, 10, 6, 4];

const slug = (s: string) => normaliseName(s).replace(/ /g, '-');

function listingUrl(m: string, name: string, n: number): string {
  const s = slug(name);
  switch (m) {
    case 'postmart': return `https://postmart.vn/san-pham/${s}-${n}`;
    case 'voso': return `https://voso.vn/${s}-p${n}`;
    case 'portal': return `https://nongsan.thanhhoa.gov.vn/san-pham/${n}`;
    case 'shopee': return `https://shopee.vn/${s}-i.${100000 + (n % 900000)}.${n}`;
    case 'lazada': return `https://www.lazada.vn/products/${s}-i${n}.html`;
    case 'tiktok': return `https://shop.tiktok.com/view/product/${n}`;
    default: return `https://tiki.vn/${s}-p${n}.html`;
  }
}

function shopUrl(m: string, name: string): string {
  const s = slug(name);
  switch (m) {
    case 'postmart': return `https://postmart.vn/gian-hang/${s}`;
    case 'voso': return `https://voso.vn/shop/${s}`;
    case 'portal': return `https://nongsan.thanhhoa.gov.vn/gian-hang/${s}`;
    case 'shopee': return `https://shopee.vn/${s.replace(/-/g, '')}`;
    case 'lazada': return `https://www.lazada.vn/shop/${s}`;
    case 'tiktok': return `https://shop.tiktok.com/store/${s}`;
    default: return `https://tiki.vn/cua-hang/${s}`;
  }
}

// ---------------------------------------------------------------------------------------------
// The data set

export function resolveCounts(opts: Pick<SeedOptions, 'scale' | 'counts'>): SeedCounts {
  const counts = { ...seedScales[opts.scale ?? 'province'], ...opts.counts };
  if (counts.ocop > counts.products) throw new Error('More OCOP products than products');
  if (counts.listings > counts.products * marketplaces.length) throw new Error(`At most ${marketplaces.length} listings per product`);
  if (counts.products > 0 && counts.producers === 0) throw new Error('Products need producers');
  return counts;
}

/** Generates the whole data set in memory: pure and deterministic (same options → same records). */
export function generateDataSet(opts: SeedOptions = {}): SeedDataSet {
  const seed = opts.seed ?? 'ocop-38';
  const counts = resolveCounts(opts);
  const rnd = createRandom(seed);
  const communes = listCommunes();

  // Producers concentrate in some communes: Zipf-like weights over a seeded ordering.
  const order = rnd.shuffle(communes.map((_, i) => i));
  const communeWeights = new Array<number>(communes.length);
  order.forEach((ci, rank) => (communeWeights[ci] = 1 / (rank + 1) ** 0.6));
  const communeTotal = communeWeights.reduce((s, w) => s + w, 0);

  const producers: ProducerRecord[] = [];
  const kinds = ['household', 'cooperative', 'cooperative_group', 'enterprise'] as const;
  const step = (PRODUCERS_TO - PRODUCERS_FROM) / Math.max(1, counts.producers);
  for (let i = 0; i < counts.producers; i++) {
    const at = Math.floor(PRODUCERS_FROM + i * step + rnd.next() * step * 0.9);
    const commune = communes[rnd.weighted(communeWeights, communeTotal)]!;
    const kind = kinds[rnd.weighted([85, 7, 4, 4])]!;
    producers.push(producerRecord(rnd, seededId(at, rnd), at, kind, commune, opts.hashCitizenId));
  }
  const organisations = producers.filter((p) => p.kind !== 'household');
  const households = producers.filter((p) => p.kind === 'household');

  // OCOP ratings: exact numbers of 3★, 4★ and 5★ spread over the products.
  const n5 = Math.max(counts.ocop >= 3 ? 1 : 0, Math.round(counts.ocop * 0.02));
  const n4 = Math.max(counts.ocop >= 2 ? 1 : 0, Math.round(counts.ocop * 0.26));
  const stars = rnd.shuffle([...Array<0 | 3 | 4 | 5>(counts.ocop - n4 - n5).fill(3), ...Array<4>(n4).fill(4), ...Array<5>(n5).fill(5), ...Array<0>(counts.products - counts.ocop).fill(0)]);

  const products: ProductRecord[] = [];
  const producerOfProduct: ProducerRecord[] = [];
  for (let i = 0; i < counts.products; i++) {
    const ocopStars = stars[i]!;
    const pool = organisations.length && (ocopStars ? rnd.chance(0.85) : rnd.chance(0.55)) ? organisations : households.length ? households : organisations;
    const producer = rnd.pick(pool);
    const created = Date.parse(producer.createdAt);
    const at = Math.min(LATEST - 60 * DAY, created + rnd.int(0, 60) * DAY + rnd.int(0, DAY - 1));
    products.push(productRecord(rnd, seededId(at, rnd), at, ocopStars, producer));
    producerOfProduct.push(producer);
  }

  // Listings: how many per product (exact total), on which marketplaces, in which state.
  const perProduct = products.map(() => rnd.weighted(listingsPerProduct));
  let total = perProduct.reduce((s, n) => s + n, 0);
  while (total > counts.listings) {
    const i = rnd.int(0, products.length - 1);
    if (perProduct[i]! > 0) (perProduct[i]! -= 1), (total -= 1);
  }
  while (total < counts.listings) {
    const i = rnd.int(0, products.length - 1);
    if (perProduct[i]! < marketplaces.length) (perProduct[i]! += 1), (total += 1);
  }
  const mIds = marketplaces.map((m) => m.id);
  const accounts = new Map<string, Account>();
  const listings: SeedDataSet['listings'] = [];
  let urlSeq = 100_000;
  products.forEach((product, pi) => {
    const producer = producerOfProduct[pi]!;
    const chosen: string[] = [];
    const weights = mIds.map((m) => marketplaceWeights[m] ?? 1);
    while (chosen.length < perProduct[pi]!) {
      const k = rnd.weighted(weights);
      chosen.push(mIds[k]!);
      weights[k] = 0;
    }
    for (const m of chosen.sort()) {
      const status = listingStates[rnd.weighted(listingStates.map(([, o, n]) => (product.ocopStars ? o : n)))]![0];
      const path = pathTo(status);
      const wentLive = path.includes('live');
      const accountKey = `${producer.id}|${m}`;
      let account = accounts.get(accountKey);
      // A listing went live only with an account at least registered (the service checks it).
      if (wentLive ? !account || !accountAllowsLiveListing(account.status) : !account && rnd.chance(0.5)) {
        const accountStatus: AccountStatus = wentLive ? (['registered', 'verified', 'active'] as const)[rnd.weighted([3, 3, 4])]! : (['registered', 'verified', 'active', 'none'] as const)[rnd.weighted([4, 2, 2, 1])]!;
        account = accountRecord(rnd, producer, m, accountStatus, Date.parse(producer.createdAt));
        accounts.set(accountKey, account);
      }
      const liveAfter = account && accountAllowsLiveListing(account.status) ? Date.parse(account.updatedAt) + 3_600_000 : 0;
      listings.push(listingOf(rnd, product, m, path, liveAfter, urlSeq++));
    }
  });
  // More seller accounts, mostly of producers without listings: the programme registers them on the public platforms.
  for (const producer of producers) {
    if (!rnd.chance(0.12)) continue;
    for (const m of rnd.chance(0.7) ? ['postmart'] : rnd.chance(0.5) ? ['voso'] : ['postmart', 'voso']) {
      const key = `${producer.id}|${m}`;
      if (accounts.has(key)) continue;
      accounts.set(key, accountRecord(rnd, producer, m, (['registered', 'verified', 'active', 'none'] as const)[rnd.weighted([5, 2, 1, 1])]!, Date.parse(producer.createdAt)));
    }
  }

  // Derived coverage state, as the services maintain it.
  const byProducer = new Map(producers.map((p) => [p.id, p]));
  const byProduct = new Map(products.map((p) => [p.id, p]));
  for (const p of products) byProducer.get(p.producerId)!.productCount += 1;
  for (const a of accounts.values()) if (accountAllowsLiveListing(a.status)) byProducer.get(a.producerId)!.accountMarketplaces.push(a.marketplace);
  for (const { listing } of listings) {
    byProduct.get(listing.productId)!.listingStatuses![listing.marketplace] = listing.status;
    if (listing.status !== 'live') continue;
    byProduct.get(listing.productId)!.liveMarketplaces.push(listing.marketplace);
    const counts = byProducer.get(listing.producerId)!.liveCounts;
    counts[listing.marketplace] = (counts[listing.marketplace] ?? 0) + 1;
  }
  for (const p of producers) p.accountMarketplaces.sort();
  for (const p of products) {
    p.liveMarketplaces.sort();
    const producer = byProducer.get(p.producerId)!;
    p.readyMarketplaces = readyMarketplacesOf(marketplaces, { product: p, producer, photos: { readyCount: 0 } });
  }

  const busiest = communes[order[0]!]!.code;
  const targets: Target[] = [
    { indicator: 'ocopLive/productsOcop', marketplace: 'all', scope: 'province', period: '2026-12-31', unit: 'percent', value: 100 },
    { indicator: 'producersWithAccount/producers', marketplace: 'all', scope: 'province', period: '2026-12-31', unit: 'percent', value: 60 },
    { indicator: 'productsLive/products', marketplace: 'postmart', scope: 'province', period: '2026-12-31', unit: 'percent', value: 30 },
    { indicator: 'productsLive/products', marketplace: 'voso', scope: 'province', period: '2026-12-31', unit: 'percent', value: 30 },
    { indicator: 'productsLive/products', marketplace: 'portal', scope: 'province', period: '2026-12-31', unit: 'percent', value: 40 },
    { indicator: 'producersTrained/producers', marketplace: 'all', scope: busiest, period: '2026-12-31', unit: 'percent', value: 80 },
  ];

  return { seed, counts, producers, products, accounts: [...accounts.values()], listings, targets };
}

function producerRecord(rnd: Random, id: string, at: number, kind: ProducerRecord['kind'], commune: Commune, hashCitizenId?: (id: string) => string): ProducerRecord {
  const representative = personName(rnd);
  const village = commune.type === 'Phường' ? '' : ` ${rnd.pick(villageParts)}`;
  const name =
    kind === 'household'
      ? `${rnd.chance(0.6) ? 'Hộ kinh doanh' : 'Hộ'} ${representative}`
      : kind === 'cooperative'
        ? `HTX ${rnd.pick(coopTrades)} ${commune.name}${rnd.chance(0.3) ? village : ''}`
        : kind === 'cooperative_group'
          ? `Tổ hợp tác ${rnd.pick(groupTrades)} ${commune.name}${village}`
          : `Công ty ${rnd.chance(0.7) ? 'TNHH' : 'Cổ phần'} ${rnd.pick(brandTrades)} ${rnd.pick(brandWords)}`;
  const fields: Omit<ProducerCreate, 'citizenId' | 'confirmDistinct'> = {
    kind,
    name,
    representative,
    communeCode: commune.code,
    address: commune.type === 'Phường' ? (rnd.chance(0.5) ? `Số ${rnd.int(1, 250)} đường ${rnd.pick(streets)}` : `Tổ dân phố ${rnd.int(1, 30)}`) : rnd.chance(0.6) ? `Thôn ${rnd.int(1, 15)}` : `Thôn${village || ` ${rnd.pick(villageParts)}`}`,
    legalBasis: rnd.chance(0.4) ? { type: 'consent', consentDate: isoDate(at - rnd.int(0, 30) * DAY) } : { type: 'state_management' },
  };
  if (kind !== 'household' || rnd.chance(0.9)) fields.phone = rnd.pick(mobilePrefixes) + rnd.digits(7);
  if (kind === 'household' ? rnd.chance(0.3) : kind === 'cooperative_group' ? rnd.chance(0.4) : true) {
    fields.taxCode = kind === 'household' ? taxCode(rnd, '8') : taxCode(rnd, '28');
    if (kind === 'enterprise' && rnd.chance(0.1)) fields.taxCode += `-${String(rnd.int(1, 9)).padStart(3, '0')}`;
  }
  if (rnd.chance(0.45)) fields.trainingDate = isoDate(Date.UTC(2023, 0, 1) + rnd.int(0, 1400) * DAY);
  const record: ProducerRecord = {
    ...fields,
    id,
    searchName: normaliseName(name),
    productCount: 0,
    accountMarketplaces: [],
    liveCounts: {},
    covRev: 0,
    userCount: 0,
    version: 1,
    createdAt: iso(at),
    updatedAt: iso(at),
    createdBy: SEED_ACTOR.id,
    updatedBy: SEED_ACTOR.id,
  };
  const birthYear = rnd.int(1955, 2000);
  const citizenId = `038${birthYear < 2000 ? rnd.int(0, 1) : rnd.int(2, 3)}${String(birthYear % 100).padStart(2, '0')}${rnd.digits(6)}`;
  if (hashCitizenId && kind === 'household' && rnd.chance(0.5)) {
    record.citizenIdHash = hashCitizenId(citizenId);
    record.citizenIdLast4 = citizenId.slice(-4);
  }
  return record;
}

function productRecord(rnd: Random, id: string, at: number, ocopStars: 0 | 3 | 4 | 5, producer: ProducerRecord): ProductRecord {
  const group = ocopGroups[rnd.weighted(groupWeights)]!;
  const t = rnd.pick(productTemplates[group]);
  const fields: Omit<ProductCreate, 'producerId'> = { name: rnd.chance(0.4) ? `${t.name} ${producer.kind === 'household' ? 'gia truyền' : 'loại 1'}` : t.name, ocopGroup: group, ocopStars };
  if (ocopStars) {
    fields.certificateNo = `${rnd.int(100, 4999)}/QĐ-UBND`;
    // Recognised within the two years before: most certificates (36 months) still valid, a few lapsed, as in a province.
    fields.certificateDate = isoDate(at - rnd.int(0, 730) * DAY);
    if (rnd.chance(0.4)) fields.certifications = rnd.chance(0.5) ? ['VietGAP'] : [rnd.pick(certificationKinds)];
  } else if (rnd.chance(0.08)) fields.certifications = ['VietGAP'];
  if (rnd.chance(ocopStars ? 0.95 : 0.8)) fields.unit = rnd.pick(t.unit);
  if (rnd.chance(0.95)) fields.priceVnd = Math.round(rnd.int(t.price[0], t.price[1]) / 1000) * 1000;
  if (t.weight && rnd.chance(ocopStars ? 0.9 : 0.65)) fields.weightGrams = rnd.int(t.weight[0], t.weight[1]);
  if (t.shelf && rnd.chance(ocopStars ? 0.9 : 0.55)) fields.shelfLifeDays = rnd.int(t.shelf[0], t.shelf[1]);
  if (rnd.chance(ocopStars ? 0.9 : 0.5)) fields.description = rnd.pick(descriptions);
  const record: ProductRecord = {
    ...fields,
    id,
    producerId: producer.id,
    communeCode: producer.communeCode,
    searchName: normaliseName(fields.name),
    readyMarketplaces: [],
    liveMarketplaces: [],
    listingStatuses: {},
    covRev: 0,
    version: 1,
    createdAt: iso(at),
    updatedAt: iso(at),
    createdBy: SEED_ACTOR.id,
    updatedBy: SEED_ACTOR.id,
  };
  return withDerived(record);
}

/** The account after the moves that reach `status` (none → registered → verified → active; closing → none). */
function accountRecord(rnd: Random, producer: ProducerRecord, m: string, status: AccountStatus, after: number): Account {
  const version = status === 'none' ? 2 : status === 'registered' ? 1 : status === 'verified' ? 2 : 3;
  const account: Account = { producerId: producer.id, marketplace: m, status, version, updatedAt: iso(after + rnd.int(1, 30) * DAY + rnd.int(0, DAY - 1)) };
  if (status !== 'none' && rnd.chance(0.5)) account.shopUrl = shopUrl(m, producer.name);
  return account;
}

function pathTo(status: ListingStatus): ListingStatus[] {
  switch (status) {
    case 'draft': return ['draft'];
    case 'submitted': return ['draft', 'submitted'];
    case 'rejected': return ['draft', 'submitted', 'rejected'];
    case 'live': return ['draft', 'submitted', 'live'];
    default: return ['draft', 'submitted', 'live', status];
  }
}

/** The listing after walking `path` through the state machine as the onboarding service does, and its history. */
function listingOf(rnd: Random, product: ProductRecord, m: string, path: ListingStatus[], liveAfter: number, n: number): SeedDataSet['listings'][number] {
  let at = Date.parse(product.createdAt) + rnd.int(1, 30) * DAY;
  let listing: Listing | undefined;
  const history: ListingTransition[] = [];
  for (const to of path) {
    at += rnd.int(1, 14) * DAY + rnd.int(0, DAY - 1);
    if (to === 'live') at = Math.max(at, liveAfter);
    at = Math.min(at, LATEST);
    const from = listing?.status ?? null;
    const input: { url?: string; reason?: string; overrideReason?: string } = {};
    if (to === 'submitted') input.overrideReason = rnd.pick(overrideReasons);
    if (to === 'rejected') input.reason = rnd.pick(rejectionReasons);
    if (to === 'live') input.url = listingUrl(m, product.name, n);
    const url = input.url ?? listing?.url;
    const next: Listing = { productId: product.id, producerId: product.producerId, marketplace: m, status: to, version: (listing?.version ?? 0) + 1, updatedAt: iso(at) };
    if (url && !(to === 'draft' && from === 'delisted')) next.url = url;
    if (to === 'rejected') next.reason = input.reason;
    const overrideReason = to === 'submitted' ? input.overrideReason : listing?.overrideReason;
    if (overrideReason) next.overrideReason = overrideReason;
    const t: ListingTransition = { at: iso(at), actor: SEED_ACTOR, from, to };
    if (input.reason) t.reason = input.reason;
    if (input.overrideReason) t.overrideReason = input.overrideReason;
    if (to === 'live') t.url = url;
    history.push(t);
    listing = next;
  }
  return { listing: listing!, history };
}

// ---------------------------------------------------------------------------------------------
// Writing

const putItem = (op: TxOp): Item => {
  const item = op.item.Put?.Item;
  if (!item) throw new Error('expected a Put op');
  return item;
};

/**
 * The counter items `deltaOps` would leave on an empty table: its keys and its SET/ADD values,
 * as one Put each.
 */
export function counterItems(table: Table, totals: Contribution): Item[] {
  return createCoverageRepository(table).deltaOps(totals).map((op) => {
    const u = op.item.Update;
    if (!u?.Key || !u.ExpressionAttributeNames || !u.ExpressionAttributeValues || !/^SET marketplace = :mk, communeCode = :cc ADD /.test(u.UpdateExpression ?? '')) {
      throw new Error('coverage deltaOps changed shape: update counterItems');
    }
    const values = u.ExpressionAttributeValues as Record<string, unknown>;
    const item: Item = { ...u.Key, marketplace: values[':mk'], communeCode: values[':cc'] };
    for (const [alias, metric] of Object.entries(u.ExpressionAttributeNames)) item[metric] = values[`:v${alias.slice(2)}`];
    return item;
  });
}

/** The coverage counters of a data set: the same contributions the tracker and the recount compute. */
export function countersOf(data: Pick<SeedDataSet, 'producers' | 'products'>): Contribution {
  const empty: Contribution = new Map();
  const pairs: [Contribution, Contribution][] = [];
  for (const p of data.producers) pairs.push([empty, producerContribution(producerCoverageState(p))]);
  for (const p of data.products) pairs.push([empty, productContribution(productCoverageState(p))]);
  return contributionDelta(pairs);
}

const RETRYABLE = [ProvisionedThroughputExceededException, ThrottlingException, RequestLimitExceeded];
const MAX_ATTEMPTS = 12;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function isRetryable(e: unknown): boolean {
  if (RETRYABLE.some((t) => e instanceof t)) return true;
  const err = e as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  return err?.name === 'InternalServerError' || (err?.$metadata?.httpStatusCode ?? 0) >= 500 || ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT'].includes(err?.code ?? '');
}

export type WriteMode = 'batch' | 'transact';

/**
 * Bulk puts, `concurrency` requests in flight, with exponential backoff:
 * - `batch`: BatchWriteItem, 25 puts a request, unprocessed items retried;
 * - `transact`: TransactWriteItems, 100 unconditional puts a request, retried when throttled or
 *   in conflict. On DynamoDB Local's disk store this is several times faster: it commits each
 *   item of a BatchWriteItem as its own SQLite transaction, but a TransactWriteItems as one.
 */
export function createBatchWriter(table: Table, opts: { concurrency?: number; mode?: WriteMode; onWritten?: (n: number) => void } = {}) {
  const concurrency = opts.concurrency ?? 8;
  const size = opts.mode === 'transact' ? 100 : 25;
  let buffer: Item[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let written = 0;
  let retries = 0;

  async function backoff(attempt: number) {
    retries += 1;
    await sleep(Math.min(5_000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2));
  }

  async function writeBatch(items: Item[]): Promise<void> {
    let requests = items.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await table.doc.send(new BatchWriteCommand({ RequestItems: { [table.name]: requests } }));
        const left = out.UnprocessedItems?.[table.name] ?? [];
        if (left.length === 0) return;
        requests = left as typeof requests;
      } catch (e) {
        if (!isRetryable(e) || attempt >= MAX_ATTEMPTS) throw e;
      }
      if (attempt >= MAX_ATTEMPTS) throw new Error(`${requests.length} items still unprocessed after ${MAX_ATTEMPTS} attempts`);
      await backoff(attempt);
    }
  }

  async function writeTransaction(items: Item[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await table.doc.send(new TransactWriteCommand({ TransactItems: items.map((Item) => ({ Put: { TableName: table.name, Item } })) }));
        return;
      } catch (e) {
        const reasons = e instanceof TransactionCanceledException ? (e.CancellationReasons ?? []) : [];
        const retryable = isRetryable(e) || reasons.some((r) => r.Code === 'TransactionConflict' || r.Code === 'ThrottlingError' || r.Code === 'ProvisionedThroughputExceeded');
        if (!retryable || attempt >= MAX_ATTEMPTS) throw e;
      }
      await backoff(attempt);
    }
  }
  const write = opts.mode === 'transact' ? writeTransaction : writeBatch;

  async function flush(): Promise<void> {
    if (failure) throw failure;
    if (buffer.length === 0) return;
    const batch = buffer;
    buffer = [];
    const p: Promise<void> = write(batch).then(
      () => {
        written += batch.length;
        opts.onWritten?.(written);
        inFlight.delete(p);
      },
      (e) => {
        failure ??= e;
        inFlight.delete(p);
      },
    );
    inFlight.add(p);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (failure) throw failure;
  }

  return {
    async put(item: Item): Promise<void> {
      buffer.push(item);
      if (buffer.length === size) await flush();
    },
    async close(): Promise<void> {
      await flush();
      await Promise.all(inFlight);
      if (failure) throw failure;
    },
    get written() {
      return written;
    },
    get retries() {
      return retries;
    },
  };
}

const markerKey = (table: Table) => ({ PK: `${table.prefix}SEED`, SK: 'META' });

/** Refuses unless the table holds no producer, product, counter or seed of this province. */
export async function assertSeedable(table: Table): Promise<void> {
  const producers = createProducerRepository(table);
  const products = createProductRepository(table);
  const probes: [string, { IndexName?: string; pkName: string; pk: string }][] = [
    ['producers', { IndexName: producers.provincePartition.index, pkName: 'GSI2PK', pk: producers.provincePartition.pk }],
    ['products', { IndexName: products.provincePartition.index, pkName: 'GSI2PK', pk: products.provincePartition.pk }],
    ['coverage counters', { pkName: 'PK', pk: `${table.prefix}COVERAGE` }],
    ['an earlier seed', { pkName: 'PK', pk: markerKey(table).PK }],
  ];
  const found = await Promise.all(
    probes.map(async ([what, p]) => {
      const out = await table.doc.send(new QueryCommand({ TableName: table.name, IndexName: p.IndexName, KeyConditionExpression: '#pk = :pk', ExpressionAttributeNames: { '#pk': p.pkName }, ExpressionAttributeValues: { ':pk': p.pk }, Limit: 1 }));
      return out.Items?.length ? what : undefined;
    }),
  );
  const present = found.filter(Boolean);
  if (present.length) throw new SeedRefusedError(`Table ${table.name} already holds ${present.join(', ')} of province ${table.provinceCode}; seeding again would double-count. Use --reset to delete the table first.`);
}

/** Generates the data set and writes it to `table` (which must hold none of this province's records). */
export async function seedProvince(table: Table, opts: SeedOptions = {}): Promise<SeedSummary> {
  const log = opts.log ?? (() => {});
  await assertSeedable(table);
  const startedAt = performance.now();
  const data = generateDataSet(opts);
  const generateMs = performance.now() - startedAt;
  // Marks the table as seeded before the first write, so a crashed seed is never repeated on top.
  await table.doc.send(new PutCommand({ TableName: table.name, Item: { ...markerKey(table), type: 'seed', status: 'loading', seed: data.seed, startedAt: new Date().toISOString() }, ConditionExpression: 'attribute_not_exists(PK)' }));
  const ocopByStars = { 3: 0, 4: 0, 5: 0 } as Record<3 | 4 | 5, number>;
  for (const p of data.products) if (p.ocopStars) ocopByStars[p.ocopStars] += 1;
  const listingsByStatus: Record<string, number> = {};
  for (const { listing } of data.listings) listingsByStatus[listing.status] = (listingsByStatus[listing.status] ?? 0) + 1;
  log(`Generated ${data.producers.length} producers, ${data.products.length} products (OCOP ${ocopByStars[3]}×3★ ${ocopByStars[4]}×4★ ${ocopByStars[5]}×5★), ${data.accounts.length} seller accounts, ${data.listings.length} listings in ${(generateMs / 1000).toFixed(1)} s`);

  const producerRepo = createProducerRepository(table);
  const productRepo = createProductRepository(table);
  const accountRepo = createAccountRepository(table);
  const listingRepo = createListingRepository(table);
  const dupRepo = createDuplicateKeyRepository(table);
  const counters = countersOf(data);
  const counterRows = counterItems(table, counters);

  const writeStarted = performance.now();
  let lastLog = writeStarted;
  let phase = '';
  const writer = createBatchWriter(table, {
    concurrency: opts.concurrency,
    mode: opts.writes,
    onWritten: (n) => {
      const now = performance.now();
      if (now - lastLog < 2_000) return;
      lastLog = now;
      log(`  ${phase}: ${n.toLocaleString('en')} items written, ${Math.round(n / ((now - writeStarted) / 1000)).toLocaleString('en')} items/s`);
    },
  });
  const idRnd = createRandom(`${data.seed}/history`);
  let duplicateKeys = 0;
  let transitions = 0;

  phase = 'producers and duplicate keys';
  log(`Writing ${phase}…`);
  for (const p of data.producers) {
    await writer.put(putItem(producerRepo.createOp(p)));
    for (const op of dupRepo.putOps(p.id, duplicateKeysOf(p))) {
      await writer.put(putItem(op));
      duplicateKeys += 1;
    }
  }
  phase = 'products';
  log(`Writing ${phase}…`);
  for (const p of data.products) await writer.put(putItem(productRepo.createOp(p)));
  phase = 'seller accounts';
  log(`Writing ${phase}…`);
  for (const a of data.accounts) await writer.put(putItem(accountRepo.putOp(a, undefined)));
  phase = 'listings and their history';
  log(`Writing ${phase}…`);
  for (const { listing, history } of data.listings) {
    await writer.put(putItem(listingRepo.putOp(listing, undefined)));
    for (const t of history) {
      const item = putItem(listingRepo.transitionOp(listing.productId, listing.marketplace, t));
      // The history key ends with a random id (newId); a seeded one keeps the data reproducible.
      item.SK = `${(item.SK as string).slice(0, (item.SK as string).lastIndexOf('#'))}#${seededId(Date.parse(t.at), idRnd)}`;
      await writer.put(item);
      transitions += 1;
    }
  }
  phase = 'coverage counters';
  log(`Writing ${phase}…`);
  for (const item of counterRows) await writer.put(item);
  await writer.close();
  const writeMs = performance.now() - writeStarted;

  let targets = 0;
  if (opts.targets !== false) {
    const repo = createTargetRepository(table);
    if ((await repo.list()).length === 0) {
      await repo.replaceAll(data.targets);
      targets = data.targets.length;
    }
  }
  const summary: SeedSummary = {
    seed: data.seed,
    counts: {
      ...data.counts,
      communes: new Set(data.producers.map((p) => p.communeCode)).size,
      ocopByStars,
      accounts: data.accounts.length,
      liveListings: listingsByStatus.live ?? 0,
      listingsByStatus,
      transitions,
      duplicateKeys,
      counters: counterRows.length,
      targets,
    },
    items: writer.written,
    generateMs,
    writeMs,
    itemsPerSecond: writer.written / (writeMs / 1000),
    firstProducerId: data.producers[0]?.id ?? '',
  };
  await table.doc.send(new PutCommand({ TableName: table.name, Item: { ...markerKey(table), type: 'seed', status: 'done', seed: data.seed, counts: summary.counts, items: summary.items, finishedAt: new Date().toISOString() } }));
  log(`Wrote ${summary.items.toLocaleString('en')} items in ${(writeMs / 1000).toFixed(1)} s (${Math.round(summary.itemsPerSecond).toLocaleString('en')} items/s, ${writer.retries} retried batches)`);
  return summary;
}

// ---------------------------------------------------------------------------------------------
// The local store, for the scripts

/** Deletes the table if it exists (the caller recreates it with `ensureTable`). */
export async function deleteTable(endpoint: string, tableName: string): Promise<boolean> {
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
    await waitUntilTableNotExists({ client, maxWaitTime: 60 }, { TableName: tableName });
    return true;
  } catch (e) {
    if (e instanceof ResourceNotFoundException) return false;
    throw e;
  } finally {
    client.destroy();
  }
}
