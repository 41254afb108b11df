import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  AliasExistsException,
  InvalidPasswordException,
  TooManyRequestsException,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TransientError, ValidationError } from '#core/errors';
import { expectError } from '../../support/expect-error.ts';
import { mockedCognitoDirectory } from '../../support/mocked-cognito-directory.ts';

/** The Cognito adapter's error paths (its behaviour is the contract suite's, on cognito-local). */
const { cognito, ddb, directory } = mockedCognitoDirectory();

beforeEach(() => {
  cognito.reset();
  ddb.reset();
});

describe('CognitoUserDirectory', () => {
  it('answers a password the pool\'s policy refuses as a field error on password', async () => {
    // Prepare
    cognito.on(AdminSetUserPasswordCommand).rejects(new InvalidPasswordException({ message: 'Password did not conform with policy', $metadata: {} }));

    // Act
    const set = directory.setPassword('ann@example.com', 'weak');

    // Assess
    const error = await expectError(set, ValidationError, 'Some fields are not valid; see errors[] for each one.');
    expect((error as ValidationError).errors).toStrictEqual([{ path: 'password', message: 'Password did not conform with policy' }]);
  });

  it('answers throttling by the pool as a TransientError (503) naming what failed', async () => {
    // Prepare
    cognito.on(AdminCreateUserCommand).rejects(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }));

    // Act
    const create = directory.createUser({ email: 'ann@example.com', roles: [], enabled: false, createdAt: 'x' });

    // Assess
    const error = await expectError(create, TransientError, 'Creating a user: TooManyRequestsException');
    expect((error as TransientError).status).toBe(503);
  });

  it('answers taken when the pool refuses the new address as another account\'s alias', async () => {
    // Prepare: the old address has an account, the new one none, and the pool refuses the change.
    cognito.on(AdminGetUserCommand, { Username: 'old@example.com' }).resolves({ Username: 'sub-1', Enabled: true, UserStatus: 'CONFIRMED', UserAttributes: [{ Name: 'email', Value: 'old@example.com' }] });
    cognito.on(AdminGetUserCommand, { Username: 'new@example.com' }).rejects(new UserNotFoundException({ message: 'User does not exist.', $metadata: {} }));
    cognito.on(AdminListGroupsForUserCommand).resolves({ Groups: [] });
    cognito.on(AdminUpdateUserAttributesCommand).rejects(new AliasExistsException({ message: 'An account with the given email already exists.', $metadata: {} }));
    ddb.on(GetCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});

    // Act
    const result = await directory.changeEmail('Old@Example.com', 'new@example.com');

    // Assess
    expect(result).toBe('taken');
  });
});
