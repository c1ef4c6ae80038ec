import { ArgumentMetadata, Injectable, PipeTransform, ValidationPipe } from '@nestjs/common';
import { DECORATORS } from '@nestjs/swagger';
import { DomainError } from '@app/domain';
import { FieldError, invalidInput, validationProblem } from './problem';
import { findBadText } from './input-rules';

/**
 * class-validator on every DTO: unknown fields refused, values converted, errors as 422
 * problems. Before it, the checks that hold for every input: no text with control characters
 * or unpaired surrogates (bodies, query strings and path parameters alike), a JSON object
 * where a DTO is expected, null only where the DTO's OpenAPI schema says `nullable`, an
 * object (not an array) where it names a nested DTO.
 */
export class RequestValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      exceptionFactory: (errors) => validationProblem(errors),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query' || metadata.type === 'param') {
      const path = metadata.type === 'body' ? '' : (metadata.data ?? '');
      const badText = findBadText(value, path);
      if (badText) throw invalidInput([badText]);
    }
    if (metadata.type === 'body' && isDto(metadata.metatype) && value !== undefined) {
      // No body at all is an empty object (a POST that needs none); anything else must be an object.
      if (!isPlainObject(value)) throw invalidInput([{ field: 'body', message: 'the body must be a JSON object' }]);
      const errors = shapeErrors(value, metadata.metatype, '');
      if (errors.length > 0) throw invalidInput(errors);
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new RequestValidationPipe();
}

interface SwaggerProperty {
  type?: unknown;
  isArray?: boolean;
  nullable?: boolean;
}

/** A class whose properties are documented with @ApiProperty: a DTO. */
function isDto(type: unknown): type is new () => object {
  return typeof type === 'function' && !!type.prototype && Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES_ARRAY, type.prototype) !== undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Nulls where the schema does not allow them, and arrays where it names one nested object, at any depth. */
function shapeErrors(value: Record<string, unknown>, dto: new () => object, path: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const [key, inner] of Object.entries(value)) {
    const property = Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, dto.prototype, key) as SwaggerProperty | undefined;
    if (!property) continue; // an unknown field: the whitelist refuses it
    const field = path ? `${path}.${key}` : key;
    if (inner === null) {
      if (!property.nullable) errors.push({ field, message: `${field} must not be null` });
      continue;
    }
    const nested = isDto(property.type) ? property.type : undefined;
    if (!nested) continue;
    if (property.isArray) {
      if (!Array.isArray(inner)) continue; // class-validator says it must be an array
      inner.forEach((element, i) => {
        const item = `${field}[${i}]`;
        if (!isPlainObject(element)) errors.push({ field: item, message: `${item} must be an object` });
        else errors.push(...shapeErrors(element, nested, item));
      });
    } else if (!isPlainObject(inner)) {
      errors.push({ field, message: `${field} must be an object` });
    } else {
      errors.push(...shapeErrors(inner, nested, field));
    }
  }
  return errors;
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
