/**
 * Shapes of the import pipeline: error codes, the columns each kind of file may carry (with their
 * Spanish and common aliases), options (Zod, for the API query string) and the report.
 * docs/import.md documents the same columns; keep the two in step.
 */
import { z } from 'zod';

/** Stable codes of row-level (and file-level) problems; clients branch on these. */
export const IMPORT_ERROR_CODES = [
  'IMPORT.MISSING_COLUMN',
  'IMPORT.DUPLICATE_COLUMN',
  'IMPORT.EMPTY_FILE',
  'IMPORT.UNREADABLE_FILE',
  'IMPORT.MALFORMED_ROW',
  'IMPORT.ENCODING',
  'IMPORT.MISSING_VALUE',
  'IMPORT.INVALID_VALUE',
  'IMPORT.INVALID_DATE',
  'IMPORT.INVALID_AMOUNT',
  'IMPORT.NEGATIVE_AMOUNT',
  'IMPORT.UNKNOWN_CURRENCY',
  'IMPORT.INVALID_PHONE',
  'IMPORT.INVALID_EMAIL',
  'IMPORT.DUPLICATE_REFERENCE',
  'IMPORT.UNKNOWN_CREDITOR',
  'IMPORT.UNKNOWN_ACCOUNT',
  'IMPORT.UNKNOWN_TRANSACTION',
  'IMPORT.CURRENCY_MISMATCH',
  'IMPORT.EXTERNAL_ID_REUSED',
  'IMPORT.LEDGER_REJECTED',
  'IMPORT.DATABASE_ERROR',
] as const;
export type ImportErrorCode = (typeof IMPORT_ERROR_CODES)[number];

/**
 * One problem. `row` counts as a spreadsheet does (CSV/XLSX: the header is row 1, the first data
 * row is 2; NDJSON: the line number); file-level problems use row 1 (the header) or 0 (no header).
 */
export interface ImportError {
  row: number;
  column: string | null;
  value: string | null;
  code: ImportErrorCode;
  reason: string;
}

/** A cell as a reader hands it over: text (CSV), typed values (XLSX, NDJSON) or nested arrays. */
export type RawValue = string | number | boolean | Date | null | undefined | readonly unknown[] | { readonly [k: string]: unknown };
/** One data row keyed by canonical column name. */
export type RawRow = Record<string, RawValue>;

export type ImportKind = 'accounts' | 'transactions';
export type ImportFormat = 'csv' | 'xlsx' | 'ndjson';

export interface ColumnDef {
  key: string;
  aliases: readonly string[];
  /** Required as a column of the file (a missing one rejects the file before any row). */
  required?: boolean;
}

const col = (key: string, aliases: string[], required = false): ColumnDef => ({ key, aliases, required });

// Aliases are compared after normaliseHeader (lower case, no accents, `_` between words), so
// "Teléfono Móvil", "telefono-movil" and "telefonoMovil" all read as telefono_movil.
const CREDITOR_REF = col('creditor_ref', ['acreedor', 'ref_acreedor', 'referencia_acreedor', 'codigo_acreedor', 'cod_acreedor', 'id_acreedor', 'creditor', 'creditor_id', 'cedente']);
const ACCOUNT_REF = col(
  'account_ref',
  ['referencia_cuenta', 'ref_cuenta', 'cuenta', 'num_cuenta', 'numero_cuenta', 'n_cuenta', 'contrato', 'num_contrato', 'numero_contrato', 'expediente', 'obligacion', 'num_obligacion', 'prestamo', 'account', 'account_id', 'account_number', 'loan_id', 'loan_ref'],
  true,
);

