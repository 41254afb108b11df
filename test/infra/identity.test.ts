import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { App, CfnWaitConditionHandle, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import type { IConstruct } from 'constructs';
import { FUNCTION_ENV } from '../../functions/app.ts';
import { ROLES } from '../../functions/roles.ts';
import { createPool } from '../../local/cognito/pool.ts';
import { PROJECT_ROOT } from '../../lib/assent-stack.ts';
import { AssentIdentity, USER_DIRECTORY_ACTIONS } from '../../lib/constructs/identity.ts';
import { actionsOf, getAttOf, logicalIdOf, refOf, type Statement, statementsOf, type Synthesized, synthesize } from './fixtures.ts';

const USER_POOL_ID = 'eu-west-1_AbCdEf123';
const CLIENT_ID = '1example23456789abcdefghij';

let synthesized: Synthesized;
beforeAll(() => {
  synthesized = synthesize();
});

/** The pool's issuer as synthesized: `https://cognito-idp.<region>.<url suffix>/<pool id>`. */
const stackPoolIssuer = () => ({
  'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/', refOf(synthesized.stack.identity.userPool)]],
});

/** A stack in `region`, with a resource (an imported pool is none, and a template needs one). */
const regionalStack = (region: string): Stack => {
  const stack = new Stack(new App(), 'Regional', { env: { account: '123456789012', region } });
  new CfnWaitConditionHandle(stack, 'Placeholder');
  return stack;
};

type Handlers = Record<keyof typeof FUNCTION_ENV | 'archiver', { function: IConstruct; role: IConstruct }>;
/** Every function of the stack, by the name FUNCTION_ENV knows it by (and the archiver, which has no app). */
const handlersOf = ({ stack }: Synthesized): Handlers => ({
  http: stack.handlers.http,
  steps: stack.handlers.steps,
  outbox: stack.recovery.outbox,
  reconcile: stack.recovery.reconciler,
  mailFeedback: stack.mailFeedback.handler,
  archiver: stack.archive.handler,
});

const variablesOf = ({ template }: Synthesized, fn: IConstruct): Record<string, unknown> =>
  template.findResources('AWS::Lambda::Function')[logicalIdOf(fn)]?.Properties.Environment.Variables ?? {};

const cognitoStatements = ({ template }: Synthesized, role: IConstruct): Statement[] =>
  statementsOf(template, role).filter((statement) => actionsOf(statement).some((action) => action.startsWith('cognito-idp:')));

/** Functions whose FUNCTION_ENV lists userPoolId, and the others. */
const readers = (Object.keys(FUNCTION_ENV) as (keyof typeof FUNCTION_ENV)[]).filter((name) => (FUNCTION_ENV[name] as readonly string[]).includes('userPoolId'));
const nonReaders = (['mailFeedback', 'archiver'] as const).filter((name) => !(readers as string[]).includes(name));

