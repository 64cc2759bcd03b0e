// schema.json, loaded once, for everything that derives from it.
import { readFileSync } from 'node:fs';

export interface PropertySchema {
  title?: string;
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
  description?: string;
  default?: unknown;
  enum?: string[];
  /** Alternatives (an output whose shape an input chooses). */
  anyOf?: PropertySchema[];
  /** OpenAPI 3.0's "byte": a base64 string. */
  format?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: PropertySchema;
  properties?: Record<string, PropertySchema>;
  additionalProperties?: boolean | PropertySchema;
  required?: string[];
  'x-order'?: number;
}

export interface ObjectSchema extends PropertySchema {
  type: 'object';
  properties: Record<string, PropertySchema>;
  required: string[];
}

const schemaUrl = new URL('../../schema.json', import.meta.url);
const schema = JSON.parse(readFileSync(schemaUrl, 'utf8')) as { Input: ObjectSchema; Output: ObjectSchema };

export const inputSchema: ObjectSchema = schema.Input;
export const outputSchema: ObjectSchema = schema.Output;

/** Input property names in x-order. */
export const inputNames: string[] = Object.entries(inputSchema.properties)
  .sort(([, a], [, b]) => (a['x-order'] ?? 0) - (b['x-order'] ?? 0))
  .map(([name]) => name);
