import { createCipheriv, createDecipheriv, createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Secrets at rest (provider credentials): AES-256-GCM with a random 96-bit nonce per value.
 * Stored form: `v1.<nonce b64url>.<ciphertext b64url>.<tag b64url>`. The key comes from
 * `TACTO_SECRET_KEY` (64 hex characters or 44 base64 characters) or from a key file generated in
 * the data directory on first start (mode 0600). The key and plaintexts are never logged.
 */
export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
  /** A keyed hash for deterministic tokens (tracked links) that cannot be guessed from ids. */
  mac(value: string): Buffer;
}

const b64 = (b: Buffer): string => b.toString('base64url');

export const parseSecretKey = (text: string): Buffer => {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32) throw new Error('TACTO_SECRET_KEY must be 32 bytes: 64 hex characters or 44 base64 characters');
  return key;
};

/** The key from the environment, else from `file`, generating the file when it does not exist. */
export const loadSecretKey = (envValue: string | undefined, file: string): Buffer => {
  if (envValue) return parseSecretKey(envValue);
  if (existsSync(file)) return parseSecretKey(readFileSync(file, 'utf8'));
  mkdirSync(dirname(file), { recursive: true });
  const key = randomBytes(32);
  try {
    writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch {
    // Another process created it first: use theirs.
    return parseSecretKey(readFileSync(file, 'utf8'));
  }
  chmodSync(file, 0o600);
  return key;
};

export const createSecretBox = (key: Buffer): SecretBox => {
  if (key.length !== 32) throw new Error('the secret key must be 32 bytes');
  // A KeyObject made once: a Buffer key is turned into one on every createHmac call.
  const macKey = createSecretKey(createHmac('sha256', key).update('tacto:mac').digest());
  return {
    seal(plaintext) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `v1.${b64(nonce)}.${b64(ct)}.${b64(cipher.getAuthTag())}`;
    },
    open(sealed) {
      const [v, nonce, ct, tag] = sealed.split('.');
      if (v !== 'v1' || nonce === undefined || ct === undefined || tag === undefined) throw new Error('not a sealed secret (v1)');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new Error('a sealed secret could not be opened: wrong TACTO_SECRET_KEY or tampered value');
      }
    },
    mac: (value) => createHmac('sha256', macKey).update(value).digest(),
  };
};
