/**
 * The `phaser-qmix` command line: a thin shell over `train()`, the runtime
 * and the benchmark.
 *
 *   phaser-qmix train --env NAME [--algo qmix|vdn|iql] [--steps N] [--seed S] [--preset game|pymarl|pymarl2] [--config FILE]
 *                     [--out DIR] [--backend wasm|cpu] [--threads 1|2] [--envs K] [--resume DIR]
 *   phaser-qmix eval  --env NAME --policy FILE [--episodes N] [--seed S] [--json]
 *   phaser-qmix bench [--json] [--quick]
 *   phaser-qmix envs
 *
 * Envs of your own: list the modules that register them (`registerEnv`) in
 * your package.json, `"phaser-qmix": { "envModules": ["game/rules/env.ts"] }`,
 * or pass `--env-module FILE`; they are imported before the command runs.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { pathToFileURL } from 'node:url';
import * as tf from '../learn/tf.js';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { GREEDY, parseDemoFile, PRESETS, runEpisode, validateConfig, type EpisodeRecord, type PresetName, type QmixConfig } from '../core/index.js';
import { listEnvs, makeEnv } from '../envs/registry.js';
import { DivergenceError } from '../learn/divergence.js';
import { train, type Algo, type TrainProgress } from '../learn/train.js';
import { useBackend } from '../learn/backend.js';
import { kernelVariant } from '../learn/wasm-kernel.js';
import { useKernelThreads } from './kernel-threads.js';
import { loadPolicy } from '../runtime/greedy-policy.js';
import { runBench } from './bench.js';
import { loadCheckpointDir, saveCheckpointDir, writeFileAtomic } from './checkpoint-store.js';
import { acquireDirLock } from './dir-lock.js';

/** What --help says about env modules: they are code, not data. */
const ENV_MODULE_NOTE =
  'Env modules (--env-module FILE, and the files listed in ./package.json under "phaser-qmix": { "envModules": [...] }) are imported and run as code ' +
  'before train, eval and envs: use only files you trust. Listed files must lie inside the package.';

/** A usage problem: printed with the usage line, exit code 2. */
export class UsageError extends Error {}

type Flags = Record<string, string | true | string[]>;

const COMMANDS: Record<string, { readonly flags: Record<string, 'value' | 'bool' | 'list'>; readonly usage: string }> = {
  train: {
    flags: { env: 'value', algo: 'value', steps: 'value', seed: 'value', config: 'value', preset: 'value', out: 'value', backend: 'value', envs: 'value', resume: 'value', 'log-every': 'value', 'test-episodes': 'value', 'keep-best': 'bool', 'stop-at': 'value', 'save-every': 'value', 'save-minutes': 'value', 'env-module': 'value', demos: 'list', 'demo-share': 'value', threads: 'value' },
    usage: 'phaser-qmix train --env NAME [--algo qmix|vdn|iql] [--steps N] [--seed S] [--preset game|pymarl|pymarl2] [--config FILE] [--out DIR] [--backend wasm|cpu] [--threads 1|2] [--envs K] [--resume DIR] [--log-every N] [--test-episodes N] [--keep-best] [--stop-at SCORE] [--save-every UPDATES] [--save-minutes M] [--env-module FILE] [--demos FILE...] [--demo-share S]',
  },
  eval: {
    flags: { env: 'value', policy: 'value', episodes: 'value', seed: 'value', json: 'bool', 'env-module': 'value' },
    usage: 'phaser-qmix eval --env NAME --policy FILE [--episodes N] [--seed S] [--json] [--env-module FILE]',
  },
  bench: { flags: { json: 'bool', quick: 'bool' }, usage: 'phaser-qmix bench [--json] [--quick]' },
  envs: { flags: { 'env-module': 'value' }, usage: 'phaser-qmix envs [--env-module FILE]' },
};

