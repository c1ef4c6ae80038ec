import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const MIN_PASSWORD_LENGTH = 10;

let common: Set<string> | undefined;

/** The 30,000 most common passwords (zxcvbn's list), loaded once. */
function commonPasswords(): Set<string> {
  if (!common) {
    const text = readFileSync(join(__dirname, 'common-passwords.txt'), 'utf8');
    common = new Set(text.split('\n').filter((line) => line && !line.startsWith('#')));
  }
  return common;
}

/** Why a new password is refused, or null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `password must be at least ${MIN_PASSWORD_LENGTH} characters long`;
  const normalized = password.normalize('NFKC').toLowerCase();
  if (commonPasswords().has(normalized)) return 'password is one of the most common passwords; choose another';
  if (/^(.)\1+$/u.test(normalized)) return 'password repeats one character';
  return null;
}