describe('AssentIdentity: the stack-created user pool', () => {
  it('signs in by email (the username, case-insensitive), accounts created by administrators only', () => {
    // Act & Assess
    synthesized.template.resourceCountIs('AWS::Cognito::UserPool', 1);
    synthesized.template.hasResourceProperties('AWS::Cognito::UserPool', {
      UsernameAttributes: ['email'],
      AliasAttributes: Match.absent(),
      UsernameConfiguration: { CaseSensitive: false },
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Schema: [{ Name: 'email', Required: true, Mutable: true }],
    });
  });

  it('asks passwords of 12 characters or more and no character classes, no Cognito-side recovery, MFA by TOTP for those who enrol', () => {
    // Act & Assess
    synthesized.template.hasResourceProperties('AWS::Cognito::UserPool', {
      Policies: { PasswordPolicy: { MinimumLength: 12, RequireLowercase: false, RequireUppercase: false, RequireNumbers: false, RequireSymbols: false } },
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'admin_only', Priority: 1 }] },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UserPoolTier: 'ESSENTIALS',
    });
  });

  it('is deletion-protected and retained, like the table', () => {
    // Act & Assess
    synthesized.template.hasResource('AWS::Cognito::UserPool', {
      Properties: Match.objectLike({ DeletionProtection: 'ACTIVE' }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('has one app client, for the console: no secret, SRP and password sign-in and refresh, no OAuth, users write their name only', () => {
    // Prepare
    const { template, stack } = synthesized;

    // Act
    const clients = Object.values(template.findResources('AWS::Cognito::UserPoolClient')).map((client) => client.Properties);

    // Assess
    expect(clients).toStrictEqual([
      {
        ClientName: 'Assent-console',
        UserPoolId: refOf(stack.identity.userPool),
        GenerateSecret: false,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        AllowedOAuthFlowsUserPoolClient: false,
        PreventUserExistenceErrors: 'ENABLED',
        SupportedIdentityProviders: ['COGNITO'],
        WriteAttributes: ['name'],
      },
    ]);
  });

  it('has exactly one group per role of functions/roles.ts, in the pool, retained with it', () => {
    // Prepare
    const { template, stack } = synthesized;

    // Act
    const groups = Object.values(template.findResources('AWS::Cognito::UserPoolGroup'));

    // Assess
    expect(groups.map((group) => group.Properties).sort((a, b) => a.GroupName.localeCompare(b.GroupName))).toStrictEqual(
      Object.entries(ROLES)
        .map(([role, description]) => ({ GroupName: role, Description: description, UserPoolId: refOf(stack.identity.userPool) }))
        .sort((a, b) => a.GroupName.localeCompare(b.GroupName)),
    );
    expect(groups.map((group) => [group.DeletionPolicy, group.UpdateReplacePolicy])).toStrictEqual(groups.map(() => ['Retain', 'Retain']));
  });

  it('is the same pool local mode creates on cognito-local (local/cognito/pool.ts): usernames, password policy, client flows, groups', async () => {
    // Prepare
    const cognito = mockClient(CognitoIdentityProviderClient);
    cognito.on(CreateUserPoolCommand).resolves({ UserPool: { Id: 'local_pool' } });
    cognito.on(CreateUserPoolClientCommand).resolves({ UserPoolClient: { ClientId: 'local-client' } });
    cognito.on(CreateGroupCommand).resolves({});
    const [pool] = Object.values(synthesized.template.findResources('AWS::Cognito::UserPool'));
    const [client] = Object.values(synthesized.template.findResources('AWS::Cognito::UserPoolClient'));
    const groups = Object.values(synthesized.template.findResources('AWS::Cognito::UserPoolGroup')).map((group) => group.Properties.GroupName);

    // Act
    try {
      await createPool(new CognitoIdentityProviderClient({ region: 'us-east-1' }));
    } finally {
      cognito.restore();
    }
    const [local] = cognito.commandCalls(CreateUserPoolCommand).map((call) => call.args[0].input);
    const [localClient] = cognito.commandCalls(CreateUserPoolClientCommand).map((call) => call.args[0].input);
    const localGroups = cognito.commandCalls(CreateGroupCommand).map((call) => call.args[0].input.GroupName);

    // Assess
    expect({ usernames: local?.UsernameAttributes, passwords: local?.Policies?.PasswordPolicy }).toStrictEqual({
      usernames: pool?.Properties.UsernameAttributes,
      passwords: pool?.Properties.Policies.PasswordPolicy,
    });
    expect({ secret: localClient?.GenerateSecret, flows: [...(localClient?.ExplicitAuthFlows ?? [])].sort() }).toStrictEqual({
      secret: client?.Properties.GenerateSecret,
      flows: [...(client?.Properties.ExplicitAuthFlows ?? [])].sort(),
    });
    expect([...localGroups].sort()).toStrictEqual([...groups].sort());
  });

  it('exports the pool id and the console client id', () => {
    // Act
    const outputs = synthesized.template.toJSON().Outputs as Record<string, { Value: unknown }>;

    // Assess
    expect([outputs.UserPoolId?.Value, outputs.UserPoolClientId?.Value]).toStrictEqual([refOf(synthesized.stack.identity.userPool), refOf(synthesized.stack.identity.client as IConstruct)]);
  });
});

describe('the JWT authorizer and the handlers, with the stack-created pool', () => {
  it('accept the pool\'s tokens: its issuer, the console client as the audience', () => {
    // Prepare
    const { template, stack } = synthesized;

    // Act
    const authorizers = Object.values(template.findResources('AWS::ApiGatewayV2::Authorizer')).map((authorizer) => authorizer.Properties.JwtConfiguration);

    // Assess
    expect(authorizers).toStrictEqual([{ Issuer: stackPoolIssuer(), Audience: [refOf(stack.identity.client as IConstruct)] }]);
  });

  it('give the http and steps functions the same issuer and audience, the pool\'s key set and cognito:groups as the roles claim', () => {
    // Prepare
    const { stack } = synthesized;

    // Act
    const settings = [stack.handlers.http, stack.handlers.steps].map((handler) => {
      const variables = variablesOf(synthesized, handler.function);
      return [variables.ASSENT_JWT_ISSUER, variables.ASSENT_JWT_AUDIENCE, variables.ASSENT_JWKS_URL, variables.ASSENT_JWT_ROLES_CLAIM];
    });

    // Assess
    const expected = [
      stackPoolIssuer(),
      refOf(stack.identity.client as IConstruct),
      { 'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/', refOf(stack.identity.userPool), '/.well-known/jwks.json']] },
      'cognito:groups',
    ];
    expect(settings).toStrictEqual([expected, expected]);
  });
});

describe('the user directory binding', () => {
  it.each(readers)('gives %s (FUNCTION_ENV lists userPoolId) the pool id and the directory adapter\'s actions on that pool only', (name) => {
    // Prepare
    const handler = handlersOf(synthesized)[name];

    // Act
    const variables = variablesOf(synthesized, handler.function);
    const statements = cognitoStatements(synthesized, handler.role);

    // Assess
    expect(variables.ASSENT_USER_POOL_ID).toStrictEqual(refOf(synthesized.stack.identity.userPool));
    expect(statements).toStrictEqual([{ Effect: 'Allow', Action: [...USER_DIRECTORY_ACTIONS], Resource: getAttOf(synthesized.stack.identity.userPool, 'Arn') }]);
  });

  it('grants the account and group actions the directory needs, and no pool administration or ListUsers', () => {
    // Prepare
    const statements = cognitoStatements(synthesized, handlersOf(synthesized).steps.role);

    // Act
    const actions = statements.flatMap(actionsOf).sort();

    // Assess
    expect(actions).toStrictEqual([
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
    ]);
  });

  it('is bound to the http, steps, outbox and reconcile functions (the ones whose undo or stages act on accounts)', () => {
    expect([...readers].sort()).toStrictEqual(['http', 'outbox', 'reconcile', 'steps']);
  });

  it.each(nonReaders)('gives %s (which keeps no accounts) neither the pool id nor any Cognito action', (name) => {
    // Prepare
    const handler = handlersOf(synthesized)[name];

    // Act
    const variables = variablesOf(synthesized, handler.function);
    const statements = cognitoStatements(synthesized, handler.role);

    // Assess
    expect([variables.ASSENT_USER_POOL_ID, statements]).toStrictEqual([undefined, []]);
  });

  it('grants exactly the Cognito commands the code under functions/ sends, as cognito-idp:<Command> actions', () => {
    // Prepare
    const sourcesUnder = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) return sourcesUnder(path);
        return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
      });

    // Act
    const sent = sourcesUnder(join(PROJECT_ROOT, 'functions'))
      .map((path) => ({ path, text: readFileSync(path, 'utf8') }))
      .filter(({ text }) => text.includes("from '@aws-sdk/client-cognito-identity-provider'"))
      .flatMap(({ path, text }) => [...text.matchAll(/new (\w+)Command\(/g)].map((match) => ({ file: relative(PROJECT_ROOT, path), action: `cognito-idp:${match[1]}` })));

    // Assess
    expect(sent.length).toBeGreaterThan(5);
    expect([...new Set(sent.map(({ action }) => action))].sort()).toStrictEqual([...USER_DIRECTORY_ACTIONS].sort());
  });
});

