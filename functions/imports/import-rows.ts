import type { z } from 'zod';
import { resolveUnit } from '#shared/admin-units/admin-units.ts';
import { fieldFormatWords, fieldRuleWords } from '#shared/field-rule-words.ts';
import type { ImportField as Field } from '#shared/import-fields.ts';
import { ProducerCreateSchema, type ProducerCreate } from '#shared/schemas/producer.ts';
import { ProductCreateSchema, type ProductCreate } from '#shared/schemas/product.ts';
import { normaliseName } from '#shared/text/normalise.ts';
import type { ColumnMapping, ImportField, ImportKind } from './import-columns.ts';
import { fieldErrorOf } from '#functions/core/errors.ts';
import type { Cell } from './spreadsheet-reader.ts';

/** Why a row's field cannot be taken: `message` in English, `vi` in Vietnamese (for the officer and the errors file). */
export type FieldError = { field: Field; message: string; vi: string };

const problem = (field: Field, message: string, vi: string): FieldError => ({ field, message, vi });

/** A schema's complaint about a field, worded in Vietnamese by the rule it broke. */
function fromIssue(field: Field, issue: z.core.$ZodIssue): FieldError {
  const { rule, limit } = fieldErrorOf(issue);
  const format = rule === 'format' && field in fieldFormatWords.vi ? fieldFormatWords.vi[field as keyof typeof fieldFormatWords.vi] : undefined;
  return { field, message: issue.message, vi: format ?? (rule ? fieldRuleWords.vi[rule](limit ?? 0) : 'Giá trị không hợp lệ.') };
}

const NOT_A_DATE = ['not a date (dd/mm/yyyy)', 'không phải ngày (dd/mm/yyyy)'] as const;
export type Candidate = { code: string; fullName: string; share?: string };

/** One spreadsheet row read into a producer (and product) to create, or why it cannot be. */
export type InterpretedRow =
  | { status: 'ok'; producer: ProducerCreate; product?: Omit<ProductCreate, 'producerId'> }
  | { status: 'invalid'; errors: FieldError[] }
  | { status: 'needs_decision'; candidates: Candidate[]; producer: Omit<ProducerCreate, 'communeCode'>; product?: Omit<ProductCreate, 'producerId'>; errors: FieldError[] };

const EXCEL_EPOCH = Date.UTC(1899, 11, 30);

/** A date from an Excel serial (e.g. 45321) or text dd/mm/yyyy, d-m-yy, yyyy-mm-dd; undefined if none, null if unreadable. */
export function parseDate(cell: Cell): string | undefined | null {
  if (cell === null || cell === '') return undefined;
  if (typeof cell === 'number') {
    if (cell < 1 || cell > 80000) return null;
    return new Date(EXCEL_EPOCH + Math.round(cell) * 86_400_000).toISOString().slice(0, 10);
  }
  const s = cell.trim();
  let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/.exec(s);
  if (m) {
    const year = m[3]!.length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
    return isoIfValid(year, Number(m[2]), Number(m[1]));
  }
  m = /^(\d{4})-(\d{1,2})-(\d{1,2})/.exec(s);
  if (m) return isoIfValid(Number(m[1]), Number(m[2]), Number(m[3]));
  return null;
}

