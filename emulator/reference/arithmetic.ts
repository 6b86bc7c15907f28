/**
 * @fileoverview The chip's integer arithmetic, one function per rule of docs/chip.md §2 and §4:
 * decay (multiply and shift), the current wrap, the voltage saturation and the weight contribution.
 *
 * Everything works on plain JS numbers holding integers. Products that need more than 32 bits
 * (|x|·retain can need 36) are computed exactly in doubles, which hold integers up to 2^53 without
 * loss; `| 0` marks the places where the chip keeps only 32 bits (two's complement).
 */

/** Fraction bits of a `multiply` decay: retain is a 12-bit fraction, 4096 = 1.0. */
const RETAIN_ONE = 4096;

/** Largest `shift` decay value; it means "no decay" (chip.md §4). */
const SHIFT_NO_DECAY = 31;

/**
 * Keeps the low 32 bits of an integer as a signed int32. Used wherever the chip has a 32-bit
 * register: the input accumulator and the state sums (Lava keeps u and v in int32 arrays).
 */
export function toInt32(x: number): number {
  return x | 0;
}

/**
 * `sign(x) · ((|x| · retain) >> 12)`: multiply by retain/4096 and round toward zero, as Loihi's
 * sign–magnitude shift does. |x| < 2^32 and retain ≤ 4096, so the product stays below 2^44 and is
 * exact in a double; dividing by 4096 is exact too, and floor of a non-negative value truncates.
 */
export function decayMultiply(x: number, retain: number): number {
  const magnitude = Math.floor((Math.abs(x) * retain) / RETAIN_ONE);
  return x < 0 ? 0 - magnitude : magnitude; // 0 − 0 is +0: no −0 leaks into the state
}

/**
 * `x − (x >> shift)` with an arithmetic shift (rounds toward −∞, like Xylo-class bit-shift decays).
 * shift 0 empties the variable (x − x); shift 31 is the documented "no decay" value, because an
 * arithmetic shift of an int32 by 31 would give 0 or −1, not a tiny leak.
 */
export function decayShift(x: number, shift: number): number {
  if (shift >= SHIFT_NO_DECAY) return x;
  return x - (x >> shift);
}

/**
 * Lava's current wrap with `H = 2^(currentBits−1)`: one conditional correction, no loop. The input is
 * an int32 (the sum was taken modulo 2^32, as in Lava's int32 arrays); a value beyond (−3H, 3H]
 * therefore stays out of range after the correction — that is what Lava does, so we do the same.
 */
export function wrapCurrent(x: number, currentBits: number): number {
  const half = 2 ** (currentBits - 1);
  if (x > half) return x - 2 * half;
  if (x <= -half) return x + 2 * half;
  return x;
}

/** Clamps to ±(2^(voltageBits−1) − 1): the voltage saturates, it never wraps. */
export function saturateVoltage(x: number, voltageBits: number): number {
  const limit = 2 ** (voltageBits - 1) - 1;
  if (x > limit) return limit;
  if (x < -limit) return -limit;
  return x;
}

/**
 * What one synapse adds to the accumulator: `mantissa << (weightShift + exponent)`, kept to 32 bits.
 * The spec only defines a left shift; should the total shift ever be negative (a negative exponent
 * larger than weightShift) we divide by the power of two rounding toward zero, the chip's rule for
 * every division (chip.md §2, "Rounding"). Valid networks from our generator never take that branch.
 */
export function weightContribution(mantissa: number, totalShift: number): number {
  if (totalShift >= 0) return toInt32(mantissa * 2 ** totalShift);
  const magnitude = Math.floor(Math.abs(mantissa) / 2 ** -totalShift);
  return mantissa < 0 ? 0 - magnitude : magnitude;
}
