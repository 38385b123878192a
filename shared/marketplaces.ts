/**
 * The marketplace registry: data, not code — adding a marketplace is one entry here.
 *
 * Photo rules use the figures each platform publishes for sellers (Lazada 330–5000 px and
 * ≤ 3 MB jpg/png; Shopee square ≤ 2 MB, 1024×1024 suggested, up to 9; TikTok Shop ≤ 5 MB
 * jpg/png; Tiki larger than 500×500). Where a platform publishes no figure, `ruleSource`
 * says which values were chosen here and why.
 */

export type PhotoFormat = 'jpeg' | 'png' | 'webp';

export type PhotoRules = {
  minPx: number;
  maxPx: number;
  maxBytes: number;
  /** `square`: width = height; `any`: no constraint. */
  aspect: 'square' | 'any';
  formats: PhotoFormat[];
  minCount: number;
  maxCount: number;
  /** The size the variant for this marketplace is made at (long edge, px). */
  targetPx: number;
  /** Where the figures come from, or why they were chosen. */
  ruleSource: string;
};

/** Product and producer fields a marketplace needs before a listing can be submitted. */
export type RequiredField =
  | 'product.name'
  | 'product.description'
  | 'product.priceVnd'
  | 'product.unit'
  | 'product.weightGrams'
  | 'product.shelfLifeDays'
  | 'producer.phone'
  | 'producer.taxCode';

export type Marketplace = {
  id: string;
  name: string;
  url: string;
  /** Hosts a live listing's URL may be on (subdomains included). */
  domains: string[];
  operator: string;
  /** A public-sector programme platform (Vietnam Post, Viettel Post, the province). */
  publicProgramme: boolean;
  requiredFields: RequiredField[];
  photos: PhotoRules;
};

const MB = 1024 * 1024;
const common: RequiredField[] = ['product.name', 'product.description', 'product.priceVnd', 'product.unit', 'producer.phone'];
const publicPhotos: PhotoRules = {
  minPx: 500,
  maxPx: 5000,
  maxBytes: 2 * MB,
  aspect: 'any',
  formats: ['jpeg', 'png'],
  minCount: 1,
  maxCount: 10,
  targetPx: 1200,
  ruleSource: 'No published figures; chosen here: the strictest common rule of the private marketplaces (≥ 500 px, ≤ 2 MB, jpg/png), 1200 px variant.',
};

export const marketplaces: readonly Marketplace[] = [
  {
    id: 'postmart',
    name: 'Postmart',
    url: 'https://postmart.vn',
    domains: ['postmart.vn'],
    operator: 'Tổng công ty Bưu điện Việt Nam (Vietnam Post)',
    publicProgramme: true,
    requiredFields: [...common, 'product.weightGrams'],
    photos: publicPhotos,
  },
  {
    id: 'voso',
    name: 'Voso',
    url: 'https://voso.vn',
    domains: ['voso.vn'],
    operator: 'Tổng công ty Cổ phần Bưu chính Viettel (Viettel Post)',
    publicProgramme: true,
    requiredFields: [...common, 'product.weightGrams'],
    photos: publicPhotos,
  },
  {
    id: 'portal',
    name: 'Sàn giao dịch cung cầu nông sản Thanh Hóa',
    url: 'https://nongsan.thanhhoa.gov.vn',
    domains: ['thanhhoa.gov.vn'],
    operator: 'Sở Nông nghiệp và Môi trường Thanh Hóa',
    publicProgramme: true,
    requiredFields: common,
    photos: publicPhotos,
  },
  {
    id: 'shopee',
    name: 'Shopee',
    url: 'https://shopee.vn',
    domains: ['shopee.vn', 'shp.ee'],
    operator: 'Shopee Việt Nam',
    publicProgramme: false,
    requiredFields: [...common, 'product.weightGrams'],
    photos: { minPx: 500, maxPx: 5000, maxBytes: 2 * MB, aspect: 'square', formats: ['jpeg', 'png'], minCount: 1, maxCount: 9, targetPx: 1024, ruleSource: 'Shopee seller education: square, ≤ 2 MB, 1024×1024 suggested, up to 9 images; min 500 px chosen here.' },
  },
  {
    id: 'lazada',
    name: 'Lazada',
    url: 'https://www.lazada.vn',
    domains: ['lazada.vn'],
    operator: 'Lazada Việt Nam',
    publicProgramme: false,
    requiredFields: [...common, 'product.weightGrams', 'producer.taxCode'],
    photos: { minPx: 330, maxPx: 5000, maxBytes: 3 * MB, aspect: 'any', formats: ['jpeg', 'png'], minCount: 1, maxCount: 8, targetPx: 1200, ruleSource: 'Lazada Seller Center: 330–5000 px, ≤ 3 MB, jpg/png, up to 8 images.' },
  },
  {
    id: 'tiktok',
    name: 'TikTok Shop',
    url: 'https://shop.tiktok.com',
    domains: ['tiktok.com'],
    operator: 'TikTok Shop Việt Nam',
    publicProgramme: false,
    requiredFields: [...common, 'product.weightGrams', 'producer.taxCode'],
    photos: { minPx: 600, maxPx: 5000, maxBytes: 5 * MB, aspect: 'square', formats: ['jpeg', 'png'], minCount: 1, maxCount: 9, targetPx: 1200, ruleSource: 'TikTok Shop Seller Center: ≤ 5 MB, jpg/png, up to 9; square and ≥ 600 px chosen here from its 1:1 recommendation.' },
  },
  {
    id: 'tiki',
    name: 'Tiki',
    url: 'https://tiki.vn',
    domains: ['tiki.vn'],
    operator: 'Tiki',
    publicProgramme: false,
    requiredFields: [...common, 'product.weightGrams', 'product.shelfLifeDays', 'producer.taxCode'],
    photos: { minPx: 501, maxPx: 5000, maxBytes: 5 * MB, aspect: 'any', formats: ['jpeg', 'png'], minCount: 1, maxCount: 8, targetPx: 1200, ruleSource: 'Tiki Seller Center: larger than 500×500; ≤ 5 MB, jpg/png and up to 8 chosen here.' },
  },
];

export const marketplaceIds = marketplaces.map((m) => m.id) as [string, ...string[]];

export function getMarketplace(id: string): Marketplace | undefined {
  return marketplaces.find((m) => m.id === id);
}

/** Whether `url` is an https/http address on one of the marketplace's domains. */
export function isUrlOnMarketplace(m: Pick<Marketplace, 'domains'>, url: string): boolean {
  let host: string;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
    host = parsed.hostname.toLowerCase();
  } catch {
    return false;
  }
  return m.domains.some((d) => host === d || host.endsWith(`.${d}`));
}
