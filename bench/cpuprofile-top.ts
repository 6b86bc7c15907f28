/**
 * @fileoverview Self time per function of a V8 CPU profile (the `.cpuprofile` that `node --cpu-prof`
 * writes), largest first: what a profile of bench/sfdfa-throughput.ts or bench/worker.ts is read with
 * in bench/RESULTS.md.
 *
 * Usage: npx tsx bench/cpuprofile-top.ts PROFILE.cpuprofile [--top 10]
 *   e.g. node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/sfdfa-throughput.ts --samples 3000
 *        npx tsx bench/cpuprofile-top.ts /tmp/prof/*.cpuprofile
 */
import { readFileSync } from "node:fs";
import { option } from "./options.ts";

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const path = process.argv[2];
if (!path || path.startsWith("--")) {
  console.error("usage: npx tsx bench/cpuprofile-top.ts PROFILE.cpuprofile [--top 10]");
  process.exit(2);
}
const top = Number(option("top", "10"));
const profile = JSON.parse(readFileSync(path, "utf8")) as Profile;
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const selfMicroseconds = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, k) => {
  const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
  const key = `${functionName || "(anonymous)"} ${url.split("/").slice(-2).join("/")}:${lineNumber + 1}`;
  selfMicroseconds.set(key, (selfMicroseconds.get(key) ?? 0) + profile.timeDeltas[k]);
  total += profile.timeDeltas[k];
});
console.log(`total ${(total / 1e6).toFixed(2)} s`);
for (const [key, us] of [...selfMicroseconds].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${(us / 1e6).toFixed(2)} s  ${((100 * us) / total).toFixed(1)} %  ${key}`);
}
