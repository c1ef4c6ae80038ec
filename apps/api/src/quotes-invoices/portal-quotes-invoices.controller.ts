import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReadQuery } from '../http/pagination';
import { ResourceIdPipe } from '../http/pipes';
import { CommandContext } from '../http/request-context';
import { PortalUser } from '../auth/access';
import { CurrentPortalUser, PortalContext, PortalPrincipal } from '../auth/principal';
import { AcceptQuote, DeclineQuote, RecordInvoicePayment } from './quotes-invoices.commands';
import {
  DeclineQuoteDto,
  DocumentWritten,
  InvoicePage,
  InvoiceView,
  PaymentRecorded,
  PortalInvoicesQuery,
  PortalQuotesQuery,
  QuotePage,
  QuoteView,
  RecordPaymentDto,
} from './quotes-invoices.dto';
import { QuotesInvoicesQueries } from './quotes-invoices.queries';
import { Problems } from '../http/problem-catalog';

/**
 * What a portal user does with its company's quotes and invoices: reads them (module `view`),
 * accepts or declines quotes and records payments (module `approve`).
 */
@ApiTags('portal')
@Controller('v1/portal')
export class PortalQuotesInvoicesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QuotesInvoicesQueries,
  ) {}

  @Get('quotes')
  @PortalUser('quotes', 'view', { list: true })
  @ApiOperation({ summary: "The quotes shared with the user's company, ordered by id; filter by status" })
  @ApiOkResponse({ type: QuotePage })
  listQuotes(@CurrentPortalUser() user: PortalPrincipal, @Query() query: PortalQuotesQuery): Promise<QuotePage> {
    return this.queries.listQuotes(user.organizationId, query, user);
  }

  @Get('quotes/:quoteId')
  @PortalUser('quotes', 'view', { document: 'quoteId' })
  @ApiOperation({ summary: 'One quote with its lines' })
  @ApiOkResponse({ type: QuoteView })
  @Problems('quote-not-found')
  getQuote(@CurrentPortalUser() user: PortalPrincipal, @Param('quoteId', ResourceIdPipe) quoteId: string, @Query() _query: ReadQuery): Promise<QuoteView> {
    return this.queries.getQuote(user.organizationId, quoteId, user);
  }

  @Post('quotes/:quoteId/accept')
  @HttpCode(200)
  @PortalUser('quotes', 'approve', { document: 'quoteId' })
  @ApiOperation({ summary: "Accept a quote (AcceptQuote): not after the end of its validUntil day in the organization's time zone; final" })
  @ApiOkResponse({ type: DocumentWritten })
  @Problems('quote-not-found', 'quote-withdrawn', 'quote-decided', 'quote-expired')
  accept(@CurrentPortalUser() user: PortalPrincipal, @PortalContext() context: CommandContext, @Param('quoteId', ResourceIdPipe) quoteId: string): Promise<DocumentWritten> {
    return this.commands.execute(new AcceptQuote(context, user, quoteId));
  }

  @Post('quotes/:quoteId/decline')
  @HttpCode(200)
  @PortalUser('quotes', 'approve', { document: 'quoteId' })
  @ApiOperation({ summary: 'Decline a quote with a reason (DeclineQuote); final' })
  @ApiOkResponse({ type: DocumentWritten })
  @Problems('quote-not-found', 'quote-withdrawn', 'quote-decided', 'reason-required', 'reason-too-long')
  decline(
    @CurrentPortalUser() user: PortalPrincipal,
    @PortalContext() context: CommandContext,
    @Param('quoteId', ResourceIdPipe) quoteId: string,
    @Body() body: DeclineQuoteDto,
  ): Promise<DocumentWritten> {
    return this.commands.execute(new DeclineQuote(context, user, quoteId, body));
  }

  @Get('invoices')
  @PortalUser('invoices', 'view', { list: true })
  @ApiOperation({ summary: "The invoices shared with the user's company, ordered by id; filter by status (open, paid)" })
  @ApiOkResponse({ type: InvoicePage })
  listInvoices(@CurrentPortalUser() user: PortalPrincipal, @Query() query: PortalInvoicesQuery): Promise<InvoicePage> {
    return this.queries.listInvoices(user.organizationId, query, user);
  }

  @Get('invoices/:invoiceId')
  @PortalUser('invoices', 'view', { document: 'invoiceId' })
  @ApiOperation({ summary: 'One invoice with its lines and payments' })
  @ApiOkResponse({ type: InvoiceView })
  @Problems('invoice-not-found')
  getInvoice(@CurrentPortalUser() user: PortalPrincipal, @Param('invoiceId', ResourceIdPipe) invoiceId: string, @Query() _query: ReadQuery): Promise<InvoiceView> {
    return this.queries.getInvoice(user.organizationId, invoiceId, user);
  }

  @Post('invoices/:invoiceId/payments')
  @HttpCode(201)
  @PortalUser('invoices', 'approve', { document: 'invoiceId' })
  @ApiOperation({
    summary: 'Record a payment (RecordInvoicePayment): amount, method, reference, paidAt',
    description: 'Partial payments add up; paid in full closes the invoice. More than the balance: 422 overpayment, nothing written. A paid invoice: 409 invoice-paid.',
  })
  @ApiCreatedResponse({ type: PaymentRecorded })
  @Problems('invoice-not-found', 'invoice-paid', 'invalid-amount', 'invalid-payment-method', 'invalid-reference', 'overpayment', 'payment-in-future', 'invalid-date')
  recordPayment(
    @CurrentPortalUser() user: PortalPrincipal,
    @PortalContext() context: CommandContext,
    @Param('invoiceId', ResourceIdPipe) invoiceId: string,
    @Body() body: RecordPaymentDto,
  ): Promise<PaymentRecorded> {
    return this.commands.execute(new RecordInvoicePayment(context, user, invoiceId, body));
  }
}
