import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DIRECTORY_COMMAND_HANDLERS } from './directory.commands';
import { DirectoryController } from './directory.controller';
import { DirectoryQueriesController } from './directory-queries.controller';

@Module({
  imports: [CqrsModule],
  controllers: [DirectoryController, DirectoryQueriesController],
  providers: [...DIRECTORY_COMMAND_HANDLERS],
})
export class DirectoryModule {}
