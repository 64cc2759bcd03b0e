// Validates responses against TEI's published OpenAPI document (tests/fixtures/tei/).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';

const doc = JSON.parse(readFileSync(new URL('../../fixtures/tei/openapi.json', import.meta.url), 'utf8'));
// OpenAPI 3.0 schemas: `nullable` is an Ajv keyword; `example` and the int32/float formats are not checked.
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema(doc, 'tei');

const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

/** Asserts `body` is what TEI's document allows for `method path` answering `status`. */
export function assertTeiResponse(method: 'get' | 'post', path: string, status: number, body: unknown): void {
  const op = doc.paths[path]?.[method];
  assert.ok(op, `TEI's OpenAPI document has no ${method.toUpperCase()} ${path}`);
  const documented = op.responses[String(status)]?.content?.['application/json']?.schema;
  assert.ok(documented || status >= 400, `TEI documents no ${status} for ${method.toUpperCase()} ${path}`);
  const ref = documented
    ? `tei#/${pointer('paths', path, method, 'responses', String(status), 'content', 'application/json', 'schema')}`
    : 'tei#/components/schemas/ErrorResponse';
  const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
  assert.ok(
    validate(body),
    `${method.toUpperCase()} ${path} ${status} does not match TEI's schema: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 400)}`,
  );
}