function isoIfValid(y: number, mo: number, d: number): string | null {
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

/**
 * Digits of a number cell or text, restoring the leading zero Excel dropped (to `width` digits):
 * in a number cell, and in text of digits only, as a CSV saved from a sheet holds the number.
 */
function digits(cell: Cell, width?: number): string | undefined {
  if (cell === null) return undefined;
  const raw = typeof cell === 'number' ? String(Math.round(cell)) : cell.trim();
  if (!raw) return undefined;
  if (width && raw.length === width - 1 && /^\d+$/.test(raw)) return `0${raw}`;
  return raw;
}

function text(cell: Cell): string | undefined {
  if (cell === null) return undefined;
  const s = String(cell).trim();
  return s === '' ? undefined : s;
}

const kinds: [RegExp, ProducerCreate['kind']][] = [
  [/^(to hop tac|tht)\b/, 'cooperative_group'],
  [/^(hop tac xa|htx)\b/, 'cooperative'],
  [/^(doanh nghiep|dn|cong ty|cty|ct tnhh|tnhh)\b/, 'enterprise'],
  [/^(ho kinh doanh|hkd|ho gia dinh|ho|ca nhan)\b/, 'household'],
];

/** The producer kind named in a cell, or inferred from the name (HTX…, Công ty…); household otherwise. */
export function parseKind(cell: Cell, name: string): ProducerCreate['kind'] | undefined {
  const given = text(cell);
  if (given) {
    const key = normaliseName(given);
    if (['household', 'cooperative', 'cooperative_group', 'enterprise'].includes(key)) return key as ProducerCreate['kind'];
    return kinds.find(([re]) => re.test(key))?.[1];
  }
  return kinds.find(([re]) => re.test(normaliseName(name)))?.[1] ?? 'household';
}

const groups: [RegExp, ProductCreate['ocopGroup']][] = [
  [/thuc pham|food|nong san|luong thuc/, 'food'],
  [/do uong|beverage|ruou|tra\b/, 'beverages'],
  [/duoc lieu|thao duoc|herb/, 'herbs'],
  [/thu cong|my nghe|vai|may mac|handicraft/, 'handicrafts'],
  [/sinh vat canh|cay canh|hoa|ornamental/, 'ornamentals'],
  [/du lich|dich vu|tourism/, 'tourism_services'],
];

export function parseStars(cell: Cell): number | null {
  if (cell === null) return 0;
  if (typeof cell === 'number') return [0, 3, 4, 5].includes(cell) ? cell : null;
  const m = /^\s*([0345])\s*(sao|★|\*|stars?)?\s*$/i.exec(cell);
  if (m) return Number(m[1]);
  return normaliseName(cell) === 'khong' || cell.trim() === '' ? 0 : null;
}

export function parsePrice(cell: Cell): number | undefined | null {
  if (cell === null) return undefined;
  if (typeof cell === 'number') return Math.round(cell);
  const cleaned = cell.replace(/[₫đdvnVND\s]/gi, '').replace(/[.,](?=\d{3}(\D|$))/g, '');
  return /^\d+$/.test(cleaned) ? Number(cleaned) : null;
}

/** The column a product schema's complaint is about (its `name` is the product's name). */
function productFieldOf(key: PropertyKey | undefined): Field {
  const fields: Record<string, Field> = { name: 'productName', ocopGroup: 'ocopGroup', ocopStars: 'ocopStars', certificateNo: 'certificateNo', certificateDate: 'certificateDate', unit: 'unit', priceVnd: 'priceVnd' };
  return fields[String(key)] ?? 'productName';
}

/** The column a producer schema's complaint is about. */
function producerFieldOf(key: PropertyKey | undefined): Field {
  const fields: Record<string, Field> = { name: 'name', kind: 'kind', representative: 'representative', phone: 'phone', taxCode: 'taxCode', citizenId: 'citizenId', address: 'address', trainingDate: 'trainingDate' };
  return fields[String(key)] ?? 'name';
}

/**
 * Reads one row with the column mapping: cleans cells as officers' spreadsheets write them
 * (phones without their leading zero, dates as Excel serials or dd/mm/yyyy, "4 sao"), places
 * the commune through the old→new mapping, and validates with the same schemas as the API.
 */
export function interpretRow(row: Cell[], mapping: ColumnMapping, kind: ImportKind): InterpretedRow {
  const cell = (f: ImportField): Cell => (mapping[f] === undefined ? null : (row[mapping[f]!] ?? null));
  const errors: FieldError[] = [];
  const name = text(cell('name')) ?? '';
  const producerKind = parseKind(cell('kind'), name);
  if (!producerKind) errors.push(problem('kind', `unknown producer kind "${text(cell('kind'))}"`, `không rõ loại hình "${text(cell('kind'))}"`));
  const trainingDate = parseDate(cell('trainingDate'));
  if (trainingDate === null) errors.push(problem('trainingDate', ...NOT_A_DATE));
  const producerDraft = {
    kind: producerKind ?? 'household',
    name,
    representative: text(cell('representative')),
    phone: digits(cell('phone'), 10),
    taxCode: digits(cell('taxCode'), 10),
    citizenId: digits(cell('citizenId'), 12),
    address: text(cell('address')),
    trainingDate: trainingDate ?? undefined,
    legalBasis: { type: 'state_management' as const },
  };

  let product: Omit<ProductCreate, 'producerId'> | undefined;
  if (kind === 'products') {
    const stars = parseStars(cell('ocopStars'));
    if (stars === null) errors.push(problem('ocopStars', 'expected 3, 4 or 5 stars, or blank', 'cần 3, 4 hoặc 5 sao, hoặc để trống'));
    const groupText = text(cell('ocopGroup'));
    const group = groupText ? groups.find(([re]) => re.test(normaliseName(groupText)))?.[1] : undefined;
    if (!group) errors.push(groupText ? problem('ocopGroup', `unknown OCOP group "${groupText}"`, `không rõ nhóm sản phẩm OCOP "${groupText}"`) : problem('ocopGroup', 'the OCOP product group is missing', 'thiếu nhóm sản phẩm OCOP'));
    const certificateDate = parseDate(cell('certificateDate'));
    if (certificateDate === null) errors.push(problem('certificateDate', ...NOT_A_DATE));
    const price = parsePrice(cell('priceVnd'));
    if (price === null) errors.push(problem('priceVnd', 'not a price', 'không phải giá tiền'));
    const draft = {
      name: text(cell('productName')) ?? '',
      ocopGroup: group ?? 'food',
      ocopStars: (stars ?? 0) as 0 | 3 | 4 | 5,
      certificateNo: text(cell('certificateNo')),
      certificateDate: certificateDate ?? undefined,
      unit: text(cell('unit')),
      priceVnd: price ?? undefined,
    };
    const parsed = ProductCreateSchema.safeParse({ ...draft, producerId: '0'.repeat(26) });
    if (!parsed.success) for (const i of parsed.error.issues) if (i.path[0] !== 'producerId') errors.push(fromIssue(productFieldOf(i.path[0]), i));
    if (parsed.success) {
      const { producerId: _p, ...rest } = parsed.data;
      product = rest;
    }
  }

  const communeText = text(cell('commune'));
  if (!communeText) errors.push(problem('commune', 'the commune is missing', 'thiếu xã/phường'));
  const resolution = communeText ? resolveUnit({ name: communeText, district: text(cell('district')) }) : undefined;
  const placeholder = '00000';
  const parsedProducer = ProducerCreateSchema.safeParse({ ...producerDraft, communeCode: resolution?.candidates[0]?.code ?? placeholder });
  if (!parsedProducer.success) for (const i of parsedProducer.error.issues) if (i.path[0] !== 'communeCode') errors.push(fromIssue(producerFieldOf(i.path[0]), i));

  if (resolution && (resolution.status === 'not_found' || resolution.status === 'unmapped' || resolution.candidates.length === 0)) {
    const unmapped = resolution.status === 'unmapped';
    errors.push(problem('commune', `"${communeText}" is not a known commune of the province${unmapped ? ' (an old unit with no mapping)' : ''}`, `"${communeText}" không phải xã/phường của tỉnh${unmapped ? ' (đơn vị cũ chưa có nơi sáp nhập trong dữ liệu)' : ''}`));
  }
  if (errors.length || !parsedProducer.success || !resolution) return { status: 'invalid', errors };
  if (resolution.status === 'ambiguous') {
    const { communeCode: _c, ...producer } = parsedProducer.data;
    return { status: 'needs_decision', candidates: resolution.candidates.map(({ code, fullName, share }) => ({ code, fullName, share })), producer, product, errors: [] };
  }
  return { status: 'ok', producer: { ...parsedProducer.data, communeCode: resolution.candidates[0]!.code }, product };
}
