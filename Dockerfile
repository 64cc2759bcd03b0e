# syntax=docker/dockerfile:1
# BGE-M3 (dense, sparse and ColBERT embeddings) as a Cog-style prediction server.
#
#   docker build -t bge-m3-cog .                      # weights baked into the image (~2.3 GB layer)
#   docker build --build-arg SKIP_WEIGHTS=1 -t bge-m3-cog:no-weights .
#   docker run -p 5000:5000 bge-m3-cog
#   docker run -p 5000:5000 -v /models/bge-m3:/weights:ro -e BGE_M3_WEIGHTS=/weights bge-m3-cog:no-weights
#
# A token (only for gated or private mirrors): docker build --secret id=hf_token,env=HF_TOKEN .
# A Hub mirror: --build-arg HF_ENDPOINT=https://mirror.example
# The run.cog.* LABEL lines are generated from cog.yaml and schema.json:
#   node --import tsx tools/docker/sync-labels.ts   (tests/packaging fails when they drift)

ARG NODE_IMAGE=node:20-bookworm-slim

# Production dependencies. onnxruntime-node ships its CPU binaries in the
# package; .npmrc (ignore-scripts=true) keeps its postinstall from fetching CUDA
# ones, and so would the variable (the package's own switch) were scripts on.
FROM ${NODE_IMAGE} AS deps
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
RUN ONNXRUNTIME_NODE_INSTALL=skip npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# The weights, fetched (resumed, verified) by the downloader alone, so editing
# the app does not invalidate this stage and re-download 2.3 GB.
FROM ${NODE_IMAGE} AS weights
ARG SKIP_WEIGHTS=0
ARG HF_ENDPOINT=https://huggingface.co
ARG BGE_M3_REVISION=
WORKDIR /src
COPY --from=deps /src/node_modules ./node_modules
COPY src/engine/weights ./src/engine/weights
COPY src/setting-kinds.ts ./src/setting-kinds.ts
# The command, its progress bar and display, and no other file of src/cli, so
# that CLI edits leave this stage cached (tests/packaging/dockerfile-stages.test.ts
# runs the command from exactly these files).
COPY src/cli/weights-command.ts src/cli/weights-progress.ts src/cli/progress-display.ts ./src/cli/
# A one-line package.json (ES modules for tsx) rather than the project's, whose
# edits would otherwise invalidate this stage.
RUN --mount=type=secret,id=hf_token,required=false \
    echo '{"type":"module"}' > package.json && \
    mkdir -p /weights && \
    if [ "$SKIP_WEIGHTS" = "1" ]; then \
      echo "SKIP_WEIGHTS=1: the image has no weights; mount them at run time and set BGE_M3_WEIGHTS"; \
    else \
      HF_TOKEN="$(cat /run/secrets/hf_token 2>/dev/null || true)" node --import tsx src/cli/weights-command.ts --dir /weights; \
    fi

FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PORT=5000
WORKDIR /src
# Weights first: this layer stays cached while the code below changes. The
# directory belongs to the runtime user so a first start can still download
# into it when the image was built with SKIP_WEIGHTS=1 and nothing is mounted.
COPY --from=weights --chown=node:node /weights ./weights
COPY --from=deps /src/node_modules ./node_modules
COPY package.json package-lock.json .npmrc tsconfig.json cog.yaml schema.json predict.ts cli.ts ./
COPY src ./src
COPY web ./web
COPY tools/docker/healthcheck.mjs ./tools/docker/healthcheck.mjs
# `cli.ts demo` (the API on a tiny random-weight model, no download) generates
# its model from these at first start (about 8 MB, under .cache/).
COPY tools/fixtures/test-model ./tools/fixtures/test-model
COPY tools/fixtures/torch ./tools/fixtures/torch
COPY tests/fixtures/tokenizer/tokenizer.json ./tests/fixtures/tokenizer/tokenizer.json
# The runtime user's writable cache (the demo's model; int8 rewrites of the
# baked weights go beside them, of mounted read-only ones under /tmp).
RUN mkdir .cache && chown node:node .cache
USER node
EXPOSE 5000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10m --retries=3 \
    CMD ["node", "tools/docker/healthcheck.mjs"]
