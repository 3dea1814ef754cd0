import { z } from 'zod';
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError } from '../lib/errors.ts';

/** The one error body every route returns: a stable code clients branch on, and field details. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ field: z.string().optional(), row: z.number().optional(), value: z.unknown().optional(), message: z.string() })),
    requestId: z.string(),
  }),
});

export const errorResponses = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody } as const;

export const registerErrorHandler = (app: FastifyInstance): void => {
  app.setErrorHandler((err: FastifyError | AppError | Error, req, reply) => {
    const send = (status: number, code: string, message: string, details: { field?: string; row?: number; value?: unknown; message: string }[] = []) =>
      reply.status(status).send({ error: { code, message, details, requestId: req.id } });
    if (err instanceof AppError) return send(err.status, err.code, err.message, err.details);
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = (err as FastifyError).validationContext ?? 'body';
      const details = err.validation.map((v) => {
        const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
        return { field: path ? `${where}.${path}` : where, message: v.message ?? 'invalid' };
      });
      return send(400, 'REQUEST.INVALID', `the request ${where} is invalid: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
    }
    if (isResponseSerializationError(err)) {
      req.log.error({ err: { message: err.message } }, 'response did not match its schema');
      return send(500, 'INTERNAL', 'internal error');
    }
    const fe = err as FastifyError;
    if (fe.statusCode && fe.statusCode < 500) {
      const code = fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'REQUEST.UNSUPPORTED_MEDIA_TYPE' : fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'REQUEST.TOO_LARGE' : fe.statusCode === 429 ? 'RATE_LIMITED' : 'REQUEST.INVALID';
      return send(fe.statusCode, code, fe.message);
    }
    // Unexpected: log the message and stack only; request bodies (debtor data) never reach logs.
    req.log.error({ err: { message: err.message, stack: err.stack } }, 'unhandled error');
    return send(500, 'INTERNAL', 'internal error');
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({ error: { code: 'ROUTE.NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}`, details: [], requestId: req.id } });
  });
};
