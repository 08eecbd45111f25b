/** The learner's kernel helper in a Node worker thread (see {@link useKernelThreads}). */
import { parentPort, workerData } from 'node:worker_threads';
import { serveKernelChannel, type KernelChannelBuffers } from '../learn/kernel-channel.js';

const { buffers } = workerData as { buffers: KernelChannelBuffers };
serveKernelChannel(buffers, () => parentPort!.postMessage('serving'));
