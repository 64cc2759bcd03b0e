// /openapi.json in Cog's layout, generated from schema.json: the Input and
// Output components come from the schema; the envelope (requests, responses,
// statuses, validation errors, paths) is Cog's Python server's.
import { inputSchema, outputSchema, type ObjectSchema } from '../../api/schema.ts';
import { WEBHOOK_EVENTS } from '../types.ts';

type Json = Record<string, unknown>;

/**
 * The document /openapi.json serves. With `bearer` (API keys are on), the
 * routes that need a key declare the HTTP bearer scheme; the version hash is
 * computed without it, so turning keys on does not make a new model version.
 */
export function buildOpenApiSchema(opts: { bearer?: boolean } = {}): Json {
  const doc = baseDocument();
  return opts.bearer ? withBearer(doc) : doc;
}

const BEARER = 'HTTPBearer';
/** Paths whose every operation needs a key when keys are on (the guard in app.ts). */
const KEYED_PATHS = ['/predictions', '/predictions/{prediction_id}', '/predictions/{prediction_id}/cancel', '/shutdown'];

function withBearer(doc: Json): Json {
  const components = doc.components as Json;
  components.securitySchemes = { [BEARER]: { type: 'http', scheme: 'bearer', description: 'An API key from API_KEYS or API_KEYS_FILE.' } };
  const paths = doc.paths as Record<string, Record<string, Json>>;
  for (const p of KEYED_PATHS) {
    for (const op of Object.values(paths[p])) {
      op.security = [{ [BEARER]: [] }];
      op.responses = { ...(op.responses as Json), '401': { description: 'Missing or invalid API key' } };
    }
  }
  return doc;
}

function baseDocument(): Json {
  return {
    openapi: '3.0.2',
    info: { title: 'Cog', version: '0.1.0' },
    paths: paths(),
    components: {
      schemas: {
        Input: inputComponent(inputSchema),
        ...choiceComponents(inputSchema),
        Output: { ...structuredClone(outputSchema), title: 'Output' },
        PredictionRequest: predictionRequest(),
        PredictionResponse: predictionResponse(),
        Status: enumeration('Status', ['starting', 'processing', 'succeeded', 'canceled', 'failed']),
        WebhookEvent: enumeration('WebhookEvent', [...WEBHOOK_EVENTS]),
        HTTPValidationError: {
          title: 'HTTPValidationError',
          type: 'object',
          properties: { detail: { title: 'Detail', type: 'array', items: ref('ValidationError') } },
        },
        ValidationError: {
          title: 'ValidationError',
          type: 'object',
          required: ['loc', 'msg', 'type'],
          properties: {
            loc: { title: 'Location', type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'integer' }] } },
            msg: { title: 'Message', type: 'string' },
            type: { title: 'Error Type', type: 'string' },
          },
        },
      },
    },
  };
}

/**
 * Cog's Input: every property titled and numbered by `x-order` (its position
 * when the schema gives none); a property with choices refers to its own
 * enumeration component, as Cog writes `Input(choices=[...])`.
 */
function inputComponent(schema: ObjectSchema): Json {
  const copy = structuredClone(schema) as ObjectSchema;
  const properties: Record<string, Json> = {};
  Object.entries(copy.properties).forEach(([name, prop], i) => {
    prop['x-order'] ??= i;
    if (prop.enum) {
      const { default: dflt, description, 'x-order': order } = prop;
      properties[name] = { allOf: [ref(name)], ...(dflt !== undefined && { default: dflt }), ...(description && { description }), 'x-order': order };
    } else {
      properties[name] = { ...prop, title: prop.title ?? titleCase(name) };
    }
  });
  const out: Json = { ...copy, properties, title: 'Input', type: 'object' };
  if (!copy.required?.length) delete out.required;
  return out;
}

/** One `{title, description: "An enumeration.", enum, type}` component per input with choices, named as the input. */
function choiceComponents(schema: ObjectSchema): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [name, prop] of Object.entries(schema.properties)) {
    if (prop.enum) out[name] = { title: name, description: 'An enumeration.', enum: [...prop.enum], type: prop.type ?? 'string' };
  }
  return out;
}

