/**
 * Helpers to acknowledge cdk-nag findings next to the code that causes them. Every
 * acknowledgement carries a reason; `test/infra/cdk-nag.test.ts` checks none is empty.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';

/** Acknowledges one cdk-nag rule (or one finding of it, `Rule[finding]`) on `scope` and below. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim() === '') throw new Error(`The acknowledgement of ${id} on ${scope.node.path} needs a reason.`);
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * Acknowledges `AwsSolutions-IAM5` for one wildcard resource of the IAM policy `policy`. The
 * finding id is computed the way cdk-nag computes it (tokens flattened to `<LogicalId.Attr>`), so a
 * renamed resource cannot silently widen the acknowledgement.
 */
export function acknowledgeWildcardResource(policy: IConstruct, resource: string, reason: string): void {
  const flat = flattenCfnReference(Stack.of(policy).resolve(resource));
  acknowledge(policy, `AwsSolutions-IAM5[Resource::${flat}]`, reason);
}

/** The default policy of a function's role (where `addToRolePolicy` puts statements). */
export function defaultPolicyOf(fn: IFunction): IConstruct {
  const policy = fn.role?.node.tryFindChild('DefaultPolicy');
  if (!policy) throw new Error(`${fn.node.path} has no role default policy to acknowledge findings on.`);
  return policy;
}
