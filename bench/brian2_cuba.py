#!/usr/bin/python3
"""@fileoverview Brian2's CUBA example (examples/CUBA.py, Brette et al. 2007 benchmark 2) as a
yardstick for the neurocc emulators.

Usage (Debian's python, which sees python3-brian; NOT the pyenv `python3`):

    /usr/bin/python3 bench/brian2_cuba.py --target cpp_standalone|cython --n 4000 --p 0.02 \
        [--duration 1.0] [--seed 1] [--workdir bench/out/brian2]

Model: the official equations and constants (taum 20 ms, taue 5 ms, taui 10 ms, Vt -50 mV,
Vr -60 mV, El -49 mV, refractory 5 ms, we = 60*0.27/10 mV, wi = -20*4.5/10 mV,
v0 = Vr + rand()*(Vt - Vr), 80 % excitatory, connect with probability p), method 'exact',
dt = 0.1 ms, plus a SpikeMonitor (as in the example). Single-threaded (no OpenMP).

What is timed (compilation and network construction are excluded):
  * cython: a small warm-up network (N = 400, 1 ms) is built and run first in the same process so
    that every code object is compiled into Brian's cache; then the real network is built and
    `run(duration)` is called. The figure is Brian's own `device._last_run_time`, which
    Network.run measures around the time-step loop only (after before_run, i.e. after loading
    the compiled code objects). `runCallSeconds` is the wall time of the whole run() call.
  * cpp_standalone: `set_device('cpp_standalone', build_on_run=False)`, then
    `device.build(compile=True, run=False)` (code generation + gcc, untimed), then the binary is
    run with `device.run()`. The figure is again `device._last_run_time`, which the generated
    main() measures around Network::run's step loop (std::clock, single thread: CPU time ≈ wall
    time) and writes to results/last_run_info.txt. `binarySeconds` is the wall time of the whole
    binary (synapse creation + run + writing results), measured around device.run().

Output: one JSON line: target, n, p, duration, wallSeconds (= _last_run_time), wallPerSimSecond,
spikes, synapses, events (sum over neurons of spikes x that neuron's out-degree, i.e. exactly the
synaptic events; equals spikes x mean fan-out on average), neuronUpdatesPerSecond,
synapticEventsPerSecond, peakRssBytes (cython: this process's ru_maxrss; cpp_standalone: the
binary's, recorded by GNU time
around ./main), plus the untimed phases.
"""
import argparse
import json
import os
import resource
import sys
import time
import warnings


def build_cuba(b2, n, p):
    """The network of Brian2's examples/CUBA.py with N and p as parameters."""
    ms, mV = b2.ms, b2.mV
    taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
    Vt, Vr, El = -50 * mV, -60 * mV, -49 * mV
    eqs = """
    dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    """
    P = b2.NeuronGroup(n, eqs, threshold="v>Vt", reset="v = Vr", refractory=5 * ms,
                       method="exact", namespace=dict(taum=taum, taue=taue, taui=taui,
                                                      Vt=Vt, Vr=Vr, El=El))
    P.v = "Vr + rand() * (Vt - Vr)"
    P.ge = 0 * mV
    P.gi = 0 * mV
    we = (60 * 0.27 / 10) * mV  # excitatory synaptic weight (voltage)
    wi = (-20 * 4.5 / 10) * mV  # inhibitory synaptic weight
    ne = int(round(0.8 * n))
    Ce = b2.Synapses(P, P, on_pre="ge += we", namespace=dict(we=we))
    Ci = b2.Synapses(P, P, on_pre="gi += wi", namespace=dict(wi=wi))
    Ce.connect("i<ne", p=p, namespace=dict(ne=ne))
    Ci.connect("i>=ne", p=p, namespace=dict(ne=ne))
    s_mon = b2.SpikeMonitor(P)
    net = b2.Network(P, Ce, Ci, s_mon)
    return net, P, Ce, Ci, s_mon


