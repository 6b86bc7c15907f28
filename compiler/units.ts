/**
 * @fileoverview Physical dimensions and units of DSL numbers.
 *
 * A value is a number in canonical units (time in ms, voltage in mV) with a dimension given by its
 * exponents of time and voltage, so that `1 / 20ms` is a frequency and `20ms / 0.1ms` is a plain
 * number. Units accepted in source: s, ms, us (time), Hz, kHz (1/time), mV, V (voltage).
 */

export interface Dimension {
  time: number;
  voltage: number;
}

export const DIMENSIONLESS: Dimension = { time: 0, voltage: 0 };
export const TIME: Dimension = { time: 1, voltage: 0 };
export const VOLTAGE: Dimension = { time: 0, voltage: 1 };
export const FREQUENCY: Dimension = { time: -1, voltage: 0 };

/** Unit suffix → dimension and factor to canonical units (ms, mV). */
export const UNITS: Readonly<Record<string, { dimension: Dimension; factor: number }>> = {
  s: { dimension: TIME, factor: 1000 },
  ms: { dimension: TIME, factor: 1 },
  us: { dimension: TIME, factor: 0.001 },
  Hz: { dimension: FREQUENCY, factor: 0.001 },
  kHz: { dimension: FREQUENCY, factor: 1 },
  V: { dimension: VOLTAGE, factor: 1000 },
  mV: { dimension: VOLTAGE, factor: 1 },
};

export function sameDimension(a: Dimension, b: Dimension): boolean {
  return a.time === b.time && a.voltage === b.voltage;
}

export function multiplyDimensions(a: Dimension, b: Dimension): Dimension {
  return { time: a.time + b.time, voltage: a.voltage + b.voltage };
}

export function divideDimensions(a: Dimension, b: Dimension): Dimension {
  return { time: a.time - b.time, voltage: a.voltage - b.voltage };
}

/** A word for error messages: "a time", "a voltage", "a plain number", "time^2". */
export function describeDimension(d: Dimension): string {
  if (sameDimension(d, DIMENSIONLESS)) return "a plain number";
  if (sameDimension(d, TIME)) return "a time (s, ms, us)";
  if (sameDimension(d, VOLTAGE)) return "a voltage (mV, V)";
  if (sameDimension(d, FREQUENCY)) return "a frequency (Hz, kHz)";
  const parts: string[] = [];
  if (d.time !== 0) parts.push(`time^${d.time}`);
  if (d.voltage !== 0) parts.push(`voltage^${d.voltage}`);
  return parts.join("·");
}
