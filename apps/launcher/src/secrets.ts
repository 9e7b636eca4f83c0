import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { SECRET_NAMES, SecretName, generateKey, keyProblem } from '@kapok/config';

const log = (msg: string) => console.log(`[kapok] ${msg}`);

/** The keys the caller's numbers in the database depend on (the JWT secret only logs people out if it changes). */
const CALLER_KEYS: readonly SecretName[] = ['CALLER_NUMBER_KEY', 'CALLER_NUMBER_ENCRYPTION_KEY'];

/** Set to start with new keys although the database holds callers' numbers made with keys that are lost. */
export const NEW_KEYS_VARIABLE = 'KAPOK_NEW_KEYS';

export interface LocalSecrets {
  /** The three keys to pass to the gateway and the router. */
  values: Record<SecretName, string>;
  /** Where the keys not given by the environment are kept (undefined when the environment gave all three). */
  keptIn?: string;
}

/** True when this database already holds callers' numbers (hashed and encrypted with CALLER_NUMBER_*). */
export async function holdsCallerNumbers(databaseUrl: string): Promise<boolean> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const table = await client.query<{ found: boolean }>(`SELECT to_regclass('public.contacts') IS NOT NULL AS found`);
    if (!table.rows[0].found) return false;
    const rows = await client.query<{ found: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM contacts WHERE caller_number_hash IS NOT NULL) AS found',
    );
    return rows.rows[0].found;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function readStored(file: string): Partial<Record<SecretName, string>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file} cannot be read as JSON (${(err as Error).message}). Restore it from your backup.`, {
      cause: err,
    });
  }
  if (!parsed || typeof parsed !== 'object')
    throw new Error(`${file} is not a JSON object. Restore it from your backup.`);
  const stored: Partial<Record<SecretName, string>> = {};
  for (const name of SECRET_NAMES) {
    const value = (parsed as Record<string, unknown>)[name];
    if (value === undefined) continue;
    const problem = typeof value === 'string' ? keyProblem(name, value) : 'is not a string';
    if (problem) throw new Error(`${file}: ${name} ${problem}. Restore the file from your backup.`);
    stored[name] = value as string;
  }
  // Loosened by hand or by a copy: these keys read every caller's number.
  if ((statSync(file).mode & 0o077) !== 0) {
    chmodSync(file, 0o600);
    log(`${file} was readable by other users: its mode is now 0600`);
  }
  return stored;
}

/** Writes the file readable by its owner only (0600), replacing it in one step. */
function writeStored(file: string, values: Partial<Record<SecretName, string>>): void {
  const body = {
    about:
      'Keys of the Kapok started by npm start on this machine. Keep this file with the database and back it up ' +
      "with it: without CALLER_NUMBER_ENCRYPTION_KEY the callers' numbers stored there cannot be read, without " +
      'CALLER_NUMBER_KEY repeat callers are not recognised. Never commit or share it.',
    ...values,
  };
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(tmp, 0o600); // whatever the umask
  renameSync(tmp, file);
}

/**
 * The keys for `npm start`: each from the environment when it is set there; otherwise from <dataDir>/secrets.json;
 * otherwise generated once (32 random bytes) and kept in that file (mode 0600), so that callers' numbers stay
 * readable and repeat callers recognised across restarts. Refuses to make new caller-number keys for a database
 * that already holds numbers (their keys are lost) unless KAPOK_NEW_KEYS=true.
 */
export async function resolveSecrets(
  dataDir: string,
  env: NodeJS.ProcessEnv,
  holdsData: () => Promise<boolean>,
): Promise<LocalSecrets> {
  const file = join(dataDir, 'secrets.json');
  const stored = existsSync(file) ? readStored(file) : {};
  const values: Partial<Record<SecretName, string>> = {};
  const fromEnv: SecretName[] = [];
  const fromFile: SecretName[] = [];
  const missing: SecretName[] = [];
  for (const name of SECRET_NAMES) {
    const given = env[name];
    if (given) {
      // Checked by the gateway and the router too; said here, before anything starts.
      const problem = keyProblem(name, given);
      if (problem) throw new Error(`${name} (from the environment) ${problem}`);
      values[name] = given;
      fromEnv.push(name);
      if (stored[name] && stored[name] !== given)
        log(`${name}: the environment's value is used, not the one in ${file}`);
    } else if (stored[name]) {
      values[name] = stored[name];
      fromFile.push(name);
    } else {
      missing.push(name);
    }
  }

  const lostCallerKeys = missing.filter((name) => CALLER_KEYS.includes(name));
  if (lostCallerKeys.length && env[NEW_KEYS_VARIABLE] !== 'true' && (await holdsData())) {
    throw new Error(
      [
        `The database already holds callers' numbers, but ${lostCallerKeys.join(' and ')} ` +
          `${lostCallerKeys.length > 1 ? 'are' : 'is'} neither in the environment nor in ${file}.`,
        `Without the keys they were written with, the stored numbers cannot be read and repeat callers are not recognised.`,
        `  - Restore ${file} from your backup, or set ${lostCallerKeys.join(' and ')} to the keys of this database.`,
        `  - If this database was filled by a Kapok that used its old built-in development keys (no longer accepted),`,
        `    or you accept losing the stored numbers: start once with ${NEW_KEYS_VARIABLE}=true to make new keys.`,
      ].join('\n'),
    );
  }

  if (missing.length) {
    for (const name of missing) values[name] = generateKey();
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const kept = { ...stored };
    for (const name of missing) kept[name] = values[name];
    writeStored(file, kept);
    log(
      `generated ${missing.join(', ')} and kept ${missing.length > 1 ? 'them' : 'it'} in ${file} (mode 0600). ` +
        "Keep that file with the database and back it up: without it the callers' numbers stored there cannot be read.",
    );
  }
  if (fromFile.length) log(`${fromFile.join(', ')}: from ${file}`);
  if (fromEnv.length) log(`${fromEnv.join(', ')}: from the environment`);
  return {
    values: values as Record<SecretName, string>,
    keptIn: fromEnv.length < SECRET_NAMES.length ? file : undefined,
  };
}
