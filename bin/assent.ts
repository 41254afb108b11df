#!/usr/bin/env node
/**
 * The CDK app: reads the `assent` context of cdk.json (zod-checked, see lib/config.ts), creates
 * the stack and runs the cdk-nag AWS Solutions checks on every synth. Offline-safe: no lookups;
 * the stack is environment-agnostic unless the CLI provides an account and region.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AssentStack } from '../lib/assent-stack.ts';
import { AssentConfigError, CONFIG_CONTEXT_KEY, parseAssentConfig } from '../lib/config.ts';

const app = new App();

try {
  const config = parseAssentConfig(app.node.tryGetContext(CONFIG_CONTEXT_KEY));
  new AssentStack(app, 'Assent', {
    config,
    description: 'Assent: approval workflows (tasks, admin approval, emailed one-time tokens)',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
} catch (error) {
  if (!(error instanceof AssentConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
