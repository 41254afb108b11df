import { Annotations, ArnFormat, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  type IUserPool,
  Mfa,
  UserPool,
  type UserPoolClient,
  UserPoolGroup,
} from 'aws-cdk-lib/aws-cognito';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ENV } from '../../functions/env-names.ts';
import { ROLES } from '../../functions/roles.ts';
import { COGNITO_GROUPS_CLAIM } from '../config.ts';
import type { JwtSettings } from './http-api.ts';
import { acknowledge } from './nag.ts';

/**
 * The Cognito actions the directory adapter sends (functions/adapters/cognito/user-directory.ts),
 * and nothing else: no ListUsers, no pool or group administration. `findAccount` needs nothing more
 * (AdminGetUser takes a `sub`); `usersInGroup` and `projectMembersWithRole` (who approves) send
 * ListUsersInGroup; `revokeRoles` (and `deleteUnusedUser`) AdminRemoveUserFromGroup.
 * `test/infra/identity.test.ts` fails when the adapter sends a command this list lacks, or the reverse.
 */
export const USER_DIRECTORY_ACTIONS = [
  'cognito-idp:AdminAddUserToGroup',
  'cognito-idp:AdminCreateUser',
  'cognito-idp:AdminDeleteUser',
  'cognito-idp:AdminDisableUser',
  'cognito-idp:AdminEnableUser',
  'cognito-idp:AdminGetUser',
  'cognito-idp:AdminListGroupsForUser',
  'cognito-idp:AdminRemoveUserFromGroup',
  'cognito-idp:AdminSetUserPassword',
  'cognito-idp:AdminUpdateUserAttributes',
  'cognito-idp:ListUsersInGroup',
] as const;

/** Assent's password policy, as local/cognito/pool.ts creates it on cognito-local: length only. */
export const PASSWORD_MIN_LENGTH = 12;

export interface AssentIdentityProps {
  /**
   * An existing user pool (in the stack's region) to use instead of creating one. The stack then
   * creates nothing in it: no app client, no groups.
   * @default - a pool is created, with its console app client and one group per role
   */
  readonly existingUserPoolId?: string;
  /**
   * The groups of the created pool.
   * @default Object.keys(ROLES) (functions/roles.ts)
   */
  readonly roles?: readonly string[];
  /**
   * The created pool's feature plan. PLUS adds threat protection (compromised credentials, adaptive
   * authentication), billed per monthly active user.
   * @default FeaturePlan.ESSENTIALS
   */
  readonly featurePlan?: FeaturePlan;
  /**
   * What happens to the created pool (every account in it) and its groups when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Cognito deletion protection of the created pool: DeleteUserPool is refused until it is turned off.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/**
 * Who Assent's users are: a Cognito user pool (email as the username, no self sign-up: Assent's
 * sign-up task creates accounts with AdminCreateUser; length-only password policy; no Cognito-side
 * account recovery: Assent's reset-password task is the one way), an app client for the console
 * (SRP and password sign-in, no secret, no OAuth) and a group per role. Or an existing pool, used
 * as it is.
 */
export class AssentIdentity extends Construct {
  /** The pool: created, or the existing one. */
  readonly userPool: IUserPool;
  /** `arn:<partition>:cognito-idp:<region>:<account>:userpool/<id>` of the pool. */
  readonly userPoolArn: string;
  /** The console's app client; only for a created pool. */
  readonly client?: UserPoolClient;
  /** One group per role; only for a created pool. */
  readonly groups: readonly UserPoolGroup[];

  constructor(scope: Construct, id: string, props: AssentIdentityProps = {}) {
    super(scope, id);
    if (props.existingUserPoolId !== undefined) {
      this.userPool = this.importPool(props.existingUserPoolId);
      this.groups = [];
    } else {
      const pool = this.createPool(props);
      this.userPool = pool;
      this.client = this.addConsoleClient(pool);
      this.groups = this.addGroups(pool, props.roles ?? Object.keys(ROLES), props.removalPolicy ?? RemovalPolicy.RETAIN);
      this.acknowledgePoolFindings(pool, props.featurePlan ?? FeaturePlan.ESSENTIALS);
    }
    this.userPoolArn = this.userPool.userPoolArn;
  }

  /**
   * The tokens of the created pool, as the API's authorizer and the handlers check them: issuer
   * `https://cognito-idp.<region>.<url suffix>/<poolId>`, the console client as the audience, its
   * key set, groups in `cognito:groups` unless `rolesClaim` says otherwise.
   * @throws Error for an existing pool: its app clients are not known to the stack (config `jwtAudience`)
   */
  jwtSettings(rolesClaim: string = COGNITO_GROUPS_CLAIM): JwtSettings {
    if (!this.client) throw new Error('An existing user pool has no app client the stack knows: configure jwtAudience (its app client ids).');
    const stack = Stack.of(this);
    const issuer = `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${this.userPool.userPoolId}`;
    return { issuer, audience: [this.client.userPoolClientId], jwksUrl: `${issuer}/.well-known/jwks.json`, rolesClaim };
  }

