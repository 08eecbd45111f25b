// Browser page that uses only the tfjs-free runtime entry.
import { loadPolicy } from '../../../plugin/runtime/index.js';

function decide(policyJson: string, observations: number[][]): { actions: number[]; q: number[][] } {
  const policy = loadPolicy(policyJson);
  policy.resetEpisode();
  const actions: number[] = [];
  const q: number[][] = [];
  observations.forEach((o, i) => {
    actions.push(policy.act(i % policy.nAgents, o));
    q.push(Array.from(policy.lastQValues(i % policy.nAgents)));
  });
  return { actions, q };
}

Object.assign(globalThis, { decide, pageReady: true });
