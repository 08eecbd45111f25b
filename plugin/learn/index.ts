/** The tfjs learning layer: agent networks, mixers, learner, actor, training loop. */
export { useBackend, currentBackend, type BackendName } from './backend.js';
export { QLearner, type UpdateStats, type LearnerState, type WeightMap } from './learner.js';
export { TfjsActor, BatchActor } from './actor.js';
export { LockstepCollector } from './lockstep.js';
export { Trainer, type TrainEpisodeResult } from './trainer.js';
export { EpisodeTrainer, type TrainerLoopState } from './episode-trainer.js';
export { makeCheckpoint, restoreCheckpoint } from './checkpoint.js';
export { AgentInputs, agentForward, type AgentForwardOptions, type AgentOutput } from './agent-net.js';
export { fusedAgentQ, type FusedAgentOutput } from './fused-agent.js';
export { canFuseMixer, fusedMix, mixQ } from './fused-mixer.js';
export { fusedKernelsOn, kernelVariant, useFusedKernels, wasmKernel, type KernelVariant } from './wasm-kernel.js';
export { readTidy } from './read.js';
export { mixForward, mixerParamSpecs, mixerOutputs, type MixerShape } from './mixers.js';
export { TorchOptimizer, clipByGlobalNorm, type OptimizerSettings, type OptimizerState, type ParamGroup } from './optimizers.js';
export { ParamSet } from './params.js';
export { tdTargets, bootstrapEnds, lambdaMatrix, type TdTargetInputs } from './targets.js';
export { exportPolicy, policyHeader, readAgentWeights, type PolicyExportInfo } from './policy-export.js';
export { train, type TrainOptions, type TrainProgress, type TrainResult, type Algo } from './train.js';
