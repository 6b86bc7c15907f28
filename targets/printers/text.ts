/**
 * @fileoverview Small printers shared by the text targets: C array initialisers, fixed-width hex
 * words for Verilog `$readmemh` images (two's complement for negative values), and CSV cells.
 */

/** `static const TYPE NAME[COUNT] = {…};` with a fixed number of values per line (C99 forbids empty arrays: one 0 then). */
export function cArray(type: string, name: string, values: ArrayLike<number>, perLine = 16): string {
  const items = values.length === 0 ? ["0"] : Array.from(values, (v) => cInteger(v));
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += perLine) lines.push(`  ${items.slice(i, i + perLine).join(", ")}`);
  return `static const ${type} ${name}[${items.length}] = {\n${lines.join(",\n")}\n};\n`;
}

/** An integer literal valid in C99 for any int32 (INT32_MIN cannot be written as a plain literal). */
export function cInteger(value: number): string {
  if (!Number.isInteger(value)) throw new Error(`not an integer: ${value}`);
  return value === -2147483648 ? "(-2147483647 - 1)" : String(value);
}

/** `value` as `bits / 4` hex digits (two's complement when `signed`); throws when it does not fit. */
export function hexWord(value: number, bits: number, signed: boolean, what: string): string {
  const limit = 2 ** bits;
  const [low, high] = signed ? [-(limit / 2), limit / 2 - 1] : [0, limit - 1];
  if (!Number.isInteger(value) || value < low || value > high) throw new RangeError(`${what} = ${value} does not fit a ${bits}-bit ${signed ? "signed" : "unsigned"} field`);
  const unsigned = value < 0 ? limit + value : value;
  return unsigned.toString(16).padStart(bits / 4, "0");
}

/** Reads a hex word back, as signed (two's complement) or unsigned. */
export function parseHexWord(text: string, bits: number, signed: boolean): number {
  const value = parseInt(text, 16);
  if (!/^[0-9a-fA-F]+$/.test(text) || !Number.isFinite(value)) throw new Error(`'${text}' is not a hex word`);
  return signed && value >= 2 ** (bits - 1) ? value - 2 ** bits : value;
}

/** A CSV cell: quoted when it holds a comma, quote or line break. */
export function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: (string | number)[]): string {
  return cells.map(csvCell).join(",") + "\n";
}
