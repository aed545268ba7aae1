// The accounts the first start made, with their passwords: written once when each is created
// (mode 600), read again on every later start to say who to sign in as.
import { readFile, writeFile } from 'node:fs/promises';

/**
 * @typedef {object} Account
 * @property {string} email
 * @property {string} password
 * @property {'admin' | 'sp' | 'oem'} role
 * @property {string} [organisation]
 */

/**
 * @param {string} file
 * @returns {Promise<Account[]>}
 */
export async function readAccounts(file) {
  try {
    return JSON.parse(await readFile(file, 'utf8')).accounts ?? [];
  } catch {
    return [];
  }
}

/**
 * Add or replace an account (by email) in the file.
 * @param {string} file
 * @param {Account} account
 */
export async function saveAccount(file, account) {
  const accounts = (await readAccounts(file)).filter((existing) => existing.email !== account.email);
  accounts.push(account);
  const note = 'Accounts made by scripts/start; sign in at the console with these. Keep this file private.';
  await writeFile(file, `${JSON.stringify({ note, accounts }, null, 2)}\n`, { mode: 0o600 });
}
