/**
 * Encryption at rest for connector credentials: AES-256-GCM with the 32-byte key in SECRET_KEY.
 * A stored value reads `v1:<iv>:<auth tag>:<ciphertext>`, each part base64, so a later key or
 * algorithm can get its own prefix.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DomainError } from './errors.ts';

const FORMAT = 'v1';
const IV_BYTES = 12;
const KEY_BYTES = 32;

/** SECRET_KEY is unset, but a secret has to be stored or read. */
export class SecretKeyMissingError extends DomainError {
  constructor(action: string) {
    super(
      'SECRET_KEY_MISSING',
      `Cannot ${action}: the server has no SECRET_KEY. Set SECRET_KEY to 32 random bytes in base64 (for example from \`openssl rand -base64 32\`) and restart the server.`,
      undefined,
      { variable: 'SECRET_KEY' },
    );
  }
}

/** A stored secret could not be decrypted: wrong SECRET_KEY, or the value was altered. */
export class SecretDecryptionError extends Error {
  constructor(reason: string) {
    super(`Cannot decrypt a stored connector secret (${reason}). Start the server with the SECRET_KEY that encrypted it.`);
    this.name = 'SecretDecryptionError';
  }
}

function keyFrom(secretKey: string): Buffer {
  const key = Buffer.from(secretKey, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new Error(`SECRET_KEY must decode to ${KEY_BYTES} bytes, got ${key.length}. Create one with \`openssl rand -base64 32\`.`);
  }
  return key;
}

/** Encrypts `plaintext` with a fresh random IV. Throws SecretKeyMissingError without a key. */
export function encryptSecret(secretKey: string | undefined, plaintext: string): string {
  if (!secretKey) throw new SecretKeyMissingError('store the client secret');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(secretKey), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [FORMAT, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join(':');
}

/**
 * Decrypts a value written by encryptSecret. Throws SecretKeyMissingError without a key and
 * SecretDecryptionError when the key does not match or the value was altered.
 */
export function decryptSecret(secretKey: string | undefined, stored: string): string {
  if (!secretKey) throw new SecretKeyMissingError('read the stored client secret');
  const parts = stored.split(':');
  if (parts.length !== 4 || parts[0] !== FORMAT) throw new SecretDecryptionError(`unknown format ${JSON.stringify(parts[0])}`);

  const [, iv, tag, ciphertext] = parts as [string, string, string, string];
  const decipher = createDecipheriv('aes-256-gcm', keyFrom(secretKey), Buffer.from(iv, 'base64'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretDecryptionError('the key does not match or the value was altered');
  }
}
