import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { EventBus, type IRuleTarget, Rule } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, ResourcePolicy, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../functions/env-names.ts';

/** The `source` of every Assent event (functions/adapters/eventbridge/publisher.ts). */
export const EVENT_SOURCE = 'assent';
/** What the example rule forwards to its log group. */
export const EXAMPLE_RULE_DETAIL_TYPES = ['task.completed', 'task.failed'] as const;

export interface LifecycleEventsProps {
  /** Retention of the example rule's log group. */
  readonly logRetention: RetentionDays;
}

/**
 * The lifecycle event bus (see docs/events.md), and an example rule that sends `task.completed`
 * and `task.failed` to a log group. Add your own rules on {@link bus}; grant publishing with
 * {@link bindEvents}.
 */
export class LifecycleEvents extends Construct {
  /** The custom bus the functions publish to. */
  readonly bus: EventBus;
  /** Receives the example rule's events; named `/aws/events/…` as EventBridge requires. */
  readonly logGroup: LogGroup;
  /** `task.completed` and `task.failed` from source `assent` → {@link logGroup}. */
  readonly exampleRule: Rule;

  constructor(scope: Construct, id: string, props: LifecycleEventsProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { description: 'Assent task lifecycle events (docs/events.md)' });
    this.logGroup = this.createLogGroup(props.logRetention);
    this.exampleRule = this.createExampleRule();
    this.allowRuleToWriteLogs();
  }

  /** Lets `fn` publish: sets `ASSENT_EVENT_BUS_NAME` and grants `events:PutEvents` on this bus only. */
  bindEvents(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.eventBusName, this.bus.eventBusName);
    fn.addToRolePolicy(new PolicyStatement({ actions: ['events:PutEvents'], resources: [this.bus.eventBusArn] }));
  }

  /** Named, so it is destroyed with the stack: a retained one would block the next deployment of the same stack. */
  private createLogGroup(retention: RetentionDays): LogGroup {
    return new LogGroup(this, 'ExampleLogGroup', {
      logGroupName: `/aws/events/${Stack.of(this).stackName}-${this.node.id}`,
      retention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  private createExampleRule(): Rule {
    const rule = new Rule(this, 'ExampleRule', {
      eventBus: this.bus,
      description: 'Example: completed and failed tasks, to a log group',
      eventPattern: { source: [EVENT_SOURCE], detailType: [...EXAMPLE_RULE_DETAIL_TYPES] },
    });
    rule.addTarget(this.logGroupTarget());
    return rule;
  }

  /**
   * The log group as a target, without `aws-events-targets`' CloudWatchLogGroup: that one writes the
   * log group's resource policy through a custom-resource Lambda; here it is a plain
   * `AWS::Logs::ResourcePolicy` (see {@link allowRuleToWriteLogs}).
   */
  private logGroupTarget(): IRuleTarget {
    const arn = Stack.of(this).formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: this.logGroup.logGroupName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    return { bind: () => ({ arn, targetResource: this.logGroup }) };
  }

  /** EventBridge writes to the log group only on behalf of the example rule. */
  private allowRuleToWriteLogs(): void {
    new ResourcePolicy(this, 'ExampleLogGroupPolicy', {
      policyStatements: [
        new PolicyStatement({
          principals: [new ServicePrincipal('events.amazonaws.com'), new ServicePrincipal('delivery.logs.amazonaws.com')],
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
          conditions: { ArnEquals: { 'aws:SourceArn': this.exampleRule.ruleArn } },
        }),
      ],
    });
  }
}
