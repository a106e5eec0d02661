/** Every backend, registered by an explicit import list (no directory scanning). */
import './cpu/register.js';
import './wasm/register.js';
import './gpujs/register.js';
import './blas/register.js';
