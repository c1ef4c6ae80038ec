import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { QUOTES_INVOICES_COMMAND_HANDLERS } from './quotes-invoices.commands';
import { QuotesInvoicesController } from './quotes-invoices.controller';
import { PortalQuotesInvoicesController } from './portal-quotes-invoices.controller';
import { QuotesInvoicesQueries } from './quotes-invoices.queries';

/** Quotes and invoices shared with client companies: staff share them, portal users act on them. */
@Module({
  imports: [CqrsModule],
  controllers: [QuotesInvoicesController, PortalQuotesInvoicesController],
  providers: [...QUOTES_INVOICES_COMMAND_HANDLERS, QuotesInvoicesQueries],
})
export class QuotesInvoicesModule {}
