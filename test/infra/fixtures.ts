/**
 * Builds the stack the way `cdk synth` does (same cdk.json context: feature flags and the `assent`
 * config), except that bundling is skipped (`aws:cdk:bundling-stacks: []`): no esbuild run, so the
 * tests are fast. The entry files must still exist: NodejsFunction checks them.
 */
import { readFileSync } from 'node:fs';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { AssentStack, PROJECT_ROOT } from '../../lib/assent-stack.ts';
import { type AssentConfigInput, parseAssentConfig } from '../../lib/config.ts';

interface CdkJson {
  readonly context: Record<string, unknown> & { readonly assent: AssentConfigInput };
}

/** cdk.json, as the CLI reads it. */
export const cdkJson: CdkJson = JSON.parse(readFileSync(`${PROJECT_ROOT}/cdk.json`, 'utf8'));

export interface Synthesized {
  readonly app: App;
  readonly stack: AssentStack;
  readonly template: Template;
}

/** The stack from cdk.json's context, with `overrides` merged into the `assent` config. */
export function synthesize(overrides: Partial<AssentConfigInput> = {}): Synthesized {
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  const config = parseAssentConfig({ ...cdkJson.context.assent, ...overrides });
  const stack = new AssentStack(app, 'Assent', { config });
  return { app, stack, template: Template.fromStack(stack) };
}

/** The logical id of a construct's CloudFormation resource (the construct or its default child). */
export function logicalIdOf(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).getLogicalId(element);
}

/** `{ Ref: <logical id> }` of a construct. */
export const refOf = (construct: IConstruct) => ({ Ref: logicalIdOf(construct) });
/** `{ 'Fn::GetAtt': [<logical id>, attribute] }` of a construct. */
export const getAttOf = (construct: IConstruct, attribute: string) => ({ 'Fn::GetAtt': [logicalIdOf(construct), attribute] });

/** One IAM policy statement as synthesized. */
export interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** Every statement of every `AWS::IAM::Policy` attached to `role`. */
export function statementsOf(template: Template, role: IConstruct): Statement[] {
  const roleRef = refOf(role);
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as {
    Properties: { Roles: unknown[]; PolicyDocument: { Statement: Statement[] } };
  }[];
  return policies
    .filter((policy) => policy.Properties.Roles.some((ref) => JSON.stringify(ref) === JSON.stringify(roleRef)))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

/** The actions of a statement, as a list. */
export const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];
/** The resources of a statement, as a list. */
export const resourcesOf = (statement: Statement): unknown[] =>
  Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