LABEL run.cog.version='0.16.12'
LABEL run.cog.config='{"build":{"gpu":false,"system_packages":["tini"]},"predict":"predict.ts:Predictor","concurrency":{"max":32},"weights":[{"name":"bge-m3","source":{"uri":"hf://BAAI/bge-m3@5617a9f61b028005a4858fdac845db406aefb181","include":["/onnx/model.onnx","/onnx/model.onnx_data","/onnx/Constant_7_attr__value","/onnx/config.json","/tokenizer.json","/tokenizer_config.json","/special_tokens_map.json","/config.json","/sparse_linear.pt","/colbert_linear.pt"]},"target":"/src/weights"}]}'
LABEL run.cog.openapi_schema='{"openapi":"3.0.2","info":{"title":"Cog","version":"0.1.0"},"paths":{"/":{"get":{"summary":"Root","operationId":"root__get","responses":{"200":{"description":"Successful Response","content":{"application/json":{"schema":{"title":"Response Root  Get"}}}}}}},"/health-check":{"get":{"summary":"Healthcheck","operationId":"healthcheck_health_check_get","responses":{"200":{"description":"Successful Response","content":{"application/json":{"schema":{"title":"Response Healthcheck Health Check Get"}}}}}}},"/predictions":{"post":{"summary":"Predict","description":"Run a single prediction on the model","operationId":"predict_predictions_post","parameters":[{"in":"header","name":"prefer","required":false,"schema":{"title":"Prefer","type":"string"}}],"requestBody":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/PredictionRequest"}}}},"responses":{"200":{"description":"Successful Response","content":{"application/json":{"schema":{"$ref":"#/components/schemas/PredictionResponse"}}}},"422":{"description":"Validation Error","content":{"application/json":{"schema":{"$ref":"#/components/schemas/HTTPValidationError"}}}}}}},"/predictions/{prediction_id}":{"put":{"summary":"Predict Idempotent","description":"Run a single prediction on the model (idempotent creation).","operationId":"predict_idempotent_predictions__prediction_id__put","parameters":[{"in":"path","name":"prediction_id","required":true,"schema":{"title":"Prediction ID","type":"string"}},{"in":"header","name":"prefer","required":false,"schema":{"title":"Prefer","type":"string"}}],"requestBody":{"required":true,"content":{"application/json":{"schema":{"title":"Prediction Request","allOf":[{"$ref":"#/components/schemas/PredictionRequest"}]}}}},"responses":{"200":{"description":"Successful Response","content":{"application/json":{"schema":{"$ref":"#/components/schemas/PredictionResponse"}}}},"422":{"description":"Validation Error","content":{"application/json":{"schema":{"$ref":"#/components/schemas/HTTPValidationError"}}}}}}},"/predictions/{prediction_id}/cancel":{"post":{"summary":"Cancel","description":"Cancel a running prediction","operationId":"cancel_predictions__prediction_id__cancel_post","parameters":[{"in":"path","name":"prediction_id","required":true,"schema":{"title":"Prediction ID","type":"string"}}],"responses":{"200":{"description":"Successful Response","content":{"application/json":{"schema":{"title":"Response Cancel Predictions  Prediction Id  Cancel Post"}}}},"422":{"description":"Validation Error","content":{"application/json":{"schema":{"$ref":"#/components/schemas/HTTPValidationError"}}}}}}},"/shutdown":{"post":{"summary":"Start Shutdown","operationId":"start_shutdown_shutdown_post","responses":{"200":{"description":"Successful Response","content":{"application/json":{"schema":{"title":"Response Start Shutdown Shutdown Post"}}}}}}}},"components":{"schemas":{"Input":{"title":"Input","type":"object","additionalProperties":false,"required":["texts"],"properties":{"texts":{"title":"Texts","type":"array","items":{"type":"string"},"minItems":1,"maxItems":1024,"description":"The texts to embed, 1 to 1024 per prediction. Each is tokenized on its own and gets its own vectors; order is preserved.","x-order":0},"max_length":{"title":"Max Length","type":"integer","minimum":1,"maximum":8192,"default":8192,"description":"Tokens kept per text, counting <s> and </s>. Longer texts keep their first max_length - 2 tokens and are flagged in `truncated`. Below 3, only <s> and </s> remain.","x-order":1},"return_dense":{"title":"Return Dense","type":"boolean","default":true,"description":"Return `dense_vecs`: one L2-normalized 1024-dimensional vector per text (the <s> token\u0027s hidden state).","x-order":2},"return_sparse":{"title":"Return Sparse","type":"boolean","default":true,"description":"Return `lexical_weights`: one {token id: weight} object per text, and `lexical_tokens` to read the ids as text.","x-order":3},"return_colbert":{"title":"Return Colbert","type":"boolean","default":false,"description":"Return `colbert_vecs`: one L2-normalized 1024-dimensional vector per token of each text (n - 1 rows for n tokens: <s> dropped, </s> kept).","x-order":4},"query":{"title":"Query","type":"string","description":"Optional. When given, `scores` holds each text\u0027s dense, sparse, ColBERT and weighted hybrid score against this query.","x-order":5},"score_weights":{"title":"Score Weights","type":"array","items":{"type":"number","minimum":0},"minItems":3,"maxItems":3,"default":[0.4,0.2,0.4],"description":"Weights of the dense, sparse and ColBERT scores in `scores.hybrid` (divided by their sum, which must be above 0). Used only with `query`.","x-order":6},"sparse_format":{"allOf":[{"$ref":"#/components/schemas/sparse_format"}],"default":"dict","description":"Shape of each text\u0027s `lexical_weights`. \"dict\": {\"token id\": weight} (FlagEmbedding\u0027s shape; Milvus, Vespa). \"indices_values\": {\"indices\": [ids ascending], \"values\": [weights]} (Qdrant, Pinecone). \"tokens\": {\"token text\": weight} for Elasticsearch/OpenSearch rank_features: ids with the same text keep their largest weight; in keys \"%\" is written %25 and \".\" %2E, and the bare word-start token (empty text) is ▁.","x-order":7},"vector_encoding":{"allOf":[{"$ref":"#/components/schemas/vector_encoding"}],"default":"float","description":"How `dense_vecs` and `colbert_vecs` are written. \"float\": JSON numbers. \"base64\": the little-endian float32 bytes in base64, one string per text: a dense vector is 1024 floats; a text\u0027s ColBERT vectors are its token_counts - 1 rows of 1024 floats, row after row, in one string.","x-order":8}}},"sparse_format":{"title":"sparse_format","description":"An enumeration.","enum":["dict","indices_values","tokens"],"type":"string"},"vector_encoding":{"title":"vector_encoding","description":"An enumeration.","enum":["float","base64"],"type":"string"},"Output":{"title":"Output","type":"object","additionalProperties":false,"required":["token_counts","truncated"],"properties":{"dense_vecs":{"title":"Dense Vecs","type":"array","items":{"anyOf":[{"type":"array","items":{"type":"number"}},{"type":"string","format":"byte"}]},"description":"One L2-normalized vector per text, in input order: an array of numbers, or a base64 string of little-endian float32s with vector_encoding \"base64\". Present when return_dense is true."},"lexical_weights":{"title":"Lexical Weights","type":"array","items":{"anyOf":[{"type":"object","additionalProperties":{"type":"number"}},{"type":"object","additionalProperties":false,"required":["indices","values"],"properties":{"indices":{"type":"array","items":{"type":"integer"},"description":"Token ids, ascending."},"values":{"type":"array","items":{"type":"number"},"description":"The weight of each id in indices."}}}]},"description":"One object per text of its token weights: the largest relu(h·w + b) over each token\u0027s occurrences; special tokens and weights <= 0 are left out. Keyed by token id (as a string), or {indices, values}, or keyed by token text, as sparse_format says. Present when return_sparse is true."},"lexical_tokens":{"title":"Lexical Tokens","type":"object","additionalProperties":{"type":"string"},"description":"The text of every token id that appears in lexical_weights, decoded as FlagEmbedding\u0027s convert_id_to_token does. Present when return_sparse is true."},"colbert_vecs":{"title":"Colbert Vecs","type":"array","items":{"anyOf":[{"type":"array","items":{"type":"array","items":{"type":"number"}}},{"type":"string","format":"byte"}]},"description":"Per text, n - 1 L2-normalized vectors for its n tokens (<s> dropped, </s> kept): an array of rows, or with vector_encoding \"base64\" one base64 string of the rows\u0027 little-endian float32s, row after row (token_counts - 1 rows). Present when return_colbert is true."},"token_counts":{"title":"Token Counts","type":"array","items":{"type":"integer"},"description":"Tokens each text was embedded with, counting <s> and </s>, after truncation."},"truncated":{"title":"Truncated","type":"array","items":{"type":"boolean"},"description":"Per text: true when tokens beyond max_length were dropped."},"scores":{"title":"Scores","type":"object","additionalProperties":false,"required":["dense","sparse","colbert","hybrid","weights","query_token_count","query_truncated"],"description":"Present when a query is given: each text\u0027s score against the query, as FlagEmbedding\u0027s compute_score defines them.","properties":{"dense":{"type":"array","items":{"type":"number"},"description":"Dot product of the normalized dense vectors (cosine similarity)."},"sparse":{"type":"array","items":{"type":"number"},"description":"Sum over shared token ids of the product of their lexical weights."},"colbert":{"type":"array","items":{"type":"number"},"description":"Mean over the query\u0027s ColBERT vectors of the best dot product with any of the text\u0027s vectors."},"hybrid":{"type":"array","items":{"type":"number"},"description":"(w0·dense + w1·sparse + w2·colbert) / (w0 + w1 + w2) with w = score_weights."},"weights":{"type":"array","items":{"type":"number"},"description":"The score_weights used for hybrid."},"query_token_count":{"type":"integer","description":"Tokens the query was embedded with, after truncation to max_length."},"query_truncated":{"type":"boolean","description":"True when the query was longer than max_length."}}}}},"PredictionRequest":{"title":"PredictionRequest","type":"object","properties":{"input":{"$ref":"#/components/schemas/Input"},"id":{"title":"Id","type":"string"},"created_at":{"title":"Created At","type":"string","format":"date-time"},"context":{"title":"Context","type":"object","additionalProperties":{"type":"string"}},"output_file_prefix":{"title":"Output File Prefix","type":"string"},"webhook":{"title":"Webhook","type":"string","format":"uri","minLength":1,"maxLength":65536},"webhook_events_filter":{"type":"array","items":{"$ref":"#/components/schemas/WebhookEvent"},"default":["start","output","logs","completed"]}}},"PredictionResponse":{"title":"PredictionResponse","type":"object","properties":{"input":{"$ref":"#/components/schemas/Input"},"output":{"$ref":"#/components/schemas/Output"},"id":{"title":"Id","type":"string"},"version":{"title":"Version","type":"string"},"created_at":{"title":"Created At","type":"string","format":"date-time"},"started_at":{"title":"Started At","type":"string","format":"date-time"},"completed_at":{"title":"Completed At","type":"string","format":"date-time"},"logs":{"title":"Logs","type":"string","default":""},"error":{"title":"Error","type":"string"},"status":{"$ref":"#/components/schemas/Status"},"metrics":{"title":"Metrics","type":"object"}}},"Status":{"title":"Status","description":"An enumeration.","type":"string","enum":["starting","processing","succeeded","canceled","failed"]},"WebhookEvent":{"title":"WebhookEvent","description":"An enumeration.","type":"string","enum":["start","output","logs","completed"]},"HTTPValidationError":{"title":"HTTPValidationError","type":"object","properties":{"detail":{"title":"Detail","type":"array","items":{"$ref":"#/components/schemas/ValidationError"}}}},"ValidationError":{"title":"ValidationError","type":"object","required":["loc","msg","type"],"properties":{"loc":{"title":"Location","type":"array","items":{"anyOf":[{"type":"string"},{"type":"integer"}]}},"msg":{"title":"Message","type":"string"},"type":{"title":"Error Type","type":"string"}}}}}}'
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--import", "tsx", "cli.ts", "serve"]
