/**
 * gpu.js's WebGPU mode looks for the browser's `navigator.gpu` and the GPUBufferUsage/GPUMapMode/GPUShaderStage
 * constants. In Node those come from the `webgpu` package (Dawn's node binding): this installs them on globalThis,
 * without replacing anything already there (Electron renderers and Node ≥ 21 have their own `navigator`).
 * Only the gpujs-webgpu backend calls this, on its first probe.
 */

interface DawnModule {
  create(options: string[]): unknown;
  globals: Record<string, unknown>;
}

/** What gpu.js and our probe need from the adapter; the rest of WebGPU stays opaque here. */
export interface AdapterInfo {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly description?: string;
  readonly isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(): Promise<{ info?: AdapterInfo; isFallbackAdapter?: boolean } | null>;
}

let installed: Promise<GpuLike> | undefined;

async function install(): Promise<GpuLike> {
  const g = globalThis as unknown as Record<string, unknown> & { navigator?: Record<string, unknown> };
  if (!g.navigator?.['gpu']) {
    const dawn = (await import('webgpu')) as unknown as DawnModule;
    for (const [name, value] of Object.entries(dawn.globals)) if (!(name in g)) g[name] = value;
    if (!g.navigator) Object.defineProperty(g, 'navigator', { value: {}, configurable: true, writable: true });
    Object.defineProperty(g.navigator!, 'gpu', { value: dawn.create([]), configurable: true });
  }
  return g.navigator!['gpu'] as GpuLike;
}

export function webGpu(): Promise<GpuLike> {
  installed ??= install();
  return installed;
}

/** Software rasterisers that expose WebGPU: correct, but slower than the CPU backends. */
const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|warp|basic render/i;

export function isSoftwareAdapter(info: AdapterInfo, fallback: boolean | undefined): boolean {
  return Boolean(fallback || info.isFallbackAdapter) || SOFTWARE.test(`${info.architecture} ${info.description} ${info.vendor}`);
}
