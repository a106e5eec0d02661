/**
 * What a kernel backend declares about itself. Precision and tolerance are part of the contract: a float32 backend
 * is allowed only because it states how far its answers may sit from the float64 ones.
 */

export type Precision = 'f64' | 'f32';
export type Device = 'cpu' | 'gpu';

/** Whether a backend can run here; when not, one line saying why (shown by tests and `backendInfo`). */
export type Availability =
  | { readonly available: true; readonly detail: string; readonly hardware: boolean }
  | { readonly available: false; readonly reason: string };

export interface KernelBackend {
  /** Registry key and the label results report, e.g. "cpu-wasm-simd", "gpujs-webgpu". */
  readonly name: string;
  readonly device: Device;
  readonly precision: Precision;
  /**
   * Bound on |C̃ᵢⱼ − Cᵢⱼ| / (‖xᵢ‖·‖yⱼ‖) for a product C = XᵀY with columns xᵢ, yⱼ: the Cauchy–Schwarz scale of each
   * entry, so one number covers every magnitude. Float64 backends differ from each other only by summation order.
   */
  readonly tolerance: number;
  /** Higher runs first among backends of the same device and precision (the fastest measured here wins). */
  readonly priority: number;
  /** Cheap after the first call (cached). Never throws: a failure is reported as unavailable with a reason. */
  probe(): Promise<Availability>;
  /** Releases threads, devices and memory; the backend starts again lazily on its next use. */
  dispose(): Promise<void>;
}

/** What a call reports about the backend that served it. */
export interface BackendInfo {
  readonly name: string;
  readonly device: Device;
  readonly precision: Precision;
  readonly tolerance: number;
  /** Implementation detail: thread count, adapter name, gpu.js mode, the BLAS library. */
  readonly detail: string;
  /** What results report as `kernel_backend`: the name, with the library for BLAS ("blas:openblas-0.3.21 (2 threads)"). */
  readonly label: string;
}

/** Tolerance of the float64 backends: summation order only, n·ε stays far below this for n ≤ 10⁶ rows in practice. */
export const F64_TOLERANCE = 1e-12;

/**
 * Tolerance of the float32 backends (gpu.js). They rescale columns by powers of two and sum at most 512 products in
 * float32 before accumulating in float64 on the host, so the bound is input rounding (2⁻²³) plus 512·2⁻²⁴ ≈ 3·10⁻⁵
 * in the worst case; typical errors are ~10⁻⁶.
 */
export const F32_TOLERANCE = 1e-4;
