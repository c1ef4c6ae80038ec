import { clientCompany, clientCompanyStream, contact, contactStream, ContactState, currentCompaniesOf } from '@app/domain';
import { CommandExecutor } from '../commands/command-executor';

/**
 * The companies a contact acts for now (primary first, archived ones left out), read from the
 * contact's own stream and each company's stream, never from a projection that may lag: what a
 * portal user may see and do follows these on its very next request.
 */
export async function currentCompanies(executor: CommandExecutor, organizationId: string, contactId: string): Promise<{ person: ContactState; clientIds: string[] }> {
  const { state: person } = await executor.load(contactStream(contactId), contact, organizationId);
  if (!person.exists) return { person, clientIds: [] };
  const companies = await Promise.all(person.clientIds.map((clientId) => executor.load(clientCompanyStream(clientId), clientCompany, organizationId)));
  const archived = new Set(person.clientIds.filter((_, i) => !companies[i].state.registered || companies[i].state.archived));
  return { person, clientIds: currentCompaniesOf(person, (clientId) => archived.has(clientId)) };
}
