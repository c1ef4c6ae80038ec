import { AsOf } from '../audit/as-of';
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReadQuery } from '../http/pagination';
import { ResourceIdPipe } from '../http/pipes';
import { CommandContext } from '../http/request-context';
import { Staff } from '../auth/access';
import { CurrentStaff, StaffContext, StaffPrincipal } from '../auth/principal';
import { RecordInvoicePayment, ShareInvoice, ShareQuote, WithdrawQuote } from './quotes-invoices.commands';
import {
  DocumentWritten,
  InvoicePage,
  InvoiceView,
  ListInvoicesQuery,
  ListQuotesQuery,
  PaymentRecorded,
  QuotePage,
  QuoteView,
  RecordPaymentDto,
  ShareInvoiceDto,
  ShareQuoteDto,
  WithdrawQuoteDto,
} from './quotes-invoices.dto';
import { QuotesInvoicesQueries } from './quotes-invoices.queries';
import { Problems } from '../http/problem-catalog';

const MONEY = 'Amounts are decimal strings in the document currency ("1234.50"), stored as integer minor units.';

/** Staff (backend consumers) share quotes and invoices with client companies and follow them. */
@ApiTags('quotes and invoices')
@Controller('v1')
export class QuotesInvoicesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QuotesInvoicesQueries,
  ) {}

  @Post('quotes')
  @HttpCode(201)
  @Staff('documents:write')
  @ApiOperation({
    summary: 'Share a quote with a client company (ShareQuote)',
    description: `Lines, subtotal and total are checked: each line amount is quantity × unitPrice (rounded half up), the subtotal their sum, the total subtotal + tax; omitted figures are computed. ${MONEY}`,
  })
  @ApiCreatedResponse({ type: DocumentWritten })
  @Problems('client-not-found', 'client-archived', 'contact-not-found', 'contact-not-of-client', 'unknown-currency', 'invalid-amount', 'invalid-quantity', 'lines-required', 'too-many-lines', 'description-required', 'amounts-do-not-add-up', 'number-required', 'invalid-link', 'invalid-date', 'unknown-project', 'client-not-in-project', 'project-archived')
  shareQuote(@StaffContext() context: CommandContext, @Body() body: ShareQuoteDto): Promise<DocumentWritten> {
    return this.commands.execute(new ShareQuote(context, body));
  }

  @Get('quotes')
  @Staff('read-models:read')
  @ApiOperation({ summary: 'List quotes, ordered by id; filter by client company and status' })
  @ApiOkResponse({ type: QuotePage })
  listQuotes(@CurrentStaff() principal: StaffPrincipal, @Query() query: ListQuotesQuery): Promise<QuotePage> {
    return this.queries.listQuotes(principal.organizationId, query, null);
  }

  @Get('quotes/:quoteId')
  @AsOf('quote')
  @Staff('read-models:read')
  @ApiOperation({ summary: 'A quote with its lines and the client’s decision' })
  @ApiOkResponse({ type: QuoteView })
  @Problems('quote-not-found')
  getQuote(@CurrentStaff() principal: StaffPrincipal, @Param('quoteId', ResourceIdPipe) quoteId: string, @Query() _query: ReadQuery): Promise<QuoteView> {
    return this.queries.getQuote(principal.organizationId, quoteId, null);
  }

  @Post('quotes/:quoteId/withdraw')
  @HttpCode(200)
  @Staff('documents:write')
  @ApiOperation({ summary: 'Withdraw a quote still pending (WithdrawQuote); a decided one is final (409)' })
  @ApiOkResponse({ type: DocumentWritten })
  @Problems('quote-not-found', 'quote-withdrawn', 'quote-decided')
  withdrawQuote(
    @StaffContext() context: CommandContext,
    @Param('quoteId', ResourceIdPipe) quoteId: string,
    @Body() body: WithdrawQuoteDto,
  ): Promise<DocumentWritten> {
    return this.commands.execute(new WithdrawQuote(context, quoteId, body));
  }

  @Post('invoices')
  @HttpCode(201)
  @Staff('documents:write')
  @ApiOperation({ summary: 'Share an invoice with a client company (ShareInvoice)', description: `Lines and totals are checked as for quotes. ${MONEY}` })
  @ApiCreatedResponse({ type: DocumentWritten })
  @Problems('client-not-found', 'client-archived', 'contact-not-found', 'contact-not-of-client', 'unknown-currency', 'invalid-amount', 'invalid-quantity', 'lines-required', 'too-many-lines', 'description-required', 'amounts-do-not-add-up', 'number-required', 'invalid-link', 'invalid-date', 'unknown-project', 'client-not-in-project', 'project-archived', 'project-has-no-primary-client', 'not-primary-client')
  shareInvoice(@StaffContext() context: CommandContext, @Body() body: ShareInvoiceDto): Promise<DocumentWritten> {
    return this.commands.execute(new ShareInvoice(context, body));
  }

  @Get('invoices')
  @Staff('read-models:read')
  @ApiOperation({ summary: 'List invoices, ordered by id; filter by client company and status (open, paid)' })
  @ApiOkResponse({ type: InvoicePage })
  listInvoices(@CurrentStaff() principal: StaffPrincipal, @Query() query: ListInvoicesQuery): Promise<InvoicePage> {
    return this.queries.listInvoices(principal.organizationId, query, null);
  }

  @Get('invoices/:invoiceId')
  @AsOf('invoice')
  @Staff('read-models:read')
  @ApiOperation({ summary: 'An invoice with its lines and payments' })
  @ApiOkResponse({ type: InvoiceView })
  @Problems('invoice-not-found')
  getInvoice(@CurrentStaff() principal: StaffPrincipal, @Param('invoiceId', ResourceIdPipe) invoiceId: string, @Query() _query: ReadQuery): Promise<InvoiceView> {
    return this.queries.getInvoice(principal.organizationId, invoiceId, null);
  }

  @Post('invoices/:invoiceId/payments')
  @HttpCode(201)
  @Staff('documents:write')
  @ApiOperation({
    summary: 'Record a payment against an invoice (RecordInvoicePayment, by staff)',
    description: 'Partial payments add up; the one that reaches the total closes the invoice (InvoicePaid). More than the balance is refused whole (422 overpayment); a paid invoice takes no payment (409 invoice-paid).',
  })
  @ApiCreatedResponse({ type: PaymentRecorded })
  @Problems('invoice-not-found', 'invoice-paid', 'invalid-amount', 'invalid-payment-method', 'invalid-reference', 'overpayment', 'payment-in-future', 'invalid-date')
  recordPayment(
    @StaffContext() context: CommandContext,
    @Param('invoiceId', ResourceIdPipe) invoiceId: string,
    @Body() body: RecordPaymentDto,
  ): Promise<PaymentRecorded> {
    return this.commands.execute(new RecordInvoicePayment(context, null, invoiceId, body));
  }
}