def out_degree_events(np, n, s_mon, Ce, Ci):
    counts = np.asarray(s_mon.count[:], dtype=np.int64)
    fan = np.bincount(np.asarray(Ce.i[:]), minlength=n) + np.bincount(np.asarray(Ci.i[:]), minlength=n)
    return int(counts.sum()), int(len(Ce) + len(Ci)), int((counts * fan).sum())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--target", choices=["cpp_standalone", "cython"], required=True)
    ap.add_argument("--n", type=int, default=4000)
    ap.add_argument("--p", type=float, default=0.02)
    ap.add_argument("--duration", type=float, default=1.0, help="simulated seconds")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "out", "brian2"))
    args = ap.parse_args()

    warnings.filterwarnings("ignore")
    import numpy as np
    import brian2 as b2

    b2.BrianLogger.log_level_error()
    os.makedirs(args.workdir, exist_ok=True)
    b2.defaultclock.dt = 0.1 * b2.ms
    duration = args.duration * b2.second
    result = dict(target=args.target, n=args.n, p=args.p, duration=args.duration)

    if args.target == "cython":
        b2.prefs.codegen.target = "cython"
        b2.prefs.codegen.runtime.cython.cache_dir = os.path.join(args.workdir, "cython_cache")
        b2.seed(args.seed)
        t = time.perf_counter()
        warm, *_ = build_cuba(b2, 400, 0.2)
        warm.run(1 * b2.ms)
        result["warmupSeconds"] = time.perf_counter() - t
        b2.seed(args.seed)
        t = time.perf_counter()
        net, P, Ce, Ci, s_mon = build_cuba(b2, args.n, args.p)
        result["buildSeconds"] = time.perf_counter() - t
        t = time.perf_counter()
        net.run(duration)
        result["runCallSeconds"] = time.perf_counter() - t
        result["wallSeconds"] = float(b2.device._last_run_time)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    else:
        b2.set_device("cpp_standalone", build_on_run=False, directory=os.path.join(args.workdir, f"standalone_{args.n}"))
        b2.prefs.devices.cpp_standalone.openmp_threads = 0
        # Run the binary under GNU time, which records the binary's own peak RSS (this process's
        # RUSAGE_CHILDREN would also include gcc's). ru_maxrss survives exec, so the figure is
        # max(binary, the few MB of `time` itself); without /usr/bin/time, a python wrapper does the
        # same with a floor of ~10 MB.
        if os.path.exists("/usr/bin/time"):
            b2.prefs.devices.cpp_standalone.run_cmd_unix = ["/usr/bin/time", "-f", "%M", "-o", "results/peak_rss_kib.txt", "./main"]
        else:
            b2.prefs.devices.cpp_standalone.run_cmd_unix = [
                sys.executable, "-c",
                "import resource, subprocess, sys; r = subprocess.call(['./main']); "
                "open('results/peak_rss_kib.txt', 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
                "sys.exit(r)",
            ]
        b2.seed(args.seed)
        net, P, Ce, Ci, s_mon = build_cuba(b2, args.n, args.p)
        net.run(duration)
        t = time.perf_counter()
        b2.device.build(compile=True, run=False, directory=os.path.join(args.workdir, f"standalone_{args.n}"))
        result["buildSeconds"] = time.perf_counter() - t
        t = time.perf_counter()
        b2.device.run(directory=os.path.join(args.workdir, f"standalone_{args.n}"), with_output=False, run_args=[])
        result["binarySeconds"] = time.perf_counter() - t
        result["wallSeconds"] = float(b2.device._last_run_time)
        with open(os.path.join(args.workdir, f"standalone_{args.n}", "results", "peak_rss_kib.txt")) as f:
            peak = int(f.read().split()[-1]) * 1024

    spikes, synapses, events = out_degree_events(np, args.n, s_mon, Ce, Ci)
    wall = result["wallSeconds"]
    steps = int(round(args.duration / 1e-4))
    result.update(
        spikes=spikes,
        synapses=synapses,
        events=events,
        steps=steps,
        wallPerSimSecond=wall / args.duration,
        neuronUpdatesPerSecond=args.n * steps / wall,
        synapticEventsPerSecond=events / wall,
        peakRssBytes=peak,
        brian2=b2.__version__,
    )
    print(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