describe('an existing user pool (config userPoolId)', () => {
  let existing: Synthesized;
  beforeAll(() => {
    existing = synthesize({ userPoolId: USER_POOL_ID, jwtAudience: [CLIENT_ID] });
  });

  /** `arn:<partition>:cognito-idp:eu-west-1:<account>:userpool/<id>`: the region its id names. */
  const poolArn = {
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cognito-idp:eu-west-1:', { Ref: 'AWS::AccountId' }, `:userpool/${USER_POOL_ID}`]],
  };

  it('creates no pool, no app client and no group in it', () => {
    // Act & Assess
    for (const type of ['AWS::Cognito::UserPool', 'AWS::Cognito::UserPoolClient', 'AWS::Cognito::UserPoolGroup']) existing.template.resourceCountIs(type, 0);
    expect([existing.stack.identity.client, existing.stack.identity.groups]).toStrictEqual([undefined, []]);
  });

  it('binds that pool: its id, and the directory adapter\'s actions on its ARN only', () => {
    // Prepare
    const { http, outbox } = handlersOf(existing);

    // Act
    const bound = [http, outbox].map((handler) => [variablesOf(existing, handler.function).ASSENT_USER_POOL_ID, cognitoStatements(existing, handler.role)]);

    // Assess
    const expected = [USER_POOL_ID, [{ Effect: 'Allow', Action: [...USER_DIRECTORY_ACTIONS], Resource: poolArn }]];
    expect(bound).toStrictEqual([expected, expected]);
  });

  it('accepts that pool\'s tokens: the issuer its id names, the configured app clients, cognito:groups', () => {
    // Act
    const [authorizer] = Object.values(existing.template.findResources('AWS::ApiGatewayV2::Authorizer'));
    const variables = variablesOf(existing, existing.stack.handlers.http.function);

    // Assess
    const issuer = `https://cognito-idp.eu-west-1.amazonaws.com/${USER_POOL_ID}`;
    expect(authorizer?.Properties.JwtConfiguration).toStrictEqual({ Issuer: issuer, Audience: [CLIENT_ID] });
    expect([variables.ASSENT_JWT_ISSUER, variables.ASSENT_JWT_AUDIENCE, variables.ASSENT_JWKS_URL, variables.ASSENT_JWT_ROLES_CLAIM]).toStrictEqual([
      issuer,
      CLIENT_ID,
      `${issuer}/.well-known/jwks.json`,
      'cognito:groups',
    ]);
  });

  it('exports the pool id, and no client id', () => {
    // Act
    const outputs = existing.template.toJSON().Outputs as Record<string, { Value: unknown }>;

    // Assess
    expect([outputs.UserPoolId?.Value, outputs.UserPoolClientId]).toStrictEqual([USER_POOL_ID, undefined]);
  });

  it('warns of a pool in another region than a known stack region, because the functions call Cognito in their own region', () => {
    // Prepare
    const stack = regionalStack('us-east-1');

    // Act
    new AssentIdentity(stack, 'Identity', { existingUserPoolId: USER_POOL_ID });

    // Assess
    Annotations.fromStack(stack).hasWarning(
      '/Regional/Identity',
      'userPoolId eu-west-1_AbCdEf123 is in eu-west-1, the stack in us-east-1: the functions call Cognito in their own region, so every directory call would fail. Deploy the stack to eu-west-1, or use a pool of us-east-1. [ack: @assent/identity:userPoolRegion]',
    );
  });

  it('does not warn of a pool in the stack\'s region', () => {
    // Prepare
    const stack = regionalStack('eu-west-1');

    // Act
    new AssentIdentity(stack, 'Identity', { existingUserPoolId: USER_POOL_ID });

    // Assess
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});

describe('bring your own issuer (config jwtIssuer and jwtAudience)', () => {
  let own: Synthesized;
  beforeAll(() => {
    own = synthesize({ jwtIssuer: 'https://auth.example.com/', jwtAudience: ['assent-admin', 'assent-cli'] });
  });

  it('has the authorizer and the handlers accept that issuer\'s tokens, roles in "roles"', () => {
    // Act
    const [authorizer] = Object.values(own.template.findResources('AWS::ApiGatewayV2::Authorizer'));
    const variables = variablesOf(own, own.stack.handlers.http.function);

    // Assess
    expect(authorizer?.Properties.JwtConfiguration).toStrictEqual({ Issuer: 'https://auth.example.com/', Audience: ['assent-admin', 'assent-cli'] });
    expect([variables.ASSENT_JWT_ISSUER, variables.ASSENT_JWT_AUDIENCE, variables.ASSENT_JWKS_URL, variables.ASSENT_JWT_ROLES_CLAIM]).toStrictEqual([
      'https://auth.example.com/',
      'assent-admin,assent-cli',
      'https://auth.example.com/.well-known/jwks.json',
      'roles',
    ]);
  });

  it('still keeps the example actions\' accounts in the stack-created pool, with its groups', () => {
    // Act
    const variables = variablesOf(own, own.stack.handlers.http.function);

    // Assess
    own.template.resourceCountIs('AWS::Cognito::UserPool', 1);
    own.template.resourceCountIs('AWS::Cognito::UserPoolGroup', Object.keys(ROLES).length);
    expect(variables.ASSENT_USER_POOL_ID).toStrictEqual(refOf(own.stack.identity.userPool));
  });
});
