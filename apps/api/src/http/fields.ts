import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, MaxLength, MinLength } from 'class-validator';

/** A new password in a body: its length checked here, its strength by the service (weak-password). */
export const PasswordField = () =>
  applyDecorators(
    ApiProperty({ minLength: 10, maxLength: 1024 }),
    IsString(),
    MinLength(10, { message: 'password must be at least 10 characters long' }),
    MaxLength(1024),
  );

/** A token from an emailed link (invitation, password reset). */
export const EmailedTokenField = (description: string) => applyDecorators(ApiProperty({ description }), IsString(), Length(1, 200));
