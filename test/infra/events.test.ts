import { actionsOf, getAttOf, logicalIdOf, refOf, type Statement, type Synthesized, statementsOf, synthesize } from './fixtures.ts';

let synthesized: Synthesized;
beforeAll(() => {
  synthesized = synthesize();
});

const putEventsOf = (statements: Statement[]) => statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('events:')));

describe('LifecycleEvents', () => {
  it('creates one custom event bus', () => {
    // Prepare
    const { template } = synthesized;

    // Act
    const buses = Object.values(template.findResources('AWS::Events::EventBus'));

    // Assess
    expect(buses).toHaveLength(1);
    expect(buses[0]?.Properties).toStrictEqual({ Name: 'AssentEventsBusB8A35A4D', Description: 'Assent task lifecycle events (docs/events.md)' });
  });

  it('has an example rule on the bus for task.completed and task.failed from assent, to its log group', () => {
    // Prepare
    const { template, stack } = synthesized;

    // Act
    const rules = Object.values(template.findResources('AWS::Events::Rule', { Properties: { EventBusName: refOf(stack.events.bus) } }));

    // Assess
    expect(rules).toHaveLength(1);
    expect(rules[0]?.Properties.EventBusName).toStrictEqual(refOf(stack.events.bus));
    expect(rules[0]?.Properties.EventPattern).toStrictEqual({ source: ['assent'], 'detail-type': ['task.completed', 'task.failed'] });
    expect(rules[0]?.Properties.State).toBe('ENABLED');
    expect(rules[0]?.Properties.Targets).toStrictEqual([
      {
        Id: 'Target0',
        Arn: {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':log-group:', refOf(stack.events.logGroup)],
          ],
        },
      },
    ]);
  });

  it('keeps the example log group under /aws/events/ for logRetentionDays, writable by that rule only', () => {
    // Prepare
    const { template, stack } = synthesize({ logRetentionDays: 14 });

    // Act
    const group = template.findResources('AWS::Logs::LogGroup')[logicalIdOf(stack.events.logGroup)];
    const policies = Object.values(template.findResources('AWS::Logs::ResourcePolicy'));

    // Assess
    expect(group?.Properties).toStrictEqual({ LogGroupName: '/aws/events/Assent-Events', RetentionInDays: 14 });
    expect(policies).toHaveLength(1);
    expect(policies[0]?.Properties.PolicyDocument).toStrictEqual({
      'Fn::Join': [
        '',
        [
          '{"Statement":[{"Action":["logs:CreateLogStream","logs:PutLogEvents"],"Condition":{"ArnEquals":{"aws:SourceArn":"',
          getAttOf(stack.events.exampleRule, 'Arn'),
          '"}},"Effect":"Allow","Principal":{"Service":["events.amazonaws.com","delivery.logs.amazonaws.com"]},"Resource":"',
          getAttOf(stack.events.logGroup, 'Arn'),
          '"}],"Version":"2012-10-17"}',
        ],
      ],
    });
  });

  it.each(['http', 'steps'] as const)('grants the %s function events:PutEvents on the bus ARN only', (name) => {
    // Prepare
    const { template, stack } = synthesized;

    // Act
    const statements = putEventsOf(statementsOf(template, stack.handlers[name].role));

    // Assess
    expect(statements).toStrictEqual([{ Effect: 'Allow', Action: 'events:PutEvents', Resource: getAttOf(stack.events.bus, 'Arn') }]);
  });
});
