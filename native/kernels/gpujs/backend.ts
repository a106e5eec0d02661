/**
 * gpu.js backends, one per gpu.js mode, all float32 (F32_TOLERANCE):
 *   gpujs-webgpu  WGSL compute shaders through WebGPU: the browser's, or Dawn's node binding (`webgpu` package);
 *   gpujs-webgl2  fragment-shader kernels; needs a browser WebGL2 context, so never available in Node;
 *   gpujs-webasm  gpu.js's own f32x4 WebAssembly kernels (CPU);
 *   gpujs-cpu     gpu.js's JavaScript kernels (CPU).
 * Only webgpu on a hardware adapter counts as a real GPU for the 'gpu' choice; a software adapter (SwiftShader,
 * llvmpipe) works and is tested, but loses to the float64 CPU backends.
 */
import { F32_TOLERANCE, type Availability, type Device, type KernelBackend } from '../backend.js';
import { GpujsRuntime, type GpujsMode } from './runtime.js';
import { isSoftwareAdapter, webGpu } from './webgpu-globals.js';

const PRIORITY: Record<GpujsMode, number> = { webgpu: 20, webgl2: 10, webasm: 2, cpu: 1 };
const DEVICE: Record<GpujsMode, Device> = { webgpu: 'gpu', webgl2: 'gpu', webasm: 'cpu', cpu: 'cpu' };

const NO_ADAPTER =
  'no WebGPU adapter (Dawn found no Vulkan/Metal/D3D12 device; on Linux without a GPU, SwiftShader works: install the ' +
  'Vulkan loader libvulkan1 and set VK_ICD_FILENAMES to its ICD, e.g. /usr/lib/chromium/vk_swiftshader_icd.json)';

async function checkWebGpu(): Promise<Availability> {
  try {
    const gpu = await webGpu();
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { available: false, reason: NO_ADAPTER };
    const info = adapter.info ?? {};
    const software = isSoftwareAdapter(info, adapter.isFallbackAdapter);
    const name = info.description || `${info.vendor ?? '?'} ${info.architecture ?? ''}`.trim();
    return { available: true, detail: `gpu.js WebGPU on ${name}${software ? ' (software)' : ''}, float32`, hardware: !software };
  } catch (error) {
    return { available: false, reason: `WebGPU could not start: ${(error as Error).message}` };
  }
}

async function checkMode(mode: Exclude<GpujsMode, 'webgpu'>): Promise<Availability> {
  try {
    const { GPU } = await import('gpu.js');
    if (mode === 'webgl2' && !GPU.isWebGL2Supported) {
      return { available: false, reason: 'WebGL2 needs a browser context; there is none in Node' };
    }
    if (mode === 'webasm' && !GPU.isWebAssemblySupported) {
      return { available: false, reason: 'gpu.js reports no WebAssembly support' };
    }
    return { available: true, detail: `gpu.js ${mode} mode, float32`, hardware: mode === 'webgl2' };
  } catch (error) {
    return { available: false, reason: `gpu.js could not load: ${(error as Error).message}` };
  }
}

export class GpujsBackend implements KernelBackend {
  readonly name: string;
  readonly device: Device;
  readonly precision = 'f32' as const;
  readonly tolerance = F32_TOLERANCE;
  readonly priority: number;
  private availability: Promise<Availability> | undefined;
  private started: Promise<GpujsRuntime> | undefined;

  constructor(readonly mode: GpujsMode) {
    this.name = `gpujs-${mode}`;
    this.device = DEVICE[mode];
    this.priority = PRIORITY[mode];
  }

  probe(): Promise<Availability> {
    this.availability ??= this.mode === 'webgpu' ? checkWebGpu() : checkMode(this.mode);
    return this.availability;
  }

  runtime(): Promise<GpujsRuntime> {
    this.started ??= GpujsRuntime.create(this.mode);
    return this.started;
  }

  async dispose(): Promise<void> {
    const runtime = this.started;
    this.started = undefined;
    if (runtime) await (await runtime).destroy();
  }
}

export const GPUJS_BACKENDS: readonly GpujsBackend[] = (['webgpu', 'webgl2', 'webasm', 'cpu'] as const).map(
  (mode) => new GpujsBackend(mode),
);