export const ACCOUNT_COLUMNS: readonly ColumnDef[] = [
  CREDITOR_REF,
  col('creditor_name', ['nombre_acreedor', 'acreedor_nombre', 'razon_social_acreedor']),
  col('debtor_ref', ['referencia_deudor', 'ref_deudor', 'id_deudor', 'codigo_deudor', 'referencia_cliente', 'ref_cliente', 'id_cliente', 'codigo_cliente', 'cod_cliente', 'num_cliente', 'cliente', 'customer_ref', 'customer_id', 'debtor_id', 'debtor'], true),
  col('debtor_kind', ['tipo_deudor', 'tipo_persona', 'tipo_cliente', 'kind', 'debtor_type']),
  col('given_name', ['nombre', 'nombres', 'first_name', 'firstname', 'name']),
  col('family_name', ['apellidos', 'apellido', 'last_name', 'lastname', 'surname', 'surnames']),
  col('company_name', ['razon_social', 'empresa', 'nombre_empresa', 'company']),
  col('national_id', ['dni', 'nif', 'nie', 'cif', 'dni_nif', 'nif_nie', 'documento', 'num_documento', 'numero_documento', 'documento_identidad', 'cedula', 'curp', 'rfc', 'rut', 'cpf', 'id_number', 'tax_id']),
  col('birth_date', ['fecha_nacimiento', 'fecha_de_nacimiento', 'nacimiento', 'date_of_birth', 'dob', 'birthdate']),
  col('language', ['idioma', 'lengua', 'lang', 'locale']),
  col('country', ['pais', 'cod_pais', 'codigo_pais', 'country_code']),
  col('region', ['provincia', 'estado', 'departamento', 'comunidad', 'comunidad_autonoma', 'state', 'province']),
  col('timezone', ['zona_horaria', 'huso_horario', 'time_zone', 'tz']),
  col('phone', ['telefono', 'tel', 'telefono_fijo', 'telefono1', 'telefono_1', 'phone_number', 'telephone']),
  col('mobile', ['movil', 'celular', 'telefono_movil', 'telefono_celular', 'telefono2', 'telefono_2', 'mobile_phone', 'cell', 'cellphone']),
  col('whatsapp', ['numero_whatsapp', 'telefono_whatsapp', 'wa', 'whatsapp_number']),
  col('email', ['correo', 'correo_electronico', 'e_mail', 'mail', 'email_address']),
  col('address_line1', ['direccion', 'domicilio', 'calle', 'direccion1', 'direccion_1', 'address', 'address1', 'street']),
  col('address_line2', ['direccion2', 'direccion_2', 'piso', 'address2']),
  col('postal_code', ['codigo_postal', 'cod_postal', 'cp', 'zip', 'zip_code', 'postcode']),
  col('city', ['ciudad', 'localidad', 'municipio', 'poblacion', 'town']),
  col('phone_consent', ['consentimiento_telefono', 'consentimiento_llamadas', 'consent_phone']),
  col('email_consent', ['consentimiento_email', 'consentimiento_correo', 'consent_email']),
  col('whatsapp_consent', ['consentimiento_whatsapp', 'consent_whatsapp']),
  ACCOUNT_REF,
  col('product', ['producto', 'tipo_producto', 'product_type']),
  col('currency', ['moneda', 'divisa', 'currency_code'], true),
  col('original_principal', ['principal_original', 'capital_original', 'capital_inicial', 'importe_original', 'importe_financiado', 'importe_concedido', 'original_amount']),
  col('principal', ['capital', 'principal_pendiente', 'capital_pendiente', 'saldo_capital', 'outstanding_principal'], true),
  col('interest', ['intereses', 'interes', 'intereses_pendientes', 'outstanding_interest']),
  col('fees', ['comisiones', 'gastos', 'cargos', 'comisiones_pendientes', 'outstanding_fees']),
  col('opened_at', ['fecha_apertura', 'fecha_alta', 'fecha_formalizacion', 'fecha_contrato', 'open_date', 'opened_on']),
  col('charged_off_at', ['fecha_fallido', 'fecha_castigo', 'fecha_baja_contable', 'charge_off_date', 'charged_off_on']),
  col('status', ['estado', 'estado_cuenta', 'account_status']),
  col('first_due_date', ['primera_cuota', 'fecha_primera_cuota', 'primer_vencimiento', 'fecha_primer_vencimiento', 'first_due', 'first_instalment_date', 'first_installment_date']),
  col('instalment_count', ['num_cuotas', 'numero_cuotas', 'n_cuotas', 'cuotas', 'plazo', 'installment_count', 'instalments', 'installments']),
  col('instalment_amount', ['importe_cuota', 'cuota', 'monto_cuota', 'valor_cuota', 'installment_amount']),
  col('frequency', ['periodicidad', 'frecuencia', 'payment_frequency']),
  col('amount_paid', ['pagado', 'importe_pagado', 'total_pagado', 'monto_pagado', 'paid', 'paid_amount']),
  // NDJSON only: nested arrays.
  col('contacts', ['contactos', 'contact_points']),
  col('schedule', ['calendario', 'plan_de_pagos', 'cuadro_amortizacion', 'instalments_detail']),
];

export const TRANSACTION_COLUMNS: readonly ColumnDef[] = [
  CREDITOR_REF,
  ACCOUNT_REF,
  col('external_id', ['id_externo', 'referencia_movimiento', 'ref_movimiento', 'id_movimiento', 'id_transaccion', 'referencia_pago', 'id_pago', 'transaction_id', 'transaction_ref', 'payment_id'], true),
  col('kind', ['tipo', 'tipo_movimiento', 'tipo_transaccion', 'transaction_type', 'type'], true),
  col('amount', ['importe', 'monto', 'cantidad', 'valor'], true),
  col('currency', ['moneda', 'divisa', 'currency_code']),
  col('occurred_at', ['fecha', 'fecha_movimiento', 'fecha_pago', 'fecha_valor', 'fecha_operacion', 'date', 'transaction_date', 'paid_at']),
  col('component', ['componente', 'concepto_saldo', 'balance_component']),
  col('method', ['metodo', 'metodo_pago', 'medio_pago', 'forma_pago', 'canal_pago', 'payment_method']),
  col('reverses_external_id', ['anula_a', 'revierte', 'id_original', 'movimiento_original', 'reverses', 'original_external_id']),
  col('note', ['nota', 'observaciones', 'comentario', 'comentarios', 'notes']),
];

