import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { MAX_DOCUMENT_LINES, PAYMENT_METHODS, PaymentMethod } from '@app/domain';
import { PageQuery } from '../http/pagination';

/**
 * Money over HTTP is a decimal string ("1234.50"), never a JSON number: no float rounding on
 * either side. At most as many fraction digits as the currency has (JPY 0, EUR 2, BHD 3);
 * negative amounts are refused.
 */
const DECIMAL = /^\d{1,15}(\.\d{1,4})?$/;
const DECIMAL_MESSAGE = '$property must be a non-negative decimal number as a string, e.g. "1234.50"';
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_MESSAGE = '$property must be a date YYYY-MM-DD';

export class DocumentLineDto {
  @ApiProperty({ example: 'Warehouse staff, March (hours)', maxLength: 500 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  description!: string;

  @ApiProperty({ example: '160', description: 'A positive decimal string, at most 3 fraction digits' })
  @IsString()
  @Matches(/^\d{1,9}(\.\d{1,3})?$/, { message: '$property must be a positive decimal number as a string, at most 3 fraction digits, e.g. "1.5"' })
  quantity!: string;

  @ApiProperty({ example: '45.50', description: 'Decimal string in the document currency' })
  @IsString()
  @Matches(DECIMAL, { message: DECIMAL_MESSAGE })
  unitPrice!: string;

  @ApiPropertyOptional({ example: '7280.00', description: 'quantity × unitPrice rounded half up to the minor unit; computed when omitted, checked when given' })
  @IsOptional()
  @IsString()
  @Matches(DECIMAL, { message: DECIMAL_MESSAGE })
  amount?: string;
}

class ShareDocumentDto {
  @ApiProperty({ format: 'uuid', description: 'The client company it is shared with' })
  @IsUUID()
  clientId!: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, description: 'The one contact it is addressed to; null or omitted: the whole company' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsUUID()
  contactId?: string | null;

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    description: "A project the client company is in (422 unknown-project, client-not-in-project; 409 project-archived). An invoice's clientId must be the project's primary client (409 project-has-no-primary-client, 422 not-primary-client).",
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsUUID()
  projectId?: string | null;

  @ApiProperty({ example: 'Q-2026-0042', maxLength: 64, description: "The organization's own number" })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  number!: string;

  @ApiPropertyOptional({ maxLength: 200, description: 'Defaults to "Quote <number>" / "Invoice <number>"' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  title?: string;

  @ApiProperty({ example: '2026-03-01', format: 'date' })
  @IsString()
  @Matches(DATE, { message: DATE_MESSAGE })
  issueDate!: string;

  @ApiProperty({ example: 'EUR', description: 'ISO 4217 currency code' })
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: '$property must be an ISO 4217 code in capitals, e.g. EUR' })
  currency!: string;

  @ApiProperty({ type: [DocumentLineDto], minItems: 1, maxItems: MAX_DOCUMENT_LINES })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_DOCUMENT_LINES)
  @ValidateNested({ each: true })
  @Type(() => DocumentLineDto)
  lines!: DocumentLineDto[];

  @ApiPropertyOptional({ example: '7280.00', description: 'Sum of the line amounts; computed when omitted, checked when given' })
  @IsOptional()
  @IsString()
  @Matches(DECIMAL, { message: DECIMAL_MESSAGE })
  subtotal?: string;

  @ApiPropertyOptional({ example: '728.00', default: '0' })
  @IsOptional()
  @IsString()
  @Matches(DECIMAL, { message: DECIMAL_MESSAGE })
  tax?: string;

  @ApiPropertyOptional({ example: '8008.00', description: 'subtotal + tax; computed when omitted, checked when given' })
  @IsOptional()
  @IsString()
  @Matches(DECIMAL, { message: DECIMAL_MESSAGE })
  total?: string;

  @ApiProperty({ example: 'https://erp.example/documents/Q-2026-0042', description: "An https link to the organization's own document" })
  @IsString()
  @IsUrl({ protocols: ['https'], require_protocol: true, require_valid_protocol: true }, { message: '$property must be an https URL' })
  @MaxLength(2048)
  link!: string;
}

export class ShareQuoteDto extends ShareDocumentDto {
  @ApiProperty({ example: '2026-03-31', format: 'date', description: "Last day it can be accepted (to the end of that day in the organization's time zone)" })
  @IsString()
  @Matches(DATE, { message: DATE_MESSAGE })
  validUntil!: string;
}

export class ShareInvoiceDto extends ShareDocumentDto {
  @ApiProperty({ example: '2026-04-30', format: 'date' })
  @IsString()
  @Matches(DATE, { message: DATE_MESSAGE })
  dueDate!: string;
}

export class DeclineQuoteDto {
  @ApiProperty({ example: 'The budget was cut for this quarter.', maxLength: 1000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;
}

export class WithdrawQuoteDto {
  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

export class RecordPaymentDto {
  @ApiProperty({ example: '150.00', description: 'Decimal string in the invoice currency; at most the balance' })
  @IsString()
  @Matches(DECIMAL, { message: DECIMAL_MESSAGE })
  amount!: string;

  @ApiProperty({ enum: PAYMENT_METHODS })
  @IsIn(PAYMENT_METHODS)
  method!: PaymentMethod;

  @ApiProperty({ example: 'TRX-20260410-0042', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  reference!: string;

  @ApiPropertyOptional({ example: '2026-04-10', description: 'A date (YYYY-MM-DD) or an ISO 8601 instant with an offset; not in the future. Default: now' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  paidAt?: string;
}

export const QUOTE_STATUSES = ['pending', 'accepted', 'declined', 'withdrawn'] as const;
export const INVOICE_STATUSES = ['open', 'paid'] as const;

export class PortalQuotesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: QUOTE_STATUSES })
  @IsOptional()
  @IsIn(QUOTE_STATUSES)
  status?: (typeof QUOTE_STATUSES)[number];
}

export class ListQuotesQuery extends PortalQuotesQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  clientId?: string;
}

export class PortalInvoicesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: INVOICE_STATUSES })
  @IsOptional()
  @IsIn(INVOICE_STATUSES)
  status?: (typeof INVOICE_STATUSES)[number];
}

export class ListInvoicesQuery extends PortalInvoicesQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  clientId?: string;
}

