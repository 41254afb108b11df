import { jest } from '@jest/globals';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { type Synthesized, synthesize } from './fixtures.ts';

interface AcknowledgementEntry {
  readonly path: string;
  readonly id: string;
  readonly reason: unknown;
}

/** Every `Validations.of(x).acknowledge()` recorded in the tree, with the construct it is on. */
function acknowledgementsIn(root: IConstruct): AcknowledgementEntry[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, unknown>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

/**
 * Runs the AWS Solutions pack as if nothing were acknowledged. Reaches into cdk-nag's private
 * `isAcknowledged` (3.0.x): if an upgrade renames it, this helper fails loudly, not silently.
 */
function findingsIgnoringAcknowledgements(root: IConstruct): { ruleName: string; paths: string[] }[] {
  const checks = new AwsSolutionsChecks();
  const internals = checks as unknown as { isAcknowledged?: unknown };
  if (typeof internals.isAcknowledged !== 'function') throw new Error('cdk-nag no longer has NagPack.isAcknowledged');
  internals.isAcknowledged = () => false;
  return checks.validateScope(root).violations.map((violation) => ({
    ruleName: violation.ruleName,
    paths: violation.violatingResources.map((resource) => resource.constructPath ?? ''),
  }));
}

let synthesized: Synthesized;
beforeAll(() => {
  synthesized = synthesize();
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged error and no unacknowledged warning', () => {
    // Prepare
    const checks = new AwsSolutionsChecks();

    // Act
    const report = checks.validateScope(synthesized.app);

    // Assess
    expect(report.violations.map((violation) => `${violation.severity} ${violation.ruleName}`)).toStrictEqual([]);
    expect(report.success).toBe(true);
  });

  it('reports no unacknowledged finding with every option set (custom domain, CORS, alarm emails, sandbox recipients)', () => {
    // Prepare
    const { app } = synthesize({
      domainName: 'assent.example.com',
      certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
      corsOrigins: ['https://admin.example.com'],
      alarmEmails: ['ops@example.com'],
      sesSandboxRecipients: ['approver@example.com'],
    });

    // Act
    const report = new AwsSolutionsChecks().validateScope(app);

    // Assess
    expect(report.violations.map((violation) => `${violation.severity} ${violation.ruleName}`)).toStrictEqual([]);
  });

  it.each([
    ['an existing user pool', { userPoolId: 'eu-west-1_AbCdEf123', jwtAudience: ['1example23456789abcdefghij'] }],
    ['their own issuer', { jwtIssuer: 'https://auth.example.com/', jwtAudience: ['assent-admin'], jwtRolesClaim: 'roles' }],
  ] as const)('reports no unacknowledged finding, and no stale acknowledgement, with %s', (_, identity) => {
    // Prepare
    const { app } = synthesize({ ...identity, jwtAudience: [...identity.jwtAudience] });

    // Act
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = findingsIgnoringAcknowledgements(app);
    const stale = acknowledgementsIn(app).filter(({ path, id }) => !findings.some((finding) => finding.ruleName === id && finding.paths.some((found) => found === path || found.startsWith(`${path}/`))));

    // Assess
    expect(report.violations.map((violation) => `${violation.severity} ${violation.ruleName}`)).toStrictEqual([]);
    expect(stale).toStrictEqual([]);
  });

  it('acknowledges on the user pool exactly its password policy (COG1), optional MFA (COG2) and feature plan (COG8)', () => {
    // Act
    const onPool = acknowledgementsIn(synthesized.app).filter(({ path }) => path.startsWith(synthesized.stack.identity.node.path));

    // Assess
    expect(onPool.map(({ path, id }) => [path, id])).toStrictEqual(
      ['AwsSolutions-COG1', 'AwsSolutions-COG2', 'AwsSolutions-COG8'].map((id) => [`${synthesized.stack.identity.node.path}/UserPool`, id]),
    );
  });

  it('gives every acknowledgement a reason', () => {
    // Act
    const acknowledgements = acknowledgementsIn(synthesized.app);

    // Assess
    expect(acknowledgements.length).toBeGreaterThan(0);
    const withoutReason = acknowledgements.filter(({ reason }) => typeof reason !== 'string' || reason.trim().length < 20);
    expect(withoutReason).toStrictEqual([]);
  });

  it('acknowledges only findings that exist (no stale acknowledgement)', () => {
    // Prepare
    const findings = findingsIgnoringAcknowledgements(synthesized.app);

    // Act
    const stale = acknowledgementsIn(synthesized.app).filter(
      ({ path, id }) =>
        !findings.some(
          (finding) => finding.ruleName === id && finding.paths.some((found) => found === path || found.startsWith(`${path}/`)),
        ),
    );

    // Assess
    expect(stale).toStrictEqual([]);
  });

  it('acknowledges exactly the expected rules', () => {
    // Act
    const ids = [...new Set(acknowledgementsIn(synthesized.app).map(({ id }) => id.replace(/\[.*$/, '')))].sort();

    // Assess
    expect(ids).toStrictEqual(['AwsSolutions-APIG4', 'AwsSolutions-COG1', 'AwsSolutions-COG2', 'AwsSolutions-COG8', 'AwsSolutions-IAM5', 'AwsSolutions-L1', 'AwsSolutions-SQS3']);
  });

  it('passes CDK synthesis with the pack registered as a validation plugin, as bin/assent.ts does', () => {
    // Prepare
    const { app } = synthesize();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    // Act & Assess
    expect(() => app.synth()).not.toThrow();
  });

  it('fails a table without point-in-time recovery (the checks do run)', () => {
    // Prepare
    const app = new App();
    const stack = new Stack(app, 'Bad');
    new Table(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } });

    // Act
    const report = new AwsSolutionsChecks().validateScope(app);

    // Assess
    expect(report.violations.map((violation) => violation.ruleName)).toContain('AwsSolutions-DDB3');
    expect(report.success).toBe(false);
  });

  it('fails CDK synthesis of a non-compliant app when registered as a validation plugin', () => {
    // Prepare
    const app = new App();
    const stack = new Stack(app, 'Bad');
    new Table(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const log = jest.spyOn(console, 'error').mockImplementation(() => undefined);

    // Act & Assess
    try {
      expect(() => app.synth()).toThrow(/AwsSolutions-DDB3/);
    } finally {
      log.mockRestore();
    }
  });
});
