import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ENV } from '../../functions/env-names.ts';
import { acknowledgeWildcardResource, defaultPolicyOf } from './nag.ts';

/** Callback actions; IAM accepts them on `*` only (no resource type is defined for them). */
export const TASK_RESPONSE_ACTIONS = ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'] as const;
/** Actions on the executions of the state machine. */
export const EXECUTION_ACTIONS = ['states:StopExecution', 'states:DescribeExecution'] as const;

export interface TaskWorkflowProps {
  /** Absolute path of the ASL file (`stepfunctions/task-workflow.asl.json`). */
  readonly definitionFile: string;
  /** The function every Task state invokes; its ARN replaces `${StepsFunctionArn}`. */
  readonly stepsFunction: IFunction;
  /** Retention of the state machine's log group. */
  readonly logRetention: RetentionDays;
}

/**
 * The Standard state machine, loaded from the ASL file with `DefinitionBody.fromFile` and its
 * placeholders substituted by CloudFormation. Logs every event, without execution data (inputs,
 * outputs and error causes stay out of the logs), and traces with X-Ray.
 */
export class TaskWorkflow extends Construct {
  /** Placeholders of the ASL file and their values; test/infra compares the keys with the file. */
  readonly definitionSubstitutions: Readonly<Record<string, string>>;
  /** The state machine. */
  readonly stateMachine: StateMachine;
  /**
   * Its log group, named under /aws/vendedlogs/ so that log delivery does not grow the account's
   * CloudWatch Logs resource policy. Named, so it is destroyed with the stack: a retained one
   * would block the next deployment of a stack of the same name.
   */
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: TaskWorkflowProps) {
    super(scope, id);
    this.definitionSubstitutions = { StepsFunctionArn: props.stepsFunction.functionArn };
    this.logGroup = this.createLogGroup(props.logRetention);
    this.stateMachine = this.createStateMachine(props.definitionFile);
    this.grantInvokeSteps(props.stepsFunction);
    this.acknowledgeServiceGrants();
  }

  /**
   * Lets `fn` drive executions: sets `ASSENT_STATE_MACHINE_ARN`, grants StartExecution on the
   * state machine, StopExecution/DescribeExecution on its executions, and the task-token callbacks.
   */
  bindStateMachine(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.stateMachineArn, this.stateMachine.stateMachineArn);
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachine.stateMachineArn] }),
    );
    const executions = this.executionArns();
    fn.addToRolePolicy(new PolicyStatement({ actions: [...EXECUTION_ACTIONS], resources: [executions] }));
    acknowledgeWildcardResource(
      defaultPolicyOf(fn),
      executions,
      'Executions are named by task id at run time, so StopExecution/DescribeExecution are granted on the executions of this one state machine (execution:<name>:*), not on any other.',
    );
    this.grantTaskResponse(fn);
  }

  /**
   * Lets `fn` start and read executions, nothing else (the outbox, the reconciler): sets
   * `ASSENT_STATE_MACHINE_ARN`, grants StartExecution on the state machine and DescribeExecution on
   * its executions (whether one runs; and, when a start finds one of its name, whether it has the same input).
   */
  bindStarter(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.stateMachineArn, this.stateMachine.stateMachineArn);
    fn.addToRolePolicy(new PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachine.stateMachineArn] }));
    const executions = this.executionArns();
    fn.addToRolePolicy(new PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executions] }));
    acknowledgeWildcardResource(
      defaultPolicyOf(fn),
      executions,
      'Executions are named by task id at run time, so DescribeExecution is granted on the executions of this one state machine (execution:<name>:*), not on any other.',
    );
  }

  /**
   * Lets `fn` answer task tokens (SendTaskSuccess/Failure/Heartbeat) without knowing the state
   * machine: the steps function gets only this, since giving it the state machine's ARN would make
   * the state machine (which references the function) and the function depend on each other.
   */
  grantTaskResponse(fn: LambdaFunction): void {
    fn.addToRolePolicy(new PolicyStatement({ actions: [...TASK_RESPONSE_ACTIONS], resources: ['*'] }));
    acknowledgeWildcardResource(
      defaultPolicyOf(fn),
      '*',
      'states:SendTaskSuccess/SendTaskFailure/SendTaskHeartbeat support no resource-level permissions (the Service Authorization Reference lists no resource type), so they are granted on "*"; a caller still needs a task token issued by this state machine.',
    );
  }

  /** `arn:…:execution:<state machine name>:*`: executions are named by task id, unknown in advance. */
  private executionArns(): string {
    return Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${this.stateMachine.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  private createLogGroup(retention: RetentionDays): LogGroup {
    return new LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-${this.node.id}`,
      retention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  private createStateMachine(definitionFile: string): StateMachine {
    return new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromFile(definitionFile),
      definitionSubstitutions: { ...this.definitionSubstitutions },
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: false },
    });
  }

  /** Exactly the steps function (unqualified ARN, as the ASL names it): no versions, no aliases. */
  private grantInvokeSteps(steps: IFunction): void {
    this.stateMachine.addToRolePolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [steps.functionArn] }));
  }

  private acknowledgeServiceGrants(): void {
    const policy = this.stateMachine.role.node.tryFindChild('DefaultPolicy');
    if (!policy) return;
    acknowledgeWildcardResource(
      policy,
      '*',
      'Added by CDK for logging and tracing: the CloudWatch Logs log-delivery actions (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) and xray:PutTraceSegments/PutTelemetryRecords/GetSamplingRules/GetSamplingTargets support no resource-level permissions, as the Step Functions logging and X-Ray guides state.',
    );
  }
}
