/**
 * How a target's indicator is said, one wording for the screens (the dashboard's targets, the
 * administrator's targets screen) and the coverage export: a count "Số SP OCOP đang bán", a ratio
 * "Tỉ lệ SP OCOP đang bán / SP OCOP" — never "… trên …", which also reads "on (a marketplace)".
 */
type Lang = 'vi' | 'en';

const metricWords: Record<Lang, Record<string, string>> = {
  vi: {
    producers: 'chủ thể',
    producersTrained: 'chủ thể đã tập huấn TMĐT',
    producersWithAccount: 'chủ thể có tài khoản sàn',
    producersLive: 'chủ thể có hàng đang bán',
    products: 'sản phẩm',
    productsOcop: 'SP OCOP',
    productsOcop3: 'SP OCOP 3 sao',
    productsOcop4: 'SP OCOP 4 sao',
    productsOcop5: 'SP OCOP 5 sao',
    productsReady: 'sản phẩm đủ điều kiện lên sàn',
    productsLive: 'sản phẩm đang bán',
    ocopLive: 'SP OCOP đang bán',
  },
  en: {
    producers: 'producers',
    producersTrained: 'producers trained in e-commerce',
    producersWithAccount: 'producers with a marketplace account',
    producersLive: 'producers with a live listing',
    products: 'products',
    productsOcop: 'OCOP products',
    productsOcop3: '3-star OCOP products',
    productsOcop4: '4-star OCOP products',
    productsOcop5: '5-star OCOP products',
    productsReady: 'products ready for a marketplace',
    productsLive: 'products live',
    ocopLive: 'OCOP products live',
  },
};

const framing: Record<Lang, { count: (m: string) => string; ratio: (a: string, b: string) => string }> = {
  vi: { count: (m) => `Số ${m}`, ratio: (a, b) => `Tỉ lệ ${a} / ${b}` },
  en: { count: (m) => `Number of ${m}`, ratio: (a, b) => `Share: ${a} / ${b}` },
};

/** Words for an indicator — a coverage metric, or a ratio `a/b` of two — in `lang` (Vietnamese by default); an unknown metric keeps its name. */
export function indicatorWords(indicator: string, lang: Lang = 'vi'): string {
  const word = (m: string) => metricWords[lang][m] ?? m;
  const [a, b] = indicator.split('/');
  return b === undefined ? framing[lang].count(word(a!)) : framing[lang].ratio(word(a!), word(b));
}