// ---- Responses ----

export class DocumentLineView {
  @ApiProperty() description!: string;
  @ApiProperty({ example: '160' }) quantity!: string;
  @ApiProperty({ example: '45.50' }) unitPrice!: string;
  @ApiProperty({ example: '7280.00' }) amount!: string;
}

export class QuoteDecisionView {
  @ApiProperty({ enum: ['accepted', 'declined', 'withdrawn'] }) status!: string;
  @ApiProperty() at!: string;
  @ApiProperty({ nullable: true, type: String, description: 'The portal user’s contact who decided (null: staff withdrew it)' }) contactId!: string | null;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
}

class DocumentSummaryBase {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) clientId!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) contactId!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) projectId!: string | null;
  @ApiProperty() number!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ format: 'date' }) issueDate!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ example: '7280.00' }) subtotal!: string;
  @ApiProperty({ example: '728.00' }) tax!: string;
  @ApiProperty({ example: '8008.00' }) total!: string;
  @ApiProperty() link!: string;
  @ApiProperty({ description: 'Awaiting the client (a pending quote, an open invoice)' }) pending!: boolean;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class QuoteSummaryView extends DocumentSummaryBase {
  @ApiProperty({ enum: QUOTE_STATUSES }) status!: string;
  @ApiProperty({ format: 'date' }) validUntil!: string;
  @ApiProperty({ description: "Pending, and past the end of validUntil in the organization's time zone: it can no longer be accepted" }) expired!: boolean;
  @ApiProperty({ type: QuoteDecisionView, nullable: true }) decision!: QuoteDecisionView | null;
}

export class QuoteView extends QuoteSummaryView {
  @ApiProperty({ type: [DocumentLineView] }) lines!: DocumentLineView[];
}

export class InvoiceSummaryView extends DocumentSummaryBase {
  @ApiProperty({ enum: INVOICE_STATUSES }) status!: string;
  @ApiProperty({ format: 'date' }) dueDate!: string;
  @ApiProperty({ description: "Open, and past the end of dueDate in the organization's time zone" }) overdue!: boolean;
  @ApiProperty({ example: '100.00' }) paid!: string;
  @ApiProperty({ example: '7908.00' }) balance!: string;
  @ApiProperty({ nullable: true, type: String, description: 'When it was paid in full' }) paidAt!: string | null;
}

export class PaymentView {
  @ApiProperty({ format: 'uuid' }) paymentId!: string;
  @ApiProperty({ example: '100.00' }) amount!: string;
  @ApiProperty({ enum: PAYMENT_METHODS }) method!: string;
  @ApiProperty() reference!: string;
  @ApiProperty({ description: 'A date or an instant, as the payer gave it (default: when recorded)' }) paidAt!: string;
  @ApiProperty({ nullable: true, type: String, description: 'The portal user’s contact who recorded it; null: staff' }) contactId!: string | null;
  @ApiProperty() recordedAt!: string;
}

export class InvoiceView extends InvoiceSummaryView {
  @ApiProperty({ type: [DocumentLineView] }) lines!: DocumentLineView[];
  @ApiProperty({ type: [PaymentView] }) payments!: PaymentView[];
}

export class QuotePage {
  @ApiProperty({ type: [QuoteSummaryView] }) items!: QuoteSummaryView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class InvoicePage {
  @ApiProperty({ type: [InvoiceSummaryView] }) items!: InvoiceSummaryView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class DocumentWritten {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'Global position written; pass it as minPosition to read your write.' }) position!: number;
  @ApiProperty() status!: string;
}

export class PaymentRecorded extends DocumentWritten {
  @ApiProperty({ format: 'uuid' }) paymentId!: string;
  @ApiProperty({ example: '100.00' }) paid!: string;
  @ApiProperty({ example: '7908.00' }) balance!: string;
}
