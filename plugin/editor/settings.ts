/**
 * The settings part of the editor: algorithm, backend and the main
 * hyperparameters, checked by the same `validateConfig` as everywhere; a bad
 * value is refused with the message naming the field.
 */
import { PRESETS, validateConfig, type PresetName, type QmixConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { el, labelled, option, section } from './dom.js';
import type { EditorBackend } from './editor.js';

/** The three algorithms (IQL: no mixer). */
export type EditorAlgo = 'qmix' | 'vdn' | 'iql';

/** The hyperparameters the panel edits, with their input kind. */
const FIELDS: readonly { key: keyof QmixConfig; label: string; kind: 'number' | 'select'; options?: readonly string[]; step?: string }[] = [
  { key: 'agent', label: 'agent network', kind: 'select', options: ['mlp', 'gru'] },
  { key: 'hiddenDim', label: 'hidden units', kind: 'number', step: '1' },
  { key: 'lr', label: 'learning rate', kind: 'number', step: 'any' },
  { key: 'gamma', label: 'discount (gamma)', kind: 'number', step: 'any' },
  { key: 'batchSize', label: 'batch (episodes)', kind: 'number', step: '1' },
  { key: 'bufferSize', label: 'replay (episodes)', kind: 'number', step: '1' },
  { key: 'epsilonAnnealTime', label: 'epsilon anneal (steps)', kind: 'number', step: '1' },
  { key: 'targetUpdateInterval', label: 'target update (episodes)', kind: 'number', step: '1' },
  { key: 'tdLambda', label: 'TD lambda', kind: 'number', step: 'any' },
];

/**
 * The settings form; `onApply` gets only values that passed validation.
 * @example
 * ```ts
 * new SettingsForm(panel, validateConfig(), (config, algo, backend) => save(config, algo, backend));
 * ```
 */
export class SettingsForm {
  private readonly error: HTMLElement;
  private readonly form: HTMLFormElement;
  /** The config the form last showed or applied: what a preset switch starts from. */
  private current: QmixConfig;

  constructor(
    parent: HTMLElement,
    base: QmixConfig,
    private readonly onApply: (config: Partial<QmixConfig>, algo: EditorAlgo, backend: EditorBackend) => void,
    backendChoice: EditorBackend = 'auto',
  ) {
    this.current = base;
    const form = el('form', { class: 'pq-settings', novalidate: '' }) as HTMLFormElement;
    this.form = form;
    const algo = el('select', { name: 'algo' }) as HTMLSelectElement;
    for (const a of ['qmix', 'vdn', 'iql']) algo.appendChild(option(a, a.toUpperCase()));
    algo.value = base.mixer === 'none' ? 'iql' : base.mixer;
    const backend = el('select', { name: 'backend' }) as HTMLSelectElement;
    for (const b of ['auto', 'webgl', 'wasm', 'cpu']) backend.appendChild(option(b, b));
    backend.value = backendChoice;
    // A preset fills every field below with its values (docs/tuning.md says where each comes from).
    const preset = el('select', { name: 'preset' }) as HTMLSelectElement;
    for (const p of Object.keys(PRESETS)) preset.appendChild(option(p, p));
    preset.value = base.preset;
    form.append(labelled('algorithm', algo), labelled('backend', backend), labelled('preset', preset));
    preset.addEventListener('change', () => {
      const values = PRESETS[preset.value as PresetName];
      for (const f of FIELDS) {
        const input = form.elements.namedItem(f.key) as HTMLInputElement | HTMLSelectElement | null;
        if (input) input.value = String(values[f.key]);
      }
    });
    for (const f of FIELDS) {
      let input: HTMLInputElement | HTMLSelectElement;
      if (f.kind === 'select') {
        input = el('select', { name: f.key }) as HTMLSelectElement;
        for (const v of f.options!) input.appendChild(option(v, v));
      } else {
        input = el('input', { name: f.key, type: 'number', step: f.step ?? 'any', inputmode: 'decimal' }) as HTMLInputElement;
      }
      input.value = String(base[f.key]);
      form.append(labelled(f.label, input));
    }
    this.error = el('p', { class: 'pq-error', role: 'alert' });
    form.append(el('button', { type: 'submit' }, 'Apply'), this.error);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.apply(form);
    });
    parent.append(section('Settings', form));
  }

  /** Shows `config` in the form (e.g. a checkpoint's own settings, resumed). */
  show(config: QmixConfig): void {
    const set = (name: string, value: string): void => {
      const input = this.form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
      if (input) input.value = value;
    };
    this.current = config;
    set('algo', config.mixer === 'none' ? 'iql' : config.mixer);
    set('preset', config.preset);
    for (const f of FIELDS) set(f.key, String(config[f.key]));
    this.error.textContent = '';
  }

  private apply(form: HTMLFormElement): void {
    const data = new FormData(form);
    const next: Record<string, unknown> = {};
    for (const f of FIELDS) {
      const raw = String(data.get(f.key) ?? '').trim();
      if (raw === '') {
        this.error.textContent = `${f.label} (${f.key}) is empty: enter a value`;
        return;
      }
      next[f.key] = f.kind === 'select' ? raw : Number(raw);
    }
    const algo = String(data.get('algo')) as EditorAlgo;
    next.preset = String(data.get('preset'));
    // The fields the form does not show follow a preset switch too (the optimizer, the mixer's init...).
    const full = { ...presetSwitch(this.current, next.preset as PresetName), ...next } as Partial<QmixConfig>;
    try {
      this.current = validateConfig({ ...this.current, ...full, mixer: algo === 'iql' ? 'none' : algo });
    } catch (e) {
      this.error.textContent = e instanceof ConfigError ? e.message : String(e);
      return;
    }
    this.error.textContent = '';
    this.onApply(full, algo, String(data.get('backend')) as EditorBackend);
  }
}

/**
 * The values a switch from `config`'s preset to `to` changes besides the
 * form's fields: each field where `config` still has its own preset's value
 * takes `to`'s; a field set apart from the preset (the page's own config)
 * keeps its value, as explicit fields win over a preset everywhere.
 * @example
 * ```ts
 * presetSwitch(PRESETS.pymarl, 'game'); // { optimizer: 'adam', mixerInit: 'neutral', ... }
 * ```
 */
export function presetSwitch(config: QmixConfig, to: PresetName): Partial<QmixConfig> {
  if (to === config.preset || !Object.hasOwn(PRESETS, to) || !Object.hasOwn(PRESETS, config.preset)) return {};
  const from = PRESETS[config.preset];
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(PRESETS[to]) as (keyof QmixConfig)[]) {
    if (key === 'mixer' || key === 'preset' || FIELDS.some((f) => f.key === key)) continue;
    if (config[key] === from[key] && PRESETS[to][key] !== from[key]) out[key] = PRESETS[to][key];
  }
  return out as Partial<QmixConfig>;
}
