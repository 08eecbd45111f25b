import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, DEFAULT_CONFIG, diffConfigs, PRESETS, validateConfig } from '../../plugin/core/index.js';

describe('config', () => {
  test("preset 'pymarl' equals the pymarl reference table", () => {
    const c = validateConfig({ preset: 'pymarl' });
    assert.equal(c.preset, 'pymarl');
    // shared/QMIX.md: agent GRU 64 with last action + agent id; mixer embed 32,
    // 2-layer hypernets of 64, abs; RMSprop 5e-4 alpha 0.99 eps 1e-5; clip 10;
    // gamma 0.99; 5000 episodes, batch 32; hard target every 200 episodes;
    // double Q; epsilon 1.0 -> 0.05 over 50k steps.
    assert.deepEqual(
      {
        agent: c.agent, hiddenDim: c.hiddenDim, obsLastAction: c.obsLastAction, obsAgentId: c.obsAgentId,
        mixer: c.mixer, mixingEmbedDim: c.mixingEmbedDim, hypernetLayers: c.hypernetLayers, hypernetEmbed: c.hypernetEmbed,
        nonNegative: c.nonNegative, mixerInit: c.mixerInit, optimizer: c.optimizer, lr: c.lr, rmspropAlpha: c.rmspropAlpha, rmspropEps: c.rmspropEps,
        gradNormClip: c.gradNormClip, gamma: c.gamma, bufferSize: c.bufferSize, batchSize: c.batchSize,
        targetUpdate: c.targetUpdate, targetUpdateInterval: c.targetUpdateInterval, doubleQ: c.doubleQ,
        epsilonStart: c.epsilonStart, epsilonFinish: c.epsilonFinish, epsilonAnnealTime: c.epsilonAnnealTime,
        epsilonSchedule: c.epsilonSchedule, tdLambda: c.tdLambda,
      },
      {
        agent: 'gru', hiddenDim: 64, obsLastAction: true, obsAgentId: true,
        mixer: 'qmix', mixingEmbedDim: 32, hypernetLayers: 2, hypernetEmbed: 64,
        nonNegative: 'abs', mixerInit: 'torch', optimizer: 'rmsprop', lr: 5e-4, rmspropAlpha: 0.99, rmspropEps: 1e-5,
        gradNormClip: 10, gamma: 0.99, bufferSize: 5000, batchSize: 32,
        targetUpdate: 'hard', targetUpdateInterval: 200, doubleQ: true,
        epsilonStart: 1.0, epsilonFinish: 0.05, epsilonAnnealTime: 50000,
        epsilonSchedule: 'linear', tdLambda: 0,
      },
    );
  });

  test('a validated config is frozen and the input is left untouched', () => {
    const input = { mixer: 'vdn' as const, lr: 1e-3 };
    const c = validateConfig(input);
    assert.ok(Object.isFrozen(c));
    assert.deepEqual(input, { mixer: 'vdn', lr: 1e-3 });
    assert.throws(() => {
      (c as { lr: number }).lr = 5;
    }, TypeError);
    assert.equal(c.lr, 1e-3);
    assert.ok(Object.isFrozen(DEFAULT_CONFIG));
  });

  test('a bad value is refused with the field, the value and what is allowed', () => {
    const err = captureError(() => validateConfig({ gamma: 1.5 }));
    assert.ok(err instanceof ConfigError);
    assert.equal(err.field, 'gamma');
    assert.equal(err.value, 1.5);
    assert.match(err.message, /config\.gamma = 1\.5 is invalid: expected a finite number in \[0, 1\]/);

    assert.match(captureError(() => validateConfig({ mixer: 'qtran' as 'qmix' })).message, /config\.mixer = "qtran".*one of "qmix", "vdn", "none"/);
    assert.match(captureError(() => validateConfig({ batchSize: 0 })).message, /config\.batchSize = 0.*integer in \[1, inf\]/);
    assert.match(captureError(() => validateConfig({ lr: Number.NaN })).message, /config\.lr = NaN/);
    assert.match(captureError(() => validateConfig({ hypernetLayers: 3 as 2 })).message, /hypernetLayers = 3.*one of 1, 2/);
    assert.match(captureError(() => validateConfig({ doubleQ: 'yes' as unknown as boolean })).message, /doubleQ = "yes".*true or false/);
    assert.match(captureError(() => validateConfig({ batchSize: 64, bufferSize: 32 })).message, /batchSize = 64.*at most bufferSize \(32\)/);
  });

  test('an unknown field is refused, with a suggestion for a near miss', () => {
    const err = captureError(() => validateConfig({ gama: 0.9 } as Record<string, unknown>));
    assert.match(err.message, /config\.gama = 0\.9 \(unknown field\): expected a known field \(did you mean gamma\?\)/);
  });

  test('diffConfigs names every field that differs (the preset name is a label, not a value)', () => {
    const a = validateConfig({ preset: 'pymarl' });
    const b = validateConfig({ preset: 'pymarl', mixer: 'vdn', lr: 1e-3 });
    assert.deepEqual(diffConfigs(a, b), ['mixer: "qmix" -> "vdn"', 'lr: 0.0005 -> 0.001']);
    assert.deepEqual(diffConfigs(a, validateConfig({ preset: 'pymarl' })), []);
    // The same values under another label do not differ...
    assert.deepEqual(diffConfigs(a, validateConfig({ ...a, preset: 'game' })), []);
    // ...but another preset's values do.
    assert.ok(diffConfigs(a, validateConfig({ preset: 'pymarl2' })).includes('tdLambda: 0 -> 0.6'));
  });

  test("the default preset is 'game'; a preset fills only what is not given; pymarl2 differs from pymarl where its qmix.yaml does", () => {
    const d = validateConfig();
    assert.equal(d.preset, 'game');
    assert.deepEqual(d, PRESETS.game);
    assert.equal(DEFAULT_CONFIG, PRESETS.game);
    // Explicit fields win over the preset's.
    const c = validateConfig({ preset: 'pymarl2', lr: 3e-4, batchSize: 16 });
    assert.equal(c.lr, 3e-4);
    assert.equal(c.batchSize, 16);
    assert.equal(c.optimizer, 'adam');
    assert.equal(c.tdLambda, 0.6);
    assert.deepEqual(diffConfigs(validateConfig({ preset: 'pymarl' }), validateConfig({ preset: 'pymarl2' })), [
      'tdLambda: 0 -> 0.6',
      'optimizer: "rmsprop" -> "adam"',
      'lr: 0.0005 -> 0.001',
      'batchSize: 32 -> 128',
      'epsilonAnnealTime: 50000 -> 100000',
    ]);
    const e = captureError(() => validateConfig({ preset: 'starcraft' } as never));
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /preset = "starcraft" is invalid: expected one of "game", "pymarl", "pymarl2"/);
  });
});

function captureError(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

test("validateConfig refuses names on Object's prototype as unknown fields, and a replay buffer past its bound", () => {
  for (const text of ['{"__proto__": 1}', '{"constructor": 1}', '{"toString": 1}', '{"hasOwnProperty": 1}', '{"valueOf": 1}']) {
    const partial = JSON.parse(text) as Record<string, unknown>;
    assert.throws(() => validateConfig(partial), (e: Error) => e instanceof ConfigError && /unknown field/.test(e.message), text);
  }
  assert.throws(() => validateConfig({ bufferSize: 2_000_000 }), (e: Error) => e instanceof ConfigError && /bufferSize = 2000000/.test(e.message));
  assert.equal(validateConfig({ bufferSize: 1_000_000 }).bufferSize, 1_000_000);
});
