/**
 * `phaser-qmix/runtime`: what a shipped game needs to run trained NPCs.
 * Pure TypeScript: imports neither tfjs nor Phaser.
 */
export { GreedyPolicy, loadPolicy } from './greedy-policy.js';
export {
  parsePolicyFile,
  parsePolicyArrays,
  policyChecksum,
  PolicyError,
  POLICY_FORMAT,
  POLICY_VERSION,
  POLICY_LIMITS,
  type PolicyFile,
  type PolicyHeader,
  type PolicyExpectation,
  type PolicyTraining,
  type ParsedPolicy,
  type PolicyErrorKind,
} from './policy-file.js';