export const columnsFor = (kind: ImportKind): readonly ColumnDef[] => (kind === 'accounts' ? ACCOUNT_COLUMNS : TRANSACTION_COLUMNS);

const bool = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0', 'yes', 'no', '']).transform((v) => v === 'true' || v === '1' || v === 'yes'),
]);

const DELIMITERS: Record<string, ',' | ';' | '\t' | '|'> = { ',': ',', ';': ';', '\t': '\t', '|': '|', comma: ',', semicolon: ';', tab: '\t', pipe: '|' };
const DECIMALS: Record<string, ',' | '.'> = { ',': ',', '.': '.', comma: ',', dot: '.', period: '.' };
const ENCODINGS: Record<string, 'utf-8' | 'windows-1252'> = {
  'utf-8': 'utf-8', utf8: 'utf-8', 'windows-1252': 'windows-1252', cp1252: 'windows-1252', 'latin-1': 'windows-1252', latin1: 'windows-1252', 'iso-8859-1': 'windows-1252', 'iso-8859-15': 'windows-1252',
};

const isIsoDate = (s: string): boolean => {
  const d = new Date(`${s}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
};

/**
 * Import options, as the API's query string (strings) or as JS values. Latin-1 and ISO-8859-15
 * are read as Windows-1252, their superset for every printable character Spanish uses.
 */
export const ImportOptions = z.object({
  dryRun: bool.optional(),
  allOrNothing: bool.optional(),
  delimiter: z.string().transform((v, ctx) => {
    const d = DELIMITERS[v.toLowerCase()];
    if (!d) ctx.addIssue({ code: 'custom', message: 'expected one of , ; | tab (or comma, semicolon, pipe, tab)' });
    return d ?? ',';
  }).optional(),
  decimal: z.string().transform((v, ctx) => {
    const d = DECIMALS[v.toLowerCase()];
    if (!d) ctx.addIssue({ code: 'custom', message: 'expected "," or "." (or comma, dot)' });
    return d ?? '.';
  }).optional(),
  encoding: z.string().transform((v, ctx) => {
    const e = ENCODINGS[v.toLowerCase()];
    if (!e) ctx.addIssue({ code: 'custom', message: 'expected utf-8 or windows-1252 (latin1, iso-8859-1 and iso-8859-15 read as windows-1252)' });
    return e ?? 'utf-8';
  }).optional(),
  dateFormat: z.enum(['dmy', 'ymd', 'mdy']).optional(),
  creditorRef: z.string().min(1).max(100).optional(),
  asOf: z.string().refine(isIsoDate, 'expected a date as YYYY-MM-DD').optional(),
  sheet: z.string().min(1).max(100).optional(),
});
export type ImportOptions = z.input<typeof ImportOptions>;
export type ParsedImportOptions = z.output<typeof ImportOptions>;

/** The API's full query string: the options plus the kind of file and its format. */
export const ImportQuery = ImportOptions.extend({
  kind: z.enum(['accounts', 'transactions']).optional(),
  format: z.enum(['csv', 'xlsx', 'ndjson']).optional(),
});
export type ImportQuery = z.output<typeof ImportQuery>;

export type ImportStatus = 'running' | 'completed' | 'completed_with_errors' | 'rejected' | 'failed';

export interface ImportCounts {
  debtors: number;
  accounts: number;
  contactPoints: number;
  transactions: number;
  creditors: number;
}

export interface ImportReport {
  importId: string;
  status: ImportStatus;
  kind: ImportKind;
  dryRun: boolean;
  rowsTotal: number;
  /** Rows written (or, in a dry run, rows that would be written). */
  rowsImported: number;
  rowsFailed: number;
  /** Records the import inserted (a dry run: would insert). */
  created: ImportCounts;
  /** Records that existed before the import and were matched by reference (rewritten where they differed). */
  updated: Pick<ImportCounts, 'debtors' | 'accounts'>;
  /** Transactions whose external id had been recorded before: skipped, as the ledger is idempotent. */
  replayed: number;
  /** The first 1000 problems by row. */
  errors: ImportError[];
  errorCount: number;
  errorsTruncated: boolean;
  durationMs: number;
}

export interface ImportProgress {
  rows: number;
  bytes: number;
  totalBytes?: number;
}