  /**
   * Lets `fn` keep accounts in the pool: sets `ASSENT_USER_POOL_ID` and grants the actions the
   * directory adapter sends ({@link USER_DIRECTORY_ACTIONS}) on this pool only.
   */
  bindUserDirectory(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.userPoolId, this.userPool.userPoolId);
    fn.addToRolePolicy(new PolicyStatement({ actions: [...USER_DIRECTORY_ACTIONS], resources: [this.userPoolArn] }));
  }

  /**
   * Email usernames (case-insensitive), required and mutable (update-email changes it); accounts
   * created by administrators only; Assent's password policy; TOTP MFA for those who enrol; recovery
   * by administrators only (Assent's reset-password task); retained and deletion-protected.
   */
  private createPool(props: AssentIdentityProps): UserPool {
    return new UserPool(this, 'UserPool', {
      userPoolName: `${Stack.of(this).stackName}-users`,
      signInAliases: { email: true, username: false },
      signInCaseSensitive: false,
      standardAttributes: { email: { required: true, mutable: true } },
      selfSignUpEnabled: false,
      passwordPolicy: {
        minLength: PASSWORD_MIN_LENGTH,
        requireLowercase: false,
        requireUppercase: false,
        requireDigits: false,
        requireSymbols: false,
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.NONE,
      featurePlan: props.featurePlan ?? FeaturePlan.ESSENTIALS,
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }

  /**
   * SRP and password sign-in (and refresh), no secret (a browser or CLI holds no secret), no OAuth
   * (no hosted UI). Users may write only their name: email changes go through update-email.
   */
  private addConsoleClient(pool: UserPool): UserPoolClient {
    return pool.addClient('ConsoleClient', {
      userPoolClientName: `${Stack.of(this).stackName}-console`,
      generateSecret: false,
      authFlows: { userSrp: true, userPassword: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
    });
  }

  /** A group per role, named as the role; kept with the pool (its memberships are the users' roles). */
  private addGroups(pool: UserPool, roles: readonly string[], removalPolicy: RemovalPolicy): UserPoolGroup[] {
    return roles.map((role) => {
      const description: string | undefined = (ROLES as Record<string, string>)[role];
      const group = new UserPoolGroup(this, `Group-${role}`, { userPool: pool, groupName: role, ...(description ? { description } : {}) });
      group.applyRemovalPolicy(removalPolicy);
      return group;
    });
  }

  /**
   * The existing pool, by ARN: in the stack's account and the region its id names. A pool of another
   * region than a known stack region is a warning, not an error: offline, the CLI falls back to
   * us-east-1 for a stack whose region it does not know.
   */
  private importPool(userPoolId: string): IUserPool {
    const stack = Stack.of(this);
    const region = userPoolId.split('_')[0] ?? '';
    if (!Token.isUnresolved(stack.region) && stack.region !== region) {
      Annotations.of(this).addWarningV2(
        '@assent/identity:userPoolRegion',
        `userPoolId ${userPoolId} is in ${region}, the stack in ${stack.region}: the functions call Cognito in their own region, so every directory call would fail. Deploy the stack to ${region}, or use a pool of ${stack.region}.`,
      );
    }
    const arn = stack.formatArn({ service: 'cognito-idp', region, resource: 'userpool', resourceName: userPoolId, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    return UserPool.fromUserPoolArn(this, 'UserPool', arn);
  }

  private acknowledgePoolFindings(pool: UserPool, featurePlan: FeaturePlan): void {
    acknowledge(
      pool,
      'AwsSolutions-COG1',
      `Length over composition: at least ${PASSWORD_MIN_LENGTH} characters and no required character classes, as NIST SP 800-63B (5.1.1.2) recommends; the same rule as the password schema of Assent's sign-up, invite and reset-password tasks (functions/actions/shared-schemas.ts) and of the local pool.`,
    );
    acknowledge(
      pool,
      'AwsSolutions-COG2',
      'MFA is OPTIONAL (TOTP, no SMS): any user may enrol an authenticator. REQUIRED would put every account that sign-up and invite-user create through an MFA_SETUP challenge at first sign-in, which the console and local mode (cognito-local) cannot answer yet; switch to Mfa.REQUIRED once they can.',
    );
    if (featurePlan !== FeaturePlan.PLUS) {
      acknowledge(
        pool,
        'AwsSolutions-COG8',
        `The Essentials feature plan by default: Plus (threat protection against compromised credentials and risky sign-ins) is billed per monthly active user; pass featurePlan: FeaturePlan.PLUS to AssentIdentity to turn it on. Meanwhile there is no self sign-up (accounts exist only through Assent's tasks) and Cognito temporarily locks a user out after repeated failed sign-ins.`,
      );
    }
  }
}
