/**
 * `npm run token -- <email> [--id]`: a bearer token for any user of the running local stack's pool,
 * seeded or signed up, without their password: an access token (what a console sends), or with
 * `--id` an ID token (it also carries the address). The user's groups come from the pool, so a
 * token follows what the user is now. Reads `<ASSENT_HOME>/endpoints.json` (default `.assent`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AdminGetUserCommand, AdminListGroupsForUserCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { type LocalPoolEndpoints, signLocalToken } from './cognito/tokens.ts';

const USAGE = 'Usage: npm run token -- <email> [--id]';

async function main(args: readonly string[]): Promise<string> {
  const email = args.find((arg) => !arg.startsWith('--'));
  const unknown = args.filter((arg) => arg.startsWith('--') && arg !== '--id');
  if (!email || unknown.length > 0) throw new Error(unknown.length > 0 ? `Unknown option ${unknown.join(', ')}. ${USAGE}` : USAGE);
  const home = resolve(process.env.ASSENT_HOME ?? '.assent');
  const file = join(home, 'endpoints.json');
  if (!existsSync(file)) throw new Error(`No local stack is running for ${home} (no endpoints.json): start it with npm start.`);
  const pool = (JSON.parse(readFileSync(file, 'utf8')) as { cognito?: LocalPoolEndpoints }).cognito;
  if (!pool) throw new Error(`${file} names no user pool: restart the stack with this version (npm start).`);
  const client = new CognitoIdentityProviderClient({ endpoint: pool.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const user = await client.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: email.toLowerCase() })).catch((error: Error) => {
      throw error.name === 'UserNotFoundException' ? new Error(`The local pool has no user ${email}; endpoints.json lists the seeded ones.`) : error;
    });
    const sub = user.UserAttributes?.find((attribute) => attribute.Name === 'sub')?.Value ?? user.Username ?? '';
    const groups = (await client.send(new AdminListGroupsForUserCommand({ UserPoolId: pool.userPoolId, Username: user.Username ?? sub }))).Groups ?? [];
    const address = user.UserAttributes?.find((attribute) => attribute.Name === 'email')?.Value ?? email;
    return await signLocalToken(pool, { sub, email: address, groups: groups.map((group) => group.GroupName ?? '').filter(Boolean) }, args.includes('--id') ? 'id' : 'access');
  } finally {
    client.destroy();
  }
}

main(process.argv.slice(2)).then(
  (token) => console.log(token),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
