import { type z } from 'zod';

// The pieces every part of the OpenAPI document is written with.
export type SchemaOf = (schema: z.ZodType, io: 'input' | 'output') => Record<string, unknown>;

export const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });
export const json = (description: string, schema: string): Record<string, unknown> => ({ description, content: { 'application/json': { schema: ref(schema) } } });
export const error = (description: string): Record<string, unknown> => json(description, 'Error');
export const body = (schema: string, required = true): Record<string, unknown> => ({ required, content: { 'application/json': { schema: ref(schema) } } });
export const unauthorized = { '401': error('missing or wrong bearer token') };
