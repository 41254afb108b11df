import { Duration, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  ApiMapping,
  CorsHttpMethod,
  type CorsPreflightOptions,
  DomainName,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
  SecurityPolicy,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Function as LambdaFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../functions/env-names.ts';
import { type RouteDefinition, routeKey } from '../../functions/http/routes.ts';
import { acknowledge } from './nag.ts';

/**
 * The bearer tokens API Gateway accepts on `auth: 'jwt'` routes (and the handlers verify elsewhere):
 * the stack-created user pool's (`AssentIdentity.jwtSettings()`), or those the config names.
 */
export interface JwtSettings {
  /** `iss` of the tokens, exactly as the identity provider writes it (`https://cognito-idp.<region>.amazonaws.com/<poolId>`). */
  readonly issuer: string;
  /** Accepted `aud` (or Cognito `client_id`) values. */
  readonly audience: readonly string[];
  /** The issuer's JSON Web Key Set. */
  readonly jwksUrl: string;
  /** The claim holding the caller's roles. */
  readonly rolesClaim: string;
}

/** Access log line of the HTTP API (HTTP API `$context` variables only). */
export const ACCESS_LOG_FORMAT = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
} as const;

/** Request headers the handlers read besides the ones browsers always send. */
export const CORS_ALLOW_HEADERS = ['authorization', 'content-type', 'idempotency-key', 'if-match'] as const;
/** Response headers a cross-origin page may read. */
export const CORS_EXPOSE_HEADERS = ['location', 'retry-after', 'idempotent-replayed'] as const;

/** A custom domain in front of the API. */
export interface CustomDomain {
  /** The domain name (`assent.example.com`). */
  readonly domainName: string;
  /** An ACM certificate for it, in the stack's region. */
  readonly certificateArn: string;
}

export interface AssentHttpApiProps {
  /** The function behind every route. */
  readonly handler: IFunction;
  /** The routes, as data (`functions/http/routes.ts`). */
  readonly routes: readonly RouteDefinition[];
  /** Issuer and audience of the JWT authorizer on `auth: 'jwt'` routes. */
  readonly jwt: JwtSettings;
  /** Retention of the access log group. */
  readonly logRetention: RetentionDays;
  /**
   * Throttling of the default stage (every route).
   * @default - rate 50 requests per second, burst 100
   */
  readonly throttle?: ThrottleSettings;
  /**
   * Origins whose pages may call the API from a browser (API Gateway answers the preflights and
   * adds the CORS headers): the methods of `routes`, the headers the handlers read, no cookies
   * (bearer tokens only). The approval and token pages are served by the API itself and need none.
   * @default - no CORS
   */
  readonly corsOrigins?: readonly string[];
  /**
   * A custom domain (regional, TLS 1.2) mapped to the `$default` stage; point its DNS at
   * {@link AssentHttpApi.domainName}'s `regionalDomainName`.
   * @default - none: the execute-api endpoint only
   */
  readonly customDomain?: CustomDomain;
}

/**
 * The HTTP API: one Lambda integration, one route per entry of `routes`, a JWT authorizer on the
 * `auth: 'jwt'` routes (and explicitly none on the others), a `$default` route to the same function
 * for everything else (its 404 problem instead of API Gateway's `{"message":"Not Found"}`), and a
 * throttled `$default` stage with access logs.
 */
export class AssentHttpApi extends Construct {
  /** The API. */
  readonly api: HttpApi;
  /** Its `$default` stage. */
  readonly stage: HttpStage;
  /** The JWT authorizer attached to the `auth: 'jwt'` routes. */
  readonly jwtAuthorizer: HttpJwtAuthorizer;
  /** Routes by route key (`GET /v1/tasks/{id}`). */
  readonly routes: ReadonlyMap<string, HttpRoute>;
  /** The `$default` route: requests no route matches, by path or method, answered by the handler (404). */
  readonly defaultRoute: HttpRoute;
  /** The access log group. */
  readonly accessLogGroup: LogGroup;
  /** `https://<id>.execute-api.<region>.amazonaws.com` (no trailing slash). */
  readonly url: string;
  /** The custom domain, when one is configured. */
  readonly domainName?: DomainName;
  private readonly jwt: JwtSettings;

