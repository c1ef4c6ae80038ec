import { Injectable, PipeTransform, ValidationPipe } from '@nestjs/common';
import { DomainError } from '@app/domain';
import { validationProblem } from './problem';

/** class-validator on every DTO: unknown fields refused, values converted, errors as 422 problems. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => validationProblem(errors),
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id that is not a UUID names nothing: 404, exactly like an id that does not exist. */
@Injectable()
export class ResourceIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!UUID.test(value)) throw new DomainError('not-found', 'not-found', 'No such resource.');
    return value.toLowerCase();
  }
}
