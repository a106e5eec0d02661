/**
 * One gpu.js instance per mode plus a small cache of compiled kernels. gpu.js fixes argument and output sizes when
 * it compiles a kernel (its dynamic-size options proved unreliable in cpu mode), so kernels are cached by shape;
 * the oldest is destroyed past CACHE_SIZE.
 */
import type { GPU, IKernelRunShortcut, Input, OutputDimensions } from 'gpu.js';

export type GpujsMode = 'webgpu' | 'webgl2' | 'webasm' | 'cpu';

const CACHE_SIZE = 8;

/** Results come back as nested arrays of Float32Array, one nesting level per output dimension. */
export type Output3D = Float32Array[][];

export class GpujsRuntime {
  private readonly kernels = new Map<string, IKernelRunShortcut>();

  constructor(
    private readonly gpu: GPU,
    readonly input: (value: Float32Array, size: number[]) => Input,
  ) {}

  static async create(mode: GpujsMode): Promise<GpujsRuntime> {
    const gpujs = await import('gpu.js');
    // gpu.js reads typed arrays fine; its typings only admit number[].
    const input = (value: Float32Array, size: number[]): Input =>
      new gpujs.Input(value as unknown as number[], size as OutputDimensions);
    return new GpujsRuntime(new gpujs.GPU({ mode }), input);
  }

  /** The kernel for `key`, built by `build` on first use. */
  kernel(key: string, build: (gpu: GPU) => IKernelRunShortcut): IKernelRunShortcut {
    let k = this.kernels.get(key);
    if (k) {
      this.kernels.delete(key);
      this.kernels.set(key, k);
      return k;
    }
    k = build(this.gpu);
    this.kernels.set(key, k);
    if (this.kernels.size > CACHE_SIZE) {
      const [oldestKey, oldest] = this.kernels.entries().next().value as [string, IKernelRunShortcut];
      this.kernels.delete(oldestKey);
      void oldest.destroy();
    }
    return k;
  }

  async destroy(): Promise<void> {
    this.kernels.clear();
    await this.gpu.destroy();
  }
}
