import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import { ClientError, TransientError, ValidationError } from '#core/errors';
import { logger } from '../logger.ts';
import { prefersHtml } from './body.ts';
import type { HttpEvent, HttpResponse } from './http-types.ts';
import { messagePage } from './pages.ts';
import { linkErrorPage, linkKindOf } from './pages/link-error-page.ts';
import { html, linkHtml, problem } from './responses.ts';
import { traceHttp } from './tracing.ts';

const PROBLEM_BASE = 'https://assent.dev/problems/';

/**
 * Maps any error to a response, in exactly one place: client errors become RFC 9457 problems
 * (or an HTML page for browsers); transient ones 503; anything else a generic 500 whose cause is
 * logged, never sent.
 */
export function toErrorResponse(error: unknown, event: HttpEvent): HttpResponse {
  const instance = event.rawPath;
  const wantsHtml = prefersHtml(event.headers?.accept);
  if (error instanceof ClientError) {
    const retryAfter: Record<string, string> = error.retryAfterSeconds === undefined ? {} : { 'retry-after': String(error.retryAfterSeconds) };
    const answer = clientErrorResponse(error, instance, wantsHtml);
    return { ...answer, headers: { ...answer.headers, ...retryAfter } };
  }
  if (error instanceof TransientError) {
    logger.warn('Transient failure', { error });
    const detail = 'The service is busy; try again in a moment.';
    const retryAfter = { 'retry-after': String(error.retryAfterSeconds) };
    if (wantsHtml) {
      const page = html(error.status, messagePage('Try again', detail));
      return { ...page, headers: { ...page.headers, ...retryAfter } };
    }
    const answer = problem(error.status, { type: `${PROBLEM_BASE}unavailable`, title: 'Service unavailable', status: error.status, detail, instance });
    return { ...answer, headers: { ...answer.headers, ...retryAfter } };
  }
  logger.error('Unhandled error', { error });
  const detail = 'Something went wrong on our side. It has been logged; try again later.';
  if (wantsHtml) return html(500, messagePage('Something went wrong', detail));
  return problem(500, { type: `${PROBLEM_BASE}internal`, title: 'Internal error', status: 500, detail, instance });
}

function clientErrorResponse(error: ClientError, instance: string, wantsHtml: boolean): HttpResponse {
  // An emailed link's page says what happened to the link and what to do next; other pages, the error.
  const link = linkKindOf(instance);
  if (wantsHtml && link) return linkHtml(error.status, linkErrorPage(error, link));
  if (wantsHtml) return html(error.status, messagePage(error.title, error.message));
  return problem(error.status, {
    ...error.extensions,
    type: `${PROBLEM_BASE}${error.type}`,
    title: error.title,
    status: error.status,
    detail: error.message,
    instance,
    ...(error instanceof ValidationError ? { errors: error.errors } : {}),
  });
}

/**
 * The one middleware stack for HTTP handlers: tracer → logger → header normalizer → handler; errors
 * mapped last (so the tracer sees whether an error was answered as a 4xx).
 */
export function withHttp(handler: (event: HttpEvent, context: Context) => Promise<HttpResponse>, tracer: Tracer) {
  return middy<HttpEvent, HttpResponse>()
    .use(traceHttp(tracer))
    // Never the event, even with POWERTOOLS_LOGGER_LOG_EVENT=true: it holds bearer tokens, one-time
    // secrets in paths and passwords in bodies. The access log records each request by route key.
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(httpHeaderNormalizer())
    .use({
      onError: async (request) => {
        request.response = toErrorResponse(request.error, request.event);
      },
    })
    .handler(handler);
}
