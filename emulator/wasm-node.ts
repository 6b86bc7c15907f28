/**
 * @fileoverview Node edge of the wasm emulator: reads and compiles the asc-built core
 * (build/release.wasm at the repository root). Browsers fetch the file themselves and pass the
 * bytes or a compiled module to createWasmEmulator (emulator/wasm.ts), which has no Node imports.
 */
import { readFile } from "node:fs/promises";

/** build/release.wasm, resolved from this file (emulator/) so the working directory does not matter. */
export const WASM_CORE_URL = new URL("../build/release.wasm", import.meta.url);

let cached: Promise<WebAssembly.Module> | null = null;

/** Compiles the core once per process; each emulator still gets its own instance. */
export function loadWasmCore(): Promise<WebAssembly.Module> {
  cached ??= (async () => {
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(await readFile(WASM_CORE_URL)); // a plain ArrayBuffer-backed copy for BufferSource
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") {
        throw new Error(`the wasm core is not built: run \`npm run asbuild\` (missing ${WASM_CORE_URL.pathname})`);
      }
      throw err;
    }
    return WebAssembly.compile(bytes);
  })();
  cached.catch(() => { cached = null; }); // a later build can still be picked up
  return cached;
}
