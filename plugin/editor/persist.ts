/**
 * The editor's settings across a reload: the applied form (config,
 * algorithm, backend), the speed and the experience source, in
 * localStorage under one key per editor. What cannot be read back (another
 * version, a hand edit, storage turned off) is ignored: the page's own
 * defaults apply and nothing else is touched.
 */
import { validateConfig, type QmixConfig } from '../core/config.js';
import type { EditorAlgo } from './settings.js';

/** What the editor keeps. */
export interface EditorPrefs {
  readonly config?: Partial<QmixConfig>;
  readonly algo?: EditorAlgo;
  readonly backend?: string;
  readonly speed?: string;
  readonly source?: string;
}

type StorageLike = Pick<Storage, 'getItem' | 'setItem'>;

const ALGOS: readonly string[] = ['qmix', 'vdn', 'iql'];

/** localStorage where the page may use it (a sandboxed frame or a privacy mode may refuse). */
function defaultStorage(): StorageLike | null {
  try {
    return typeof localStorage !== 'undefined' ? localStorage : null;
  } catch {
    return null;
  }
}

/**
 * @example
 * ```ts
 * const prefs = new EditorPrefsStore('phaser-qmix-editor:guards');
 * const saved = prefs.load();          // {} the first time
 * prefs.save({ speed: 'max' });        // merged into what is kept
 * ```
 */
export class EditorPrefsStore {
  private kept: EditorPrefs;

  /** `key` null: keep nothing. */
  constructor(
    private readonly key: string | null,
    private readonly storage: StorageLike | null = defaultStorage(),
  ) {
    this.kept = this.read();
  }

  /** What was kept (only what is well-formed; a config that fails validation on `base` is dropped). */
  load(base: Partial<QmixConfig> = {}): EditorPrefs {
    const p = this.kept;
    let config = p.config;
    if (config !== undefined) {
      try {
        validateConfig({ ...base, ...config });
      } catch {
        config = undefined;
      }
    }
    return {
      ...(config ? { config } : {}),
      ...(typeof p.algo === 'string' && ALGOS.includes(p.algo) ? { algo: p.algo } : {}),
      ...(typeof p.backend === 'string' ? { backend: p.backend } : {}),
      ...(typeof p.speed === 'string' ? { speed: p.speed } : {}),
      ...(typeof p.source === 'string' ? { source: p.source } : {}),
    };
  }

  /** Merges `patch` into what is kept and writes it (a storage error is ignored: the settings still apply to this page). */
  save(patch: EditorPrefs): void {
    this.kept = { ...this.kept, ...patch };
    if (!this.key || !this.storage) return;
    try {
      this.storage.setItem(this.key, JSON.stringify(this.kept));
    } catch {
      // Quota or a refused storage: nothing to lose but the convenience.
    }
  }

  private read(): EditorPrefs {
    if (!this.key || !this.storage) return {};
    try {
      const raw = this.storage.getItem(this.key);
      const v: unknown = raw ? JSON.parse(raw) : {};
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as EditorPrefs) : {};
    } catch {
      return {};
    }
  }
}