/** Splits `--name value` / `--flag` arguments, refusing anything the command does not know. */
export function parseFlags(command: string, argv: readonly string[]): Flags {
  // Own keys only: "constructor" is no command, and no flag either.
  const spec = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!spec) throw new UsageError(`unknown command ${JSON.stringify(command)}: expected ${Object.keys(COMMANDS).join(', ')}`);
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    const name = arg.slice(2);
    const kind = Object.hasOwn(spec.flags, name) ? spec.flags[name] : undefined;
    if (!kind) throw new UsageError(`unknown flag --${name} for ${command} (known: ${Object.keys(spec.flags).map((f) => `--${f}`).join(' ') || 'none'})`);
    if (kind === 'bool') flags[name] = true;
    else if (kind === 'list') {
      // One or more values (`--demos a.json b.json`), and the flag may be repeated.
      const values = (flags[name] as string[] | undefined) ?? [];
      while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) values.push(argv[++i]);
      if (values.length === 0) throw new UsageError(`--${name} needs at least one value`);
      flags[name] = values;
    } else {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      flags[name] = value;
    }
  }
  return flags;
}

function intFlag(flags: Flags, name: string, fallback: number, min = 0): number {
  const v = flags[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return n;
}

function numFlag(flags: Flags, name: string): number {
  const v = flags[name];
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got ${JSON.stringify(v)}`);
  return n;
}

function required(flags: Flags, name: string): string {
  const v = flags[name];
  if (typeof v !== 'string') throw new UsageError(`--${name} is required`);
  return v;
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${what} ${path} is not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Imports the modules that register a project's own envs: those listed in
 * `cwd`/package.json under `"phaser-qmix": { "envModules": [...] }`, then
 * `extra` (the --env-module flag). Returns the files imported.
 * @example
 * ```ts
 * await loadEnvModules('game/rules/env.ts'); // now makeEnv('my-game') works
 * ```
 */
export async function loadEnvModules(extra?: string, cwd = process.cwd()): Promise<string[]> {
  const listed: string[] = [];
  const pkgPath = join(cwd, 'package.json');
  if (existsSync(pkgPath)) {
    let pkg: { 'phaser-qmix'?: { envModules?: unknown } };
    try {
      pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
    } catch (e) {
      throw new UsageError(`cannot read ${pkgPath}: ${(e as Error).message}`);
    }
    const list = pkg['phaser-qmix']?.envModules;
    if (list !== undefined) {
      if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) throw new UsageError(`${pkgPath}: "phaser-qmix".envModules must be a list of file paths`);
      listed.push(...(list as string[]));
    }
  }
  // package.json is data a project may take from elsewhere (a cloned repo, a
  // dependency's example): its modules run as code, so they must lie inside
  // the package. The --env-module flag is the user's own word and may point anywhere.
  const root = realpathSync(cwd);
  for (const p of listed) {
    const file = resolve(cwd, p);
    const real = existsSync(file) ? realpathSync(file) : file;
    const rel = relative(root, real);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new UsageError(`${pkgPath}: "phaser-qmix".envModules entry ${JSON.stringify(p)} lies outside the package (${root}); only files inside it are imported`);
  }
  if (extra !== undefined) listed.push(extra);
  const files = listed.map((p) => resolve(cwd, p));
  for (const file of files) {
    if (!existsSync(file)) throw new UsageError(`env module ${file} not found`);
    await importEnvModule(file);
  }
  return files;
}

let tsLoader: Promise<boolean> | null = null;

/**
 * Imports one env module. A TypeScript file that Node cannot load by itself
 * (ERR_UNKNOWN_FILE_EXTENSION) is loaded through tsx when the project has it
 * installed; otherwise the error says what to do.
 */
async function importEnvModule(file: string): Promise<void> {
  try {
    await import(pathToFileURL(file).href);
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION' || !/\.[cm]?tsx?$/.test(file)) throw e;
  }
  tsLoader ??= import('tsx/esm/api').then(
    (tsx: { register(): unknown }) => (tsx.register(), true),
    () => false,
  );
  if (!(await tsLoader)) {
    throw new UsageError(`env module ${file} is TypeScript, which Node does not load by itself: install tsx in your project (npm install --save-dev tsx) and the CLI uses it, or compile the module to .js`);
  }
  // A new URL: Node keeps the failed load of the first one.
  await import(`${pathToFileURL(file).href}?through=tsx`);
}

function envOrUsage(name: string): ReturnType<typeof makeEnv> {
  try {
    return makeEnv(name);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The signals that stop training with a save (exit code 128 + the signal's number, as shells report it). */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** `train`: progress on a terminal, plain lines otherwise; files under --out; Ctrl-C saves a checkpoint. */
async function trainCommand(flags: Flags, out: NodeJS.WriteStream): Promise<number> {
  const envName = required(flags, 'env');
  envOrUsage(envName); // unknown env: fail before anything else
  const algo = flags.algo as Algo | undefined;
  if (algo !== undefined && !['qmix', 'vdn', 'iql'].includes(algo)) throw new UsageError(`--algo must be qmix, vdn or iql, got ${JSON.stringify(algo)}`);
  const steps = intFlag(flags, 'steps', 50000, 1);
  const k = intFlag(flags, 'envs', 1, 1);
  const backend = (flags.backend ?? 'wasm') as 'wasm' | 'cpu';
  if (backend !== 'wasm' && backend !== 'cpu') throw new UsageError(`--backend must be wasm or cpu, got ${JSON.stringify(backend)}`);
  const fileConfig = flags.config ? await readJson(flags.config as string, 'config file') : {};
  if (fileConfig === null || typeof fileConfig !== 'object' || Array.isArray(fileConfig)) {
    throw new UsageError(`config file ${String(flags.config)} must hold a JSON object of settings, not ${fileConfig === null ? 'null' : Array.isArray(fileConfig) ? 'an array' : typeof fileConfig}`);
  }
  const preset = flags.preset as string | undefined;
  if (preset !== undefined && !Object.hasOwn(PRESETS, preset)) throw new UsageError(`--preset must be one of ${Object.keys(PRESETS).join(', ')}, got ${JSON.stringify(preset)}`);
  // --preset picks the defaults; fields in --config still win over them. A flag
  // given wins over the file; a flag not given leaves the file's value (seed, mixer).
  const config: Partial<QmixConfig> = { ...(fileConfig as Partial<QmixConfig>), ...(preset !== undefined ? { preset: preset as PresetName } : {}) };
  const seed = flags.seed !== undefined ? intFlag(flags, 'seed', 0) : typeof config.seed === 'number' ? config.seed : 0;
  if (algo !== undefined && config.mixer !== undefined && config.mixer !== (algo === 'iql' ? 'none' : algo)) {
    throw new UsageError(`--algo ${algo} and the config file's "mixer": ${JSON.stringify(config.mixer)} disagree: give one of them`);
  }
  // Check the settings before anything is written (a re-run with a bad config must not empty metrics.jsonl).
  try {
    validateConfig({ ...config, seed, ...(algo !== undefined ? { mixer: algo === 'iql' ? 'none' : algo } : {}) });
  } catch (e) {
    throw new UsageError(`config: ${(e as Error).message}`);
  }
  // Demonstrations: checked against the env's spec before anything is written.
  let demonstrations: TrainPlan['demonstrations'];
  if (flags.demos !== undefined) {
    const share = flags['demo-share'] !== undefined ? numFlag(flags, 'demo-share') : 0.25;
    if (!(share >= 0 && share <= 1)) throw new UsageError(`--demo-share must be a number in 0..1, got ${JSON.stringify(flags['demo-share'])}`);
    const spec = makeEnv(envName).spec;
    const episodes: EpisodeRecord[] = [];
    for (const file of flags.demos as string[]) {
      let text: string;
      try {
        text = await readFile(resolve(file), 'utf8');
      } catch (e) {
        throw new UsageError(`--demos ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      try {
        episodes.push(...parseDemoFile(text, spec).episodes);
      } catch (e) {
        throw new UsageError(`--demos ${file}: ${(e as Error).message}`);
      }
    }
    demonstrations = { episodes, share };
    out.write(`demonstrations: ${episodes.length} episodes from ${(flags.demos as string[]).length} file(s), ${Math.round(share * 100)}% of every batch\n`);
  } else if (flags['demo-share'] !== undefined) throw new UsageError('--demo-share needs --demos');
  const dir = resolve((flags.out as string | undefined) ?? 'phaser-qmix-run');
  const resumeFrom = flags.resume ? await loadCheckpointDir(resolve(flags.resume as string)) : undefined;
  await useBackend(backend);
  // Two threads for the updates where the runtime allows (a helper thread takes half of each batch's rows).
  const wantThreads = intFlag(flags, 'threads', 2, 1);
  if (wantThreads > 2) throw new UsageError(`--threads must be 1 or 2, got ${wantThreads}`);
  const threads = await useKernelThreads(wantThreads as 1 | 2, (why) => out.write(`updates on one thread: ${why}\n`));
  if (backend === 'wasm') out.write(`updates on ${threads} thread${threads === 1 ? '' : 's'} (WebAssembly ${kernelVariant() ?? 'without SIMD'})\n`);
  await mkdir(dir, { recursive: true });
  // One run per output directory: a second one would interleave metrics and overwrite the policy.
  const releaseDir = await acquireDirLock(dir, 'training').catch((e: Error) => {
    throw new UsageError(e.message.replace('checkpoint directory', 'output directory'));
  });
  try {
    return await trainInto(dir, flags, out, { envName, algo, steps, seed, k, config, resumeFrom, demonstrations });
  } finally {
    await releaseDir();
  }
}

interface TrainPlan {
  readonly envName: string;
  readonly algo: Algo | undefined;
  readonly steps: number;
  readonly seed: number;
  readonly k: number;
  readonly config: Partial<QmixConfig>;
  readonly resumeFrom: Awaited<ReturnType<typeof loadCheckpointDir>> | undefined;
  readonly demonstrations: { readonly episodes: readonly EpisodeRecord[]; readonly share: number } | undefined;
}

async function trainInto(dir: string, flags: Flags, out: NodeJS.WriteStream, plan: TrainPlan): Promise<number> {
  const { envName, algo, steps, seed, k, config, resumeFrom, demonstrations } = plan;
  const metricsPath = join(dir, 'metrics.jsonl');
  if (!resumeFrom) await writeFile(metricsPath, '');
  // Appends in order, awaited before the run ends; a failing disk is reported, not a crash.
  let metricsWrites: Promise<void> = Promise.resolve();
  let metricsError: Error | null = null;
  const appendMetrics = (line: string): void => {
    metricsWrites = metricsWrites.then(() =>
      metricsError ? undefined : appendFile(metricsPath, line).catch((e: Error) => {
        metricsError = e;
        out.write(`\nwarning: cannot write ${metricsPath} (${e.message}); training goes on, metrics are no longer saved\n`);
      }),
    );
  };

  // Ctrl-C, a kill (SIGTERM) and a closed terminal (SIGHUP) all stop at the next episode and save.
  const abort = new AbortController();
  let stoppedBy: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals): void => {
    stoppedBy ??= signal;
    abort.abort();
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  // Saves along the way (atomic: a crash leaves the last complete one), for --resume.
  const saveEvery = intFlag(flags, 'save-every', 1000, 0);
  const saveMinutes = flags['save-minutes'] !== undefined ? numFlag(flags, 'save-minutes') : 5;
  if (!(saveMinutes >= 0)) throw new UsageError(`--save-minutes must be a number >= 0, got ${JSON.stringify(flags['save-minutes'])}`);
  const tty = out.isTTY === true;
  const lines: string[] = [];
  try {
    const result = await train({
      env: envName,
      ...(algo !== undefined ? { algo } : {}),
      steps,
      seed,
      config,
      signal: abort.signal,
      logEvery: flags['log-every'] ? intFlag(flags, 'log-every', 1, 1) : undefined,
      resume: resumeFrom,
      envs: k,
      keepBest: flags['keep-best'] === true,
      ...(demonstrations ? { demonstrations } : {}),
      ...(flags['stop-at'] !== undefined ? { stopAt: numFlag(flags, 'stop-at') } : {}),
      ...(flags['test-episodes'] ? { testEpisodes: intFlag(flags, 'test-episodes', 10, 1) } : {}),
      autosave: {
        everyUpdates: saveEvery,
        everyMs: saveMinutes * 60_000,
        save: async (checkpoint, policy) => {
          await saveCheckpointDir(join(dir, 'checkpoint'), checkpoint);
          await writeFileAtomic(join(dir, 'policy.json'), JSON.stringify(policy));
        },
      },
      onRollback: (r) => {
        out.write(`${tty ? '\n' : ''}diverged at update ${r.update} (${r.reason}): rolled back to update ${r.rolledBackTo} (rollback ${r.rollbacks} of ${r.maxRollbacks} in a row before stopping)\n`);
      },
      onProgress: (p) => {
        lines.push(JSON.stringify(p));
        appendMetrics(`${JSON.stringify(p)}\n`);
        out.write(tty ? `\r${progressBar(p, steps)}` : `${logLine(p, steps)}\n`);
      },
    });
    if (tty) out.write('\n');
    await metricsWrites;
    await writeFileAtomic(join(dir, 'policy.json'), JSON.stringify(result.policy));
    if (result.best) {
      await writeFileAtomic(join(dir, 'policy-final.json'), JSON.stringify(result.finalPolicy));
      out.write(`kept the policy of the report at ${result.best.envSteps} env steps (test win rate ${result.best.testWinRate ?? '-'}, return ${result.best.testReturnMean.toFixed(3)}); the final one is policy-final.json\n`);
    }
    if (result.solved) out.write(`solved: a test reached --stop-at ${String(flags['stop-at'])} at ${result.metrics.envSteps} env steps; stopped there\n`);
    await saveCheckpointDir(join(dir, 'checkpoint'), result.checkpoint({ includeBuffer: true }));
    result.trainer.dispose();
    out.write(`${result.aborted ? 'interrupted: ' : ''}wrote ${join(dir, 'policy.json')}, ${metricsPath} and ${join(dir, 'checkpoint')}/ after ${result.metrics.envSteps} env steps\n`);
    if (result.aborted) return 128 + (constants.signals[stoppedBy ?? 'SIGINT'] ?? 2);
    return metricsError ? 1 : 0;
  } catch (e) {
    if (!(e instanceof DivergenceError) || !e.lastGood) throw e;
    // Keep the last good state, without the replay buffer that holds what diverged.
    await metricsWrites;
    await saveCheckpointDir(join(dir, 'checkpoint'), e.lastGood.checkpoint);
    await writeFileAtomic(join(dir, 'policy.json'), JSON.stringify(e.lastGood.policy));
    out.write(`${tty ? '\n' : ''}stopped: ${e.message}\nwrote the last good policy.json and checkpoint/ (update ${e.last.rolledBackTo}, no replay buffer) to ${dir}\n`);
    return 1;
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
  }
}

function progressBar(p: TrainProgress, total: number): string {
  const width = 24;
  const done = Math.min(1, p.envSteps / total);
  const eta = p.envStepsPerSec > 0 ? (total - p.envSteps) / p.envStepsPerSec : Number.NaN;
  return `[${'#'.repeat(Math.round(done * width)).padEnd(width, '.')}] ${p.envSteps}/${total} steps, ${p.envStepsPerSec.toFixed(0)} steps/s, ETA ${Number.isFinite(eta) ? `${eta.toFixed(0)} s` : '?'}, return ${p.trainReturnMean.toFixed(2)} (test ${p.testReturnMean.toFixed(2)}${p.testWinRate !== undefined ? `, win ${p.testWinRate.toFixed(2)}` : ''})   `;
}

function logLine(p: TrainProgress, total: number): string {
  return `steps ${p.envSteps}/${total} episodes ${p.episodes} updates ${p.updates} return ${p.trainReturnMean.toFixed(3)} test ${p.testReturnMean.toFixed(3)}${p.testWinRate !== undefined ? ` win ${p.testWinRate.toFixed(2)}` : ''} loss ${p.loss.toFixed(4)} epsilon ${p.epsilon.toFixed(3)} steps/s ${p.envStepsPerSec.toFixed(0)}`;
}

/** `eval`: greedy decentralised episodes with the tfjs-free runtime. */
async function evalCommand(flags: Flags, out: NodeJS.WriteStream): Promise<number> {
  const env = envOrUsage(required(flags, 'env'));
  const file = await readJson(required(flags, 'policy'), 'policy file');
  const policy = loadPolicy(file as object, { nAgents: env.spec.nAgents, obsSize: env.spec.obsSize, nActions: env.spec.nActions });
  const episodes = intFlag(flags, 'episodes', 100, 1);
  const seed = intFlag(flags, 'seed', 0);
  const won = (env as { won?: () => boolean }).won;
  const returns: number[] = [];
  let wins = 0;
  for (let i = 0; i < episodes; i++) {
    returns.push(runEpisode(env, policy, { mode: GREEDY, rng: null, seed: seed + i }).episodeReturn);
    if (won?.call(env)) wins++;
  }
  const mean = returns.reduce((a, b) => a + b, 0) / episodes;
  const std = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / episodes);
  const result = { env: required(flags, 'env'), episodes, mean, std, ...(won ? { winRate: wins / episodes } : {}) };
  out.write(flags.json ? `${JSON.stringify(result)}\n` : `return ${mean.toFixed(3)} +- ${std.toFixed(3)} over ${episodes} episodes${won ? `, win rate ${(wins / episodes).toFixed(3)}` : ''}\n`);
  return 0;
}

/**
 * Runs the CLI with `argv` (without node and the script); returns the exit code.
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2));
 * ```
 */
export async function main(argv: readonly string[], out: NodeJS.WriteStream = process.stdout, err: NodeJS.WriteStream = process.stderr): Promise<number> {
  // Production mode: no debug checks, and no advice to install tfjs-node
  // (its install downloads a native binary, which many machines cannot).
  tf.env().set('PROD', true);
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === 'help') {
    out.write(`${Object.values(COMMANDS).map((c) => c.usage).join('\n')}\n\n${ENV_MODULE_NOTE}\n`);
    return command === undefined ? 2 : 0;
  }
  try {
    const flags = parseFlags(command, rest);
    if (command !== 'bench') await loadEnvModules(flags['env-module'] as string | undefined);
    switch (command) {
      case 'train':
        return await trainCommand(flags, out);
      case 'eval':
        return await evalCommand(flags, out);
      case 'bench': {
        const result = await runBench({ quick: flags.quick === true });
        out.write(flags.json ? `${JSON.stringify(result)}\n` : `${JSON.stringify(result, null, 2)}\n`);
        return 0;
      }
      default:
        for (const e of listEnvs()) out.write(`${e.name}\t${e.help}\n`);
        return 0;
    }
  } catch (e) {
    const usage = e instanceof UsageError ? `\nusage: ${(Object.hasOwn(COMMANDS, command) ? COMMANDS[command].usage : undefined) ?? 'phaser-qmix train|eval|bench|envs'}` : '';
    // Every error this code means to give has its own message; a TypeError or a
    // ReferenceError is a bug in phaser-qmix (or in an env module): say so.
    const bug = e instanceof TypeError || e instanceof ReferenceError ? `internal error (${(e as Error).name}; please report it with the command line): ` : '';
    err.write(`phaser-qmix ${command}: ${bug}${(e as Error)?.message ?? String(e)}${usage}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}
