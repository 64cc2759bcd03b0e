// The one parser of environment variables: each kind's accepted spellings and
// bounds, unset or blank as the default, and errors that name the variable,
// what it held and the fix.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultText, parseSetting, SettingError, type SettingSpec } from '../../src/setting-kinds.ts';
import { explicitSetting, setting, SETTINGS } from '../../src/settings.ts';

/** The SettingError that reading `raw` as `name` throws. */
function refusal(read: () => unknown): SettingError {
  try {
    read();
  } catch (err) {
    assert.ok(err instanceof SettingError, String(err));
    return err;
  }
  assert.fail('expected a SettingError');
}

describe('unset, empty or blank', () => {
  it('means the default, whatever the kind', () => {
    for (const raw of [undefined, '', '   ']) {
      const env = {
        BGE_M3_MAX_BATCH_TOKENS: raw,
        BGE_M3_MAX_BODY_MB: raw,
        BGE_M3_SPIN_THREADS: raw,
        BGE_M3_PRECISION: raw,
        HF_ENDPOINT: raw,
        API_KEYS: raw,
        HOST: raw,
        HF_TOKEN: raw,
      };
      assert.equal(setting('BGE_M3_MAX_BATCH_TOKENS', env), SETTINGS.BGE_M3_MAX_BATCH_TOKENS.default);
      assert.equal(setting('BGE_M3_MAX_BODY_MB', env), SETTINGS.BGE_M3_MAX_BODY_MB.default);
      assert.equal(setting('BGE_M3_SPIN_THREADS', env), false);
      assert.equal(setting('BGE_M3_PRECISION', env), 'fp32');
      assert.equal(setting('HF_ENDPOINT', env), SETTINGS.HF_ENDPOINT.default);
      assert.deepEqual(setting('API_KEYS', env), []);
      assert.equal(setting('HOST', env), SETTINGS.HOST.default);
      assert.equal(setting('HF_TOKEN', env), undefined, 'no default: undefined');
      assert.equal(setting('BGE_M3_THREADS', { BGE_M3_THREADS: raw }), undefined);
    }
  });

  it('except where the table says an empty value turns the feature off', () => {
    assert.equal(setting('BGE_M3_READY_FILE', {}), undefined);
    assert.equal(setting('BGE_M3_READY_FILE', { BGE_M3_READY_FILE: '' }), null);
    assert.equal(setting('BGE_M3_READY_FILE', { BGE_M3_READY_FILE: ' /run/ready ' }), '/run/ready');
  });

  it('explicitSetting() tells unset (undefined) from set to the default value', () => {
    assert.equal(explicitSetting('COG_MAX_CONCURRENCY', {}), undefined);
    assert.equal(explicitSetting('COG_MAX_CONCURRENCY', { COG_MAX_CONCURRENCY: ' ' }), undefined);
    assert.equal(explicitSetting('COG_MAX_CONCURRENCY', { COG_MAX_CONCURRENCY: '32' }), 32);
    assert.throws(() => explicitSetting('COG_MAX_CONCURRENCY', { COG_MAX_CONCURRENCY: 'x' }), /COG_MAX_CONCURRENCY must be a positive integer/);
  });

  it("reads this process's environment when given none", () => {
    const saved = process.env.BGE_M3_V1_QUEUE_MAX;
    process.env.BGE_M3_V1_QUEUE_MAX = '7';
    try {
      assert.equal(setting('BGE_M3_V1_QUEUE_MAX'), 7);
    } finally {
      if (saved === undefined) delete process.env.BGE_M3_V1_QUEUE_MAX;
      else process.env.BGE_M3_V1_QUEUE_MAX = saved;
    }
  });
});