function titleCase(name: string): string {
  return name
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

const dateTime = (title: string): Json => ({ title, type: 'string', format: 'date-time' });

function predictionRequest(): Json {
  return {
    title: 'PredictionRequest',
    type: 'object',
    properties: {
      input: ref('Input'),
      id: { title: 'Id', type: 'string' },
      created_at: dateTime('Created At'),
      context: { title: 'Context', type: 'object', additionalProperties: { type: 'string' } },
      output_file_prefix: { title: 'Output File Prefix', type: 'string' },
      webhook: { title: 'Webhook', type: 'string', format: 'uri', minLength: 1, maxLength: 65536 },
      webhook_events_filter: { type: 'array', items: ref('WebhookEvent'), default: [...WEBHOOK_EVENTS] },
    },
  };
}

function predictionResponse(): Json {
  return {
    title: 'PredictionResponse',
    type: 'object',
    properties: {
      input: ref('Input'),
      output: ref('Output'),
      id: { title: 'Id', type: 'string' },
      version: { title: 'Version', type: 'string' },
      created_at: dateTime('Created At'),
      started_at: dateTime('Started At'),
      completed_at: dateTime('Completed At'),
      logs: { title: 'Logs', type: 'string', default: '' },
      error: { title: 'Error', type: 'string' },
      status: ref('Status'),
      metrics: { title: 'Metrics', type: 'object' },
    },
  };
}

function enumeration(title: string, values: string[]): Json {
  return { title, description: 'An enumeration.', type: 'string', enum: values };
}

function ref(name: string): Json {
  return { $ref: `#/components/schemas/${name}` };
}

function jsonContent(schema: Json): Json {
  return { 'application/json': { schema } };
}

function ok(schema: Json): Json {
  return { '200': { description: 'Successful Response', content: jsonContent(schema) } };
}

const validationError: Json = { '422': { description: 'Validation Error', content: jsonContent(ref('HTTPValidationError')) } };
const preferHeader: Json = { in: 'header', name: 'prefer', required: false, schema: { title: 'Prefer', type: 'string' } };
const idParam: Json = { in: 'path', name: 'prediction_id', required: true, schema: { title: 'Prediction ID', type: 'string' } };

function paths(): Json {
  return {
    '/': { get: { summary: 'Root', operationId: 'root__get', responses: ok({ title: 'Response Root  Get' }) } },
    '/health-check': {
      get: { summary: 'Healthcheck', operationId: 'healthcheck_health_check_get', responses: ok({ title: 'Response Healthcheck Health Check Get' }) },
    },
    '/predictions': {
      post: {
        summary: 'Predict',
        description: 'Run a single prediction on the model',
        operationId: 'predict_predictions_post',
        parameters: [preferHeader],
        requestBody: { content: jsonContent(ref('PredictionRequest')) },
        responses: { ...ok(ref('PredictionResponse')), ...validationError },
      },
    },
    '/predictions/{prediction_id}': {
      put: {
        summary: 'Predict Idempotent',
        description: 'Run a single prediction on the model (idempotent creation).',
        operationId: 'predict_idempotent_predictions__prediction_id__put',
        parameters: [idParam, preferHeader],
        requestBody: { required: true, content: jsonContent({ title: 'Prediction Request', allOf: [ref('PredictionRequest')] }) },
        responses: { ...ok(ref('PredictionResponse')), ...validationError },
      },
    },
    '/predictions/{prediction_id}/cancel': {
      post: {
        summary: 'Cancel',
        description: 'Cancel a running prediction',
        operationId: 'cancel_predictions__prediction_id__cancel_post',
        parameters: [idParam],
        responses: { ...ok({ title: 'Response Cancel Predictions  Prediction Id  Cancel Post' }), ...validationError },
      },
    },
    '/shutdown': {
      post: { summary: 'Start Shutdown', operationId: 'start_shutdown_shutdown_post', responses: ok({ title: 'Response Start Shutdown Shutdown Post' }) },
    },
  };
}
