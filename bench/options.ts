/**
 * @fileoverview Command-line options of the benchmark scripts: `--name value` pairs with defaults.
 */
export function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && index + 1 < process.argv.length ? process.argv[index + 1] : fallback;
}