describe('integers', () => {
  it('take whole numbers within the bounds, spaces around ignored', () => {
    assert.equal(setting('BGE_M3_MAX_BATCH_TOKENS', { BGE_M3_MAX_BATCH_TOKENS: ' 2048 ' }), 2048);
    assert.equal(setting('BGE_M3_WORKER_RESTARTS', { BGE_M3_WORKER_RESTARTS: '0' }), 0);
    assert.equal(setting('PORT', { PORT: '0' }), 0);
    assert.equal(setting('PORT', { PORT: '65535' }), 65535);
  });

  it('refuse fractions, words, other notations and values out of bounds', () => {
    for (const bad of ['1.5', 'many', '0x10', '1e3', '12abc', '0', '-3', '99999999999999999999']) {
      const err = refusal(() => setting('BGE_M3_MAX_BATCH_TOKENS', { BGE_M3_MAX_BATCH_TOKENS: bad }));
      assert.match(err.message, new RegExp(`^BGE_M3_MAX_BATCH_TOKENS must be a positive integer, got "${bad}"\\.`));
    }
    assert.match(refusal(() => setting('PORT', { PORT: '65536' })).message, /^PORT must be a whole number from 0 to 65535, got "65536"/);
    assert.match(
      refusal(() => setting('BGE_M3_WORKER_RESTARTS', { BGE_M3_WORKER_RESTARTS: '-1' })).message,
      /^BGE_M3_WORKER_RESTARTS must be a whole number of 0 or more, got "-1"/,
    );
  });
});

describe('numbers', () => {
  it('take decimals within the bounds', () => {
    assert.equal(setting('COG_THROTTLE_RESPONSE_INTERVAL', { COG_THROTTLE_RESPONSE_INTERVAL: '0.25' }), 0.25);
    assert.equal(setting('COG_THROTTLE_RESPONSE_INTERVAL', { COG_THROTTLE_RESPONSE_INTERVAL: '.5' }), 0.5);
    assert.equal(setting('BGE_M3_MAX_BODY_MB', { BGE_M3_MAX_BODY_MB: '1e2' }), 100);
    assert.equal(setting('BGE_M3_MAX_BODY_MB', { BGE_M3_MAX_BODY_MB: '0.001' }), 0.001);
  });

  it('refuse what is no finite number, or is out of bounds', () => {
    for (const bad of ['lots', 'Infinity', 'NaN', '1,5', '0.0001']) {
      assert.match(
        refusal(() => setting('BGE_M3_MAX_BODY_MB', { BGE_M3_MAX_BODY_MB: bad })).message,
        new RegExp(`^BGE_M3_MAX_BODY_MB must be a number of 0.001 or more, got "${bad}"`),
      );
    }
    const spec: SettingSpec = { type: 'number', min: 0, max: 1, unit: 'fraction', meaning: 'a test setting' };
    assert.equal(parseSetting('FRACTION', spec, '1'), 1);
    assert.match(refusal(() => parseSetting('FRACTION', spec, '1.01')).message, /^FRACTION must be a number from 0 to 1, got "1.01"/);
  });
});

describe('flags', () => {
  it('are 1/0 or true/false in any case', () => {
    for (const [raw, value] of [
      ['1', true],
      ['true', true],
      ['TRUE', true],
      ['0', false],
      ['false', false],
      ['False', false],
    ] as const) {
      assert.equal(setting('HF_HUB_OFFLINE', { HF_HUB_OFFLINE: raw }), value, raw);
    }
  });

  it('refuse other spellings, saying which are accepted', () => {
    for (const bad of ['yes', 'on', '2', 'enabled']) {
      assert.match(
        refusal(() => setting('BGE_M3_SPIN_THREADS', { BGE_M3_SPIN_THREADS: bad })).message,
        new RegExp(`^BGE_M3_SPIN_THREADS must be 1 or 0 \\(true or false\\), got "${bad}"\\. Unset it for the default \\(0\\) or set 1 or 0\\.$`),
      );
    }
  });
});

describe('enums', () => {
  it('take their values and aliases in any case', () => {
    assert.equal(setting('BGE_M3_PRECISION', { BGE_M3_PRECISION: 'INT8' }), 'int8');
    assert.equal(setting('COG_LOG_LEVEL', { COG_LOG_LEVEL: 'WARNING' }), 'warning');
    assert.equal(setting('COG_LOG_LEVEL', { COG_LOG_LEVEL: 'warn' }), 'warning');
    assert.equal(setting('COG_LOG_LEVEL', { COG_LOG_LEVEL: 'Critical' }), 'error');
  });

  it('refuse anything else, listing the values', () => {
    assert.equal(
      refusal(() => setting('BGE_M3_PRECISION', { BGE_M3_PRECISION: 'fp16' })).message,
      'BGE_M3_PRECISION must be one of fp32, int8, got "fp16". Unset it for the default (fp32) or set one of them.',
    );
    assert.match(
      refusal(() => setting('COG_LOG_LEVEL', { COG_LOG_LEVEL: 'verbose' })).message,
      /^COG_LOG_LEVEL must be one of debug, info, warning, error, got "verbose"/,
    );
  });
});