  constructor(scope: Construct, id: string, props: AssentHttpApiProps) {
    super(scope, id);
    this.jwt = props.jwt;
    this.api = new HttpApi(this, 'Api', {
      apiName: `${Stack.of(this).stackName}-api`,
      createDefaultStage: false,
      ...(props.corsOrigins?.length ? { corsPreflight: corsFor(props.corsOrigins, props.routes) } : {}),
    });
    this.accessLogGroup = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.stage = this.createStage(props.throttle ?? { rateLimit: 50, burstLimit: 100 });
    this.jwtAuthorizer = new HttpJwtAuthorizer('JwtAuthorizer', props.jwt.issuer, { jwtAudience: [...props.jwt.audience] });
    const integration = new HttpLambdaIntegration('Handler', props.handler);
    this.routes = this.addRoutes(integration, props.routes);
    this.defaultRoute = this.addDefaultRoute(integration);
    this.url = this.api.apiEndpoint;
    if (props.customDomain) this.domainName = this.mapCustomDomain(props.customDomain);
  }

  /** Sets `ASSENT_PUBLIC_URL`: the base of links in emails. No grant: the URL is public. */
  bindPublicUrl(fn: LambdaFunction, publicUrl: string = this.url): void {
    fn.addEnvironment(ENV.publicUrl, publicUrl);
  }

  /**
   * Sets what the handler needs to verify a bearer token itself (optional tokens on `auth: 'none'`
   * routes, roles on all): issuer, audience, JWKS URL, roles claim. No grant: the JWKS is public.
   */
  bindJwtSettings(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.jwtIssuer, this.jwt.issuer);
    fn.addEnvironment(ENV.jwtAudience, this.jwt.audience.join(','));
    fn.addEnvironment(ENV.jwksUrl, this.jwt.jwksUrl);
    fn.addEnvironment(ENV.rolesClaim, this.jwt.rolesClaim);
  }

  private createStage(throttle: ThrottleSettings): HttpStage {
    return new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FORMAT)),
      },
    });
  }

  private addRoutes(integration: HttpLambdaIntegration, routes: readonly RouteDefinition[]): Map<string, HttpRoute> {
    const none = new HttpNoneAuthorizer();
    const byKey = new Map<string, HttpRoute>();
    for (const route of routes) {
      const key = routeKey(route);
      if (byKey.has(key)) throw new Error(`functions/http/routes.ts lists ${key} twice; route keys must be unique.`);
      const authorizer: IHttpRouteAuthorizer = route.auth === 'jwt' ? this.jwtAuthorizer : none;
      const httpRoute = new HttpRoute(this, `Route${key.replace(/[^A-Za-z0-9]/g, '')}`, {
        httpApi: this.api,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration,
        authorizer,
      });
      if (route.auth === 'none') {
        acknowledge(
          httpRoute,
          'AwsSolutions-APIG4',
          `${key} is public by design (${route.summary}): callers are anonymous requesters or hold a one-time secret in the path, which the handler checks (hashed, expiring, single use); an optional bearer token is verified by the handler.`,
        );
      }
      byKey.set(key, httpRoute);
    }
    return byKey;
  }

  /** The domain (its certificate imported by ARN, so synth stays offline) and its mapping to `$default`. */
  private mapCustomDomain(domain: CustomDomain): DomainName {
    const domainName = new DomainName(this, 'DomainName', {
      domainName: domain.domainName,
      certificate: Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
      securityPolicy: SecurityPolicy.TLS_1_2,
    });
    new ApiMapping(this, 'ApiMapping', { api: this.api, domainName, stage: this.stage });
    return domainName;
  }

  /** Without it, API Gateway itself answers unknown routes, with `{"message":"Not Found"}`. */
  private addDefaultRoute(integration: HttpLambdaIntegration): HttpRoute {
    const route = new HttpRoute(this, 'RouteDefault', {
      httpApi: this.api,
      routeKey: HttpRouteKey.DEFAULT,
      integration,
      authorizer: new HttpNoneAuthorizer(),
    });
    acknowledge(
      route,
      'AwsSolutions-APIG4',
      '$default only receives requests that match no route; the handler answers every one of them with a 404 problem (type not-found) and reads nothing, so there is nothing to authorize.',
    );
    return route;
  }
}

/** CORS for `origins`: the methods the routes use, the headers the handlers read, for an hour. */
function corsFor(origins: readonly string[], routes: readonly RouteDefinition[]): CorsPreflightOptions {
  const methods = [...new Set(routes.map((route) => route.method))].sort();
  return {
    allowOrigins: [...origins],
    allowMethods: [...methods.map((method) => CorsHttpMethod[method]), CorsHttpMethod.OPTIONS],
    allowHeaders: [...CORS_ALLOW_HEADERS],
    exposeHeaders: [...CORS_EXPOSE_HEADERS],
    allowCredentials: false,
    maxAge: Duration.hours(1),
  };
}
