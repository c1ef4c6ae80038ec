import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { ReadQuery } from '../http/pagination';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The filters every report takes, and how it answers. */
export class ReportQueryDto extends ReadQuery {
  @ApiPropertyOptional({ example: '2026-03-02', description: "First local date included (YYYY-MM-DD), in the organization's time zone" })
  @IsOptional()
  @Matches(DATE, { message: '$property must be a date YYYY-MM-DD' })
  from?: string;

  @ApiPropertyOptional({ example: '2026-03-29', description: 'Last local date included (YYYY-MM-DD)' })
  @IsOptional()
  @Matches(DATE, { message: '$property must be a date YYYY-MM-DD' })
  to?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only this portal (reports about documents: the companies whose contacts have access to it)' })
  @IsOptional()
  @IsUUID()
  portalId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only this client company' })
  @IsOptional()
  @IsUUID()
  clientId?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv'], description: 'csv: RFC 4180, UTF-8, a header row, the items only (as with Accept: text/csv)' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

const SECONDS = (what: string) => ({ type: Number, nullable: true, description: `${what}, whole seconds (nearest rank); null when nothing was measured` });

// ---------------------------------------------------------------------------------------------
// portal-access
// ---------------------------------------------------------------------------------------------

export class PortalAccessCountsView {
  @ApiProperty() invited!: number;
  @ApiProperty() active!: number;
  @ApiProperty() disabled!: number;
  @ApiProperty() revoked!: number;
  @ApiProperty({ description: 'invited + active + disabled + revoked' }) total!: number;
}

export class PortalAccessReportItemView extends PortalAccessCountsView {
  @ApiProperty({ format: 'uuid' }) portalId!: string;
  @ApiProperty({ format: 'uuid', description: "The contact's primary company" }) clientId!: string;
}

export class PortalAccessReportView {
  @ApiProperty({ type: [PortalAccessReportItemView], description: 'One per portal and company, ordered by portalId, clientId' }) items!: PortalAccessReportItemView[];
  @ApiProperty({ type: PortalAccessCountsView }) totals!: PortalAccessCountsView;
}

// ---------------------------------------------------------------------------------------------
// invitations
// ---------------------------------------------------------------------------------------------

export class InvitationFunnelView {
  @ApiProperty({ description: 'Invitation cycles started (a contact invited again after a revocation starts another)' }) invited!: number;
  @ApiProperty() accepted!: number;
  @ApiProperty({ description: 'Not accepted; the last invitation still valid' }) pending!: number;
  @ApiProperty({ description: 'Not accepted; the last invitation expired' }) expired!: number;
  @ApiProperty({ description: 'Not accepted: the access was disabled or revoked first' }) withdrawn!: number;
  @ApiProperty({ description: 'Invitations sent again (re-sends, re-enabled invitations)' }) resends!: number;
  @ApiProperty(SECONDS('From the first invitation to acceptance: median')) timeToAcceptMedianSeconds!: number | null;
  @ApiProperty(SECONDS('From the first invitation to acceptance: 90th percentile')) timeToAcceptP90Seconds!: number | null;
}

export class InvitationsReportItemView extends InvitationFunnelView {
  @ApiProperty({ example: '2026-W13', description: "ISO week of the first invitation, in the organization's time zone" }) week!: string;
  @ApiProperty({ example: '2026-03-23', description: "The week's Monday" }) weekStart!: string;
  @ApiProperty({ format: 'uuid' }) portalId!: string;
}

export class InvitationsReportView {
  @ApiProperty({ type: [InvitationsReportItemView], description: 'One per ISO week and portal, ordered by week, portalId' }) items!: InvitationsReportItemView[];
  @ApiProperty({ type: InvitationFunnelView }) totals!: InvitationFunnelView;
}

// ---------------------------------------------------------------------------------------------
// approvals
// ---------------------------------------------------------------------------------------------

export class ApprovalCountsView {
  @ApiProperty({ description: 'Timesheets submitted, quotes shared' }) submitted!: number;
  @ApiProperty({ description: 'Timesheets approved, quotes accepted' }) approved!: number;
  @ApiProperty({ description: 'Timesheets rejected (not resubmitted since), quotes declined' }) rejected!: number;
  @ApiProperty({ description: "Awaiting the client's decision" }) pending!: number;
  @ApiProperty({ description: 'Quotes undecided past their last valid day' }) expired!: number;
  @ApiProperty({ description: 'Quotes withdrawn by staff' }) withdrawn!: number;
  @ApiProperty(SECONDS('From the (re)submission to its decision: median')) timeToDecideMedianSeconds!: number | null;
  @ApiProperty(SECONDS('From the (re)submission to its decision: 90th percentile')) timeToDecideP90Seconds!: number | null;
  @ApiProperty({ description: 'Worked minutes of the approved timesheets' }) minutesApproved!: number;
  @ApiProperty({ example: '15.50', description: 'The same in hours: a decimal string, two fraction digits, rounded half up' }) hoursApproved!: string;
}

export class ApprovalsReportItemView extends ApprovalCountsView {
  @ApiProperty({ example: '2026-W10', description: "ISO week of the first submission, in the organization's time zone" }) week!: string;
  @ApiProperty({ example: '2026-03-02' }) weekStart!: string;
  @ApiProperty({ format: 'uuid' }) clientId!: string;
  @ApiProperty({ enum: ['timesheet', 'quote'] }) kind!: string;
}

export class ApprovalsReportView {
  @ApiProperty({ type: [ApprovalsReportItemView], description: 'One per ISO week, company and kind, ordered so' }) items!: ApprovalsReportItemView[];
  @ApiProperty({ type: ApprovalCountsView }) totals!: ApprovalCountsView;
}

// ---------------------------------------------------------------------------------------------
// documents
// ---------------------------------------------------------------------------------------------

export class DocumentViewCountsView {
  @ApiProperty() shared!: number;
  @ApiProperty({ description: 'Opened at least once by a portal user' }) viewed!: number;
  @ApiProperty() notViewed!: number;
  @ApiProperty({ description: 'Openings in all' }) views!: number;
  @ApiProperty(SECONDS('From sharing to the first opening: median')) timeToFirstViewMedianSeconds!: number | null;
  @ApiProperty(SECONDS('From sharing to the first opening: 90th percentile')) timeToFirstViewP90Seconds!: number | null;
}

export class DocumentsReportItemView extends DocumentViewCountsView {
  @ApiProperty({ format: 'uuid' }) clientId!: string;
  @ApiProperty({ enum: ['shift', 'timesheet', 'quote', 'invoice'] }) kind!: string;
}

export class DocumentsReportView {
  @ApiProperty({ type: [DocumentsReportItemView], description: 'One per company and kind, ordered so' }) items!: DocumentsReportItemView[];
  @ApiProperty({ type: DocumentViewCountsView }) totals!: DocumentViewCountsView;
}

// ---------------------------------------------------------------------------------------------
// invoices
// ---------------------------------------------------------------------------------------------

export class InvoiceCountsView {
  @ApiProperty() issued!: number;
  @ApiProperty({ description: 'Paid in full' }) paid!: number;
  @ApiProperty({ description: 'Open, some payment recorded' }) partlyPaid!: number;
  @ApiProperty({ description: 'Open, no payment recorded' }) unpaid!: number;
  @ApiProperty({ description: "Open past the due date (end of that day, organization's time zone)" }) overdue!: number;
}

export class InvoiceAmountsView {
  @ApiProperty({ example: '1500.50', description: 'Decimal string in the currency, never a float' }) issuedAmount!: string;
  @ApiProperty({ example: '1100.25' }) paidAmount!: string;
  @ApiProperty({ example: '400.25', description: 'Left to pay on the open invoices' }) outstandingAmount!: string;
  @ApiProperty({ example: '400.25', description: 'Left to pay on the overdue invoices' }) overdueAmount!: string;
}

export class InvoicesReportItemView extends InvoiceAmountsView {
  @ApiProperty({ format: 'uuid' }) clientId!: string;
  @ApiProperty({ example: 'BRL' }) currency!: string;
  @ApiProperty() issued!: number;
  @ApiProperty() paid!: number;
  @ApiProperty() partlyPaid!: number;
  @ApiProperty() unpaid!: number;
  @ApiProperty() overdue!: number;
}

export class CurrencyAmountsView extends InvoiceAmountsView {
  @ApiProperty({ example: 'BRL' }) currency!: string;
}

export class InvoicesReportTotalsView extends InvoiceCountsView {
  @ApiProperty({ type: [CurrencyAmountsView], description: 'Amounts never add up across currencies: one entry per currency' }) amounts!: CurrencyAmountsView[];
}

export class InvoicesReportView {
  @ApiProperty({ type: [InvoicesReportItemView], description: 'One per company and currency, ordered so' }) items!: InvoicesReportItemView[];
  @ApiProperty({ type: InvoicesReportTotalsView }) totals!: InvoicesReportTotalsView;
}
