// The demo game's numbers: win rates of the shipped QMIX squad, the VDN and
// IQL squads trained with the same budget, and the scripted baseline, over
// seeded rounds against the rabbit they trained against (flee) and one they
// never met (forager). Policies are read from assets/carrot-heist/.
import { existsSync, readFileSync } from 'node:fs';
import { loadPolicy } from '../../plugin/runtime/greedy-policy.js';
import { policyPlayer, scriptedPlayer, winRate, type GardenerSquadPlayer, type WinRate } from '../../demo-game/rules/evaluate.js';

/** Squad name -> policy file (relative to the repo root). */
export const HEIST_POLICIES = {
  qmix: 'assets/carrot-heist/policy.json',
  vdn: 'assets/carrot-heist/baselines/vdn.json',
  iql: 'assets/carrot-heist/baselines/iql.json',
} as const;

export interface HeistBench {
  readonly episodes: number;
  readonly seeds: string;
  /** Per squad, per rabbit: the win rate (rabbit caught) and mean ticks to the catch. */
  readonly squads: Record<string, { readonly training?: unknown; readonly flee: WinRate; readonly forager: WinRate } | { readonly missing: string }>;
}

/** Plays `episodes` seeded rounds (env seeds 0..episodes-1) per squad and rabbit. */
export function heistBench(episodes = 500): HeistBench {
  const squads: HeistBench['squads'] = {};
  const entries: [string, () => GardenerSquadPlayer, unknown][] = [];
  for (const [name, path] of Object.entries(HEIST_POLICIES)) {
    if (!existsSync(path)) {
      squads[name] = { missing: path };
      continue;
    }
    const policy = loadPolicy(readFileSync(path, 'utf8'));
    entries.push([name, () => policyPlayer(policy), policy.file.training]);
  }
  entries.push(['scripted', () => scriptedPlayer(0), undefined]);
  for (const [name, player, training] of entries) {
    squads[name] = {
      ...(training ? { training } : {}),
      flee: winRate(player(), { rabbit: 'flee' }, episodes, 0),
      forager: winRate(player(), { rabbit: 'forager' }, episodes, 0),
    };
  }
  return { episodes, seeds: `0..${episodes - 1}`, squads };
}
