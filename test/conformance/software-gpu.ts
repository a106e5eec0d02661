/**
 * Lets the suite exercise gpujs-webgpu on machines without a GPU: when no Vulkan driver list is configured and
 * Debian's chromium ships SwiftShader, SwiftShader is *added* to the Vulkan drivers (VK_ADD_DRIVER_FILES keeps any
 * real GPU visible, unlike VK_ICD_FILENAMES). Needs the Vulkan loader (libvulkan1); without it the backend is simply
 * reported unavailable with its reason. Must run before the first WebGPU probe, hence imported first by backends.ts.
 */
import { existsSync } from 'node:fs';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

if (!process.env['VK_ICD_FILENAMES'] && !process.env['VK_ADD_DRIVER_FILES'] && existsSync(SWIFTSHADER_ICD)) {
  process.env['VK_ADD_DRIVER_FILES'] = SWIFTSHADER_ICD;
}
