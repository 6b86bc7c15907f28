// vitest: a longer default test timeout than vitest's 5 s. Several tests spawn the CLI, gcc or the
// HDF5 library, and CI's two cores are shared with the other test files running in parallel.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { testTimeout: 60_000, hookTimeout: 120_000 },
});
