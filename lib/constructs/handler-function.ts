import type { Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeWildcardResource, defaultPolicyOf } from './nag.ts';

/** Lets the ESM bundle load CommonJS dependencies that call `require`. */
export const ESM_REQUIRE_SHIM = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * How every handler is bundled: locally by esbuild (no Docker), minified ESM for node22, template
 * files as text. bench/cold-start.ts builds its bundles from this same object (and refuses options
 * it does not know how to pass to esbuild), so what it measures is what CDK ships.
 */
export const HANDLER_BUNDLING: BundlingOptions = {
  forceDockerBundling: false,
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  format: OutputFormat.ESM,
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_SHIM,
  loader: { '.njk': 'text' },
  // Bundle the AWS SDK too: the versions in package-lock.json are the ones the tests ran.
  externalModules: [],
  // zod without its 64 translated locales (258 KiB that `z.locales` keeps reachable): see the file.
  esbuildArgs: { '--alias:zod': './lib/bundling/zod.mjs' },
  // Source-mapped stack traces, with the map parsed when a stack is first formatted instead of at
  // every cold start (what NODE_OPTIONS=--enable-source-maps costs): see the file.
  inject: ['./lib/bundling/stack-traces.ts'],
};

/**
 * What every handler's environment holds before the resources bound to it add theirs. Responses
 * are never trace metadata: the HTTP function's hold one-time secrets (functions/http/tracing.ts
 * turns it off in code as well), and no function answers with anything a trace needs.
 */
export const handlerEnvironment = (props: Pick<HandlerFunctionProps, 'serviceName' | 'logLevel'> = {}): Record<string, string> => ({
  POWERTOOLS_SERVICE_NAME: props.serviceName ?? 'assent',
  POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
  POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
});

export interface HandlerFunctionProps {
  /** Absolute path of the TypeScript entry file. */
  readonly entry: string;
  /** Absolute path of the project root (holds package.json and package-lock.json). */
  readonly projectRoot: string;
  /** What the function is for (the Lambda description). */
  readonly description: string;
  /** Hard limit of one invocation. */
  readonly timeout: Duration;
  /** Retention of the function's log group. */
  readonly logRetention: RetentionDays;
  /**
   * Name of the exported handler.
   * @default 'handler'
   */
  readonly handler?: string;
  /**
   * Memory (and so CPU) of the function, in MiB.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * `POWERTOOLS_SERVICE_NAME`.
   * @default 'assent'
   */
  readonly serviceName?: string;
  /**
   * `POWERTOOLS_LOG_LEVEL`.
   * @default 'INFO'
   */
  readonly logLevel?: string;
  /**
   * Folders under functions/ whose files the function reads at run time (relative to the module
   * that reads them: `new URL('./console/x', import.meta.url)` from functions/), copied beside the
   * bundle's index.mjs under the same name.
   * @default - none
   */
  readonly assetFolders?: readonly string[];
}

/**
 * One Node.js 22 Lambda on arm64, bundled locally by esbuild as an ES module (no Docker), with
 * active X-Ray tracing (Lambda's own segments; the HTTP and steps functions add Powertools Tracer's
 * subsegments, functions/tracer.ts), logging to its own log group with a retention. Resources are bound to it afterwards
 * by the constructs that own them (`bindTable`, `bindStateMachine`, `bindMailer`...).
 */
export class HandlerFunction extends Construct {
  /** The function. */
  readonly function: NodejsFunction;
  /** Its log group. */
  readonly logGroup: LogGroup;
  /** Its execution role: writes to its own log group only (no AWS managed policy). */
  readonly role: Role;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'LogGroup', { retention: props.logRetention });
    this.role = this.createRole();
    this.function = this.createFunction(props);
    this.acknowledgeTracingGrant();
    this.acknowledgeRuntimePin();
  }

  /**
   * Instead of AWSLambdaBasicExecutionRole (logs:CreateLogGroup and writes to every log group), a
   * role that may only write to this function's log group.
   */
  private createRole(): Role {
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(role);
    return role;
  }

  private createFunction(props: HandlerFunctionProps): NodejsFunction {
    return new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: props.handler ?? 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: `${props.projectRoot}/package-lock.json`,
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      role: this.role,
      environment: handlerEnvironment(props),
      bundling: props.assetFolders?.length ? { ...HANDLER_BUNDLING, commandHooks: copyFolders(props.assetFolders) } : HANDLER_BUNDLING,
    });
  }

  /** AwsSolutions-L1 wants the newest runtime CDK knows (nodejs24.x); the runtime is pinned. */
  private acknowledgeRuntimePin(): void {
    acknowledge(
      this.function,
      'AwsSolutions-L1',
      'Pinned on purpose to nodejs22.x, a supported Lambda runtime: the bundles are built for target node22 and the tests run on Node 22 too (the devDependency node@22). Move runtime and esbuild target to nodejs24.x together, after the test suite runs on Node 24.',
    );
  }

  /** Active tracing adds `xray:PutTraceSegments`/`PutTelemetryRecords` on `*` to the role. */
  private acknowledgeTracingGrant(): void {
    acknowledgeWildcardResource(
      defaultPolicyOf(this.function),
      '*',
      'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions (the Service Authorization Reference lists no resource type), so they are granted on "*".',
    );
  }
}

/** Bundling hooks that copy `functions/<folder>` to `<bundle>/<folder>` after esbuild ran. */
function copyFolders(folders: readonly string[]): NonNullable<BundlingOptions['commandHooks']> {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir, outputDir) => folders.map((folder) => `cp -R "${inputDir}/functions/${folder}" "${outputDir}/${folder}"`),
  };
}

