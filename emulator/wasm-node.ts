/**
 * @fileoverview Node edge of the wasm emulator: reads and compiles the asc-built core
 * (build/release.wasm at the repository root) and the learning engine's kernel (build/learning.wasm).
 * Browsers fetch the files themselves and pass the bytes or a compiled module to createWasmEmulator
 * (emulator/wasm.ts) or createLearningChip (emulator/learning/index.ts), which have no Node imports.
 */
import { readFile } from "node:fs/promises";

/** build/release.wasm, resolved from this file (emulator/) so the working directory does not matter. */
export const WASM_CORE_URL = new URL("../build/release.wasm", import.meta.url);

let cached: Promise<WebAssembly.Module> | null = null;

async function compileFile(url: URL): Promise<WebAssembly.Module> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(await readFile(url)); // a plain ArrayBuffer-backed copy for BufferSource
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error(`the wasm core is not built: run \`npm run asbuild\` (missing ${url.pathname})`);
    }
    throw err;
  }
  return WebAssembly.compile(bytes);
}

/**
 * Compiles the core (once per process for the default file; each emulator still gets its own
 * instance). `url` points elsewhere, e.g. at build/debug.wasm.
 */
export function loadWasmCore(url: URL = WASM_CORE_URL): Promise<WebAssembly.Module> {
  if (url.href !== WASM_CORE_URL.href) return compileFile(url);
  cached ??= compileFile(url);
  cached.catch(() => { cached = null; }); // a later build can still be picked up
  return cached;
}

/** build/learning.wasm: the learning engine's hot loops (emulator/assembly/learning.ts). */
export const LEARNING_KERNEL_URL = new URL("../build/learning.wasm", import.meta.url);

let cachedKernel: Promise<WebAssembly.Module> | null = null;

/** Compiles the learning kernel once per process (each learning chip gets its own instance). */
export function loadLearningKernel(): Promise<WebAssembly.Module> {
  cachedKernel ??= compileFile(LEARNING_KERNEL_URL);
  cachedKernel.catch(() => { cachedKernel = null; });
  return cachedKernel;
}
