import { loadCubaNetwork } from "./networks.ts";
for (const [n, p] of [[4000, 0.02], [40000, 0.002], [160000, 0.002]] as const) {
  const r = await loadCubaNetwork(n, p, "compiled");
  const nn = r.network;
  console.log(n, r.buildSeconds.toFixed(2), nn.chip.coreCount, nn.placement.cores.length, nn.projections.map(x => x.connectivity.weights.length).reduce((a, b) => a + b), process.memoryUsage().rss / 1e6);
}
