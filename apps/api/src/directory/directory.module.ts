import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DIRECTORY_COMMAND_HANDLERS } from './directory.commands';
import { DirectoryController } from './directory.controller';

@Module({
  imports: [CqrsModule],
  controllers: [DirectoryController],
  providers: [...DIRECTORY_COMMAND_HANDLERS],
})
export class DirectoryModule {}