describe('URLs', () => {
  it('take http and https URLs as given', () => {
    assert.equal(setting('HF_ENDPOINT', { HF_ENDPOINT: 'http://127.0.0.1:8080/mirror' }), 'http://127.0.0.1:8080/mirror');
  });

  it('refuse other schemes and what is no URL', () => {
    for (const bad of ['ftp://mirror.example', 'huggingface.co', 'https//x']) {
      assert.match(
        refusal(() => setting('HF_ENDPOINT', { HF_ENDPOINT: bad })).message,
        new RegExp(`^HF_ENDPOINT must be an http or https URL such as https://huggingface.co, got "${bad}"`),
      );
    }
  });
});

describe('lists', () => {
  it('split on commas, ignoring spaces and empty entries', () => {
    assert.deepEqual(setting('API_KEYS', { API_KEYS: ' k1, k2 ,,k3 ' }), ['k1', 'k2', 'k3']);
  });

  it('refuse a value that holds no item', () => {
    assert.equal(refusal(() => setting('API_KEYS', { API_KEYS: ' , ' })).message, 'API_KEYS is set but holds no key: give comma-separated keys, or unset it.');
  });

  it('of origins normalize each as browsers send it, and refuse what is no origin', () => {
    assert.deepEqual(setting('CORS_ALLOW_ORIGINS', { CORS_ALLOW_ORIGINS: 'HTTPS://App.Example:443, http://localhost:3000, *' }), [
      'https://app.example',
      'http://localhost:3000',
      '*',
    ]);
    for (const bad of ['app.example', 'https://app.example/path', 'ftp://app.example', 'https://user@app.example']) {
      assert.match(
        refusal(() => setting('CORS_ALLOW_ORIGINS', { CORS_ALLOW_ORIGINS: `https://ok.example,${bad}` })).message,
        /^CORS_ALLOW_ORIGINS holds ".*", which is not an origin: expected scheme:\/\/host\[:port\]/,
      );
    }
  });
});

describe('error messages', () => {
  it('name the variable, quote what it held, and give the default and the fix', () => {
    const err = refusal(() => setting('BGE_M3_MAX_BATCH_TOKENS', { BGE_M3_MAX_BATCH_TOKENS: 'abc' }));
    assert.equal(err.variable, 'BGE_M3_MAX_BATCH_TOKENS');
    assert.equal(
      err.message,
      `BGE_M3_MAX_BATCH_TOKENS must be a positive integer, got "abc". Unset it for the default (${SETTINGS.BGE_M3_MAX_BATCH_TOKENS.default}) or set a whole number.`,
    );
  });

  it("spell a described default without the README's markdown", () => {
    const { message } = refusal(() => setting('COG_MAX_CONCURRENCY', { COG_MAX_CONCURRENCY: '0' }));
    assert.match(message, /Unset it for the default \(concurrency\.max of cog\.yaml, else 32\)/);
    assert.ok(!message.includes('`'), message);
  });

  it('quote odd values unambiguously', () => {
    assert.match(refusal(() => setting('BGE_M3_THREADS', { BGE_M3_THREADS: 'two "cores"' })).message, /got "two \\"cores\\""/);
  });
});

describe('the table', () => {
  it('holds defaults that its own parser reads back as themselves', () => {
    for (const [name, spec] of Object.entries(SETTINGS) as [string, SettingSpec][]) {
      if (spec.type === 'list' || !('default' in spec) || spec.default === undefined) continue;
      const text = spec.type === 'flag' ? (spec.default ? '1' : '0') : String(spec.default);
      assert.deepEqual(parseSetting(name, spec, text), spec.default, name);
    }
  });

  it('gives every variable a meaning, a default to show, and a reason when it is internal', () => {
    for (const [name, spec] of Object.entries(SETTINGS) as [string, SettingSpec][]) {
      assert.ok(spec.meaning.length > 10, name);
      assert.ok(defaultText(spec).length > 0, name);
      if (spec.internal !== undefined) assert.ok(spec.internal.length > 10, name);
    }
  });
});
