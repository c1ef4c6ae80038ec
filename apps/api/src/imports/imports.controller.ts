import { Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '@app/domain';
import { Staff } from '../auth/access';
import { CurrentStaff, StaffContext, StaffPrincipal } from '../auth/principal';
import { ResourceIdPipe } from '../http/pipes';
import { ProblemException } from '../http/problem';
import { Problems } from '../http/problem-catalog';
import { CommandContext } from '../http/request-context';
import { IMPORT_COLUMNS, MAX_IMPORT_ROWS } from './contact-import';
import { ContactImports, CsvUpload, ImportView } from './contact-imports';
import { ImportAcceptedResponse, ImportStatusResponse } from './imports.dto';

const CSV_FORMAT = `
CSV, UTF-8 (with or without a byte order mark), comma- or semicolon-separated (detected from the header row),
RFC 4180 quoting (a field in double quotes may hold separators, line breaks, and quotes written twice), CRLF or LF line ends.
At most ${MAX_IMPORT_ROWS.toLocaleString('en')} data rows and 64 MiB.

Header row required; column names are case-insensitive, in any order: ${IMPORT_COLUMNS.map((c) => `\`${c}\``).join(', ')}.
\`company_name\` and \`contact_name\` are required (columns and values); \`associated_companies\` lists other company names separated by \`|\`.
An unknown, repeated or missing required column, bad UTF-8, bad quoting, or an empty file refuses the whole file (422, nothing written);
more rows than allowed answers 413.

Each row: the company (matched by name: Unicode NFKC, trimmed, spaces collapsed, case-insensitive) is registered if the organization
has no imported company of that name yet, with the row's company email and web address (from the first valid row naming it);
the contact (matched by email, or without one by name at its company) is added with the company as its primary company if it does not exist;
the contact is associated with the row's company and the associated companies (registered by name if missing) it is not yet associated with.
Existing companies and contacts are not otherwise changed. So importing the same file again writes nothing.

Row checks: names at most 200 characters without line breaks, valid email addresses (254), web address (2048), phone (40),
at most 50 associated companies; a contact already in an earlier row of the file is a duplicate. A row with any error is refused whole
and changes nothing; the others are applied. Errors name the row (1 is the first data row after the header; blank lines keep their number, so row N is
spreadsheet row N + 1, and line N + 1 of a file without line breaks inside quotes), the column (\`field\`, null for the whole row) and the reason.
`.trim();

@ApiTags('imports')
@Controller('v1/imports')
export class ImportsController {
  constructor(private readonly imports: ContactImports) {}

  @Post('contacts')
  @HttpCode(202)
  @Staff('directory:write')
  @ApiOperation({
    summary: 'Import companies, contacts and associations from CSV: answers at once, the rows are applied in the background',
    description: CSV_FORMAT,
  })
  @ApiConsumes('text/csv')
  @ApiBody({
    schema: {
      type: 'string',
      example: 'company_name,company_email,contact_name,contact_email,associated_companies\nAcme Logistics,office@acme.example,Ana Souza,ana@acme.example,Acme Freight|Acme Air\n',
    },
  })
  @ApiAcceptedResponse({ type: ImportAcceptedResponse, description: 'Accepted; `Location` is the import to poll' })
  @Problems('empty-file', 'no-rows', 'invalid-utf8', 'malformed-csv', 'invalid-csv-header', 'too-many-rows', 'too-many-imports')
  async importContacts(
    @StaffContext() context: CommandContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ImportAcceptedResponse> {
    const body: unknown = request.body;
    if (body === undefined || body === null) {
      throw new ProblemException(422, 'empty-file', 'Empty file', 'The request body is empty: send the CSV file as text/csv.');
    }
    if (!(body instanceof CsvUpload)) {
      throw new ProblemException(415, 'unsupported-media-type', 'Unsupported media type', 'Send the file with Content-Type: text/csv, encoded as UTF-8.');
    }
    const accepted = await this.imports.accept(context, body);
    reply.header('location', `/v1/imports/${accepted.id}`);
    return { id: accepted.id, status: accepted.status, rows: accepted.rows, position: accepted.position, queuePosition: accepted.queuePosition };
  }

  @Get(':importId')
  @Staff('read-models:read')
  @ApiOperation({ summary: "An import's progress and row errors (another organization's import: 404)" })
  @ApiOkResponse({ type: ImportStatusResponse })
  @ApiQuery({ name: 'minPosition', required: false, type: String, description: 'Answer only once the read models reflect this position (from a write response).' })
  async get(@CurrentStaff() staff: StaffPrincipal, @Param('importId', ResourceIdPipe) importId: string): Promise<ImportView> {
    const found = await this.imports.find(staff.organizationId, importId);
    if (!found) throw new DomainError('not-found', 'not-found', 'No such import.');
    return found;
  }
}
