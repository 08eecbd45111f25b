/**
 * The charts' history beside the checkpoints it belongs to: kept in
 * localStorage under `<prefix>:charts:<checkpoint name>`, so a reload that
 * resumes the autosave, or a load of a named checkpoint, shows the run so
 * far instead of empty charts. The checkpoints live in IndexedDB and the
 * worker writes the autosave; the history is written by the page (the live
 * run every few seconds, a named checkpoint when it is saved), so a restore
 * keeps only the points up to the checkpoint's env steps. What cannot be
 * read back is ignored: the charts start empty, as they did before.
 */

/** One chart's points: x (env steps) and each series' values (null: no value there). */
export interface ChartPoints {
  readonly xs: number[];
  readonly ys: (number | null)[][];
}

/** Every chart's points, by chart name. */
export type ChartHistory = Record<string, ChartPoints>;

type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** Points kept per chart when stored (evenly thinned, the last point always kept): about 30 KB a checkpoint. */
export const STORED_POINTS = 400;

const VERSION = 1;

function defaultStorage(): StorageLike | null {
  try {
    return typeof localStorage !== 'undefined' ? localStorage : null;
  } catch {
    return null;
  }
}

/** `s` thinned to at most `max` points, evenly, keeping the first and the last. */
export function thin(s: ChartPoints, max = STORED_POINTS): ChartPoints {
  const n = s.xs.length;
  if (n <= max) return { xs: [...s.xs], ys: s.ys.map((y) => [...y]) };
  const pick = Array.from({ length: max }, (_, k) => Math.round((k * (n - 1)) / (max - 1)));
  return { xs: pick.map((i) => s.xs[i]), ys: s.ys.map((y) => pick.map((i) => y[i])) };
}

/** `s` with only the points at or before `x`. */
export function upTo(s: ChartPoints, x: number): ChartPoints {
  let n = 0;
  while (n < s.xs.length && s.xs[n] <= x) n++;
  return { xs: s.xs.slice(0, n), ys: s.ys.map((y) => y.slice(0, n)) };
}

function wellFormed(v: unknown): v is ChartPoints {
  if (!v || typeof v !== 'object') return false;
  const s = v as ChartPoints;
  return (
    Array.isArray(s.xs) &&
    s.xs.every((x) => typeof x === 'number' && Number.isFinite(x)) &&
    Array.isArray(s.ys) &&
    s.ys.every((y) => Array.isArray(y) && y.length === s.xs.length && y.every((p) => p === null || (typeof p === 'number' && Number.isFinite(p))))
  );
}

/**
 * @example
 * ```ts
 * const history = new ChartHistoryStore('phaser-qmix-editor:guards');
 * history.save('editor-autosave', charts.snapshot());
 * const kept = history.load('editor-autosave', restoredEnvSteps); // null: none kept
 * ```
 */
export class ChartHistoryStore {
  /** `prefix` null: keep nothing. */
  constructor(
    private readonly prefix: string | null,
    private readonly storage: StorageLike | null = defaultStorage(),
  ) {}

  /** Keeps `history` for the checkpoint `name` (thinned); a full or refused storage is ignored: the charts still show it. */
  save(name: string, history: ChartHistory): void {
    if (!this.prefix || !this.storage) return;
    const charts = Object.fromEntries(Object.entries(history).map(([k, s]) => [k, thin(s)]));
    try {
      this.storage.setItem(this.key(name), JSON.stringify({ version: VERSION, charts }));
    } catch {
      // Quota or a refused storage: only the history is lost, never a checkpoint.
    }
  }

  /** The history kept for `name`, with the points up to `envSteps` only; null when none is kept or it cannot be read. */
  load(name: string, envSteps: number): ChartHistory | null {
    if (!this.prefix || !this.storage) return null;
    try {
      const raw = this.storage.getItem(this.key(name));
      if (!raw) return null;
      const v = JSON.parse(raw) as { version?: unknown; charts?: unknown };
      if (v.version !== VERSION || !v.charts || typeof v.charts !== 'object') return null;
      const out: ChartHistory = {};
      for (const [k, s] of Object.entries(v.charts as Record<string, unknown>)) if (wellFormed(s)) out[k] = upTo(s, envSteps);
      return out;
    } catch {
      return null;
    }
  }

  /** Forgets the history of `name`. */
  remove(name: string): void {
    try {
      if (this.prefix) this.storage?.removeItem(this.key(name));
    } catch {
      // Nothing to do: a stale history is cut at its checkpoint's steps anyway.
    }
  }

  private key(name: string): string {
    return `${this.prefix}:charts:${name}`;
  }
}

/** What a {@link ChartKeeper} needs of the charts (`TrainingCharts` fits). */
export interface KeptCharts {
  snapshot(): ChartHistory;
  restore(history: ChartHistory): void;
  clear(): void;
}

/**
 * The editor's side of the history: the live run kept as the autosave's
 * history every few seconds (the autosave itself is at most a minute old),
 * a named checkpoint's kept when it is saved, and shown again when a run
 * continues from one.
 * @example
 * ```ts
 * const keeper = new ChartKeeper(new ChartHistoryStore('phaser-qmix-editor:guards'), charts, 'editor-autosave');
 * keeper.begin(true);                 // a fresh run: kept from the start
 * keeper.tick();                      // on every metrics message
 * keeper.continueFrom('backup', 9400); // after a load at 9,400 env steps
 * ```
 */
export class ChartKeeper {
  /** Whether the live run is kept as the autosave's history (not after a refused resume: that autosave is another run's). */
  private live = false;
  private savedAt = -Infinity;

  constructor(
    private readonly store: ChartHistoryStore,
    private readonly charts: KeptCharts,
    private readonly autosaveName: string,
    private readonly everyMs = 5000,
  ) {}

  /** A new run: a fresh one is kept from the start; a resumed one once its resume is confirmed ({@link continueFrom}). */
  begin(fresh: boolean): void {
    this.live = fresh;
  }

  /** The run continues checkpoint `name` at `envSteps`: its history is shown (else the charts start empty) and the live run is kept from here. */
  continueFrom(name: string, envSteps: number): void {
    const kept = this.store.load(name, envSteps);
    if (kept) this.charts.restore(kept);
    else this.charts.clear();
    this.live = true;
  }

  /** A checkpoint `name` was just saved: its history is the charts' now. */
  saved(name: string): void {
    this.store.save(name, this.charts.snapshot());
  }

  /** Keeps the live run as the autosave's history, at most every `everyMs`. */
  tick(now = performance.now()): void {
    if (!this.live || now - this.savedAt < this.everyMs) return;
    this.savedAt = now;
    this.store.save(this.autosaveName, this.charts.snapshot());
  }
}
