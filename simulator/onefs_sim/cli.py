"""Command line: onefs-sim serve | scenario | bench."""
import argparse
import json
import signal
import sys
import threading

import yaml


def _serve(args):
    from .server import Simulator
    sim = Simulator.from_scenario(args.scenario, tls=not args.no_tls, state_dir=args.state_dir,
                                  share_write_service_ms=args.service_ms, share_write_capacity=args.capacity,
                                  job_seconds=args.job_seconds, port=args.port,
                                  job_seconds_from_history=args.job_seconds_from_history or None,
                                  time_scale=args.time_scale, dns=args.dns, dns_port=args.dns_port)
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    sim.start()
    sys.stdout.write(json.dumps(sim.ready_line()) + "\n")
    sys.stdout.flush()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        sim.stop()
    return 0


def _scenario(args):
    from .scenario import generate_scenario
    data = generate_scenario(zones=args.zones, shares_per_zone=args.shares_per_zone,
                             policies_per_zone=args.policies_per_zone, release=args.release,
                             replicated=not args.not_replicated)
    if args.compact:
        data = {"description": data["description"], "generate": {
            "zones": args.zones, "shares_per_zone": args.shares_per_zone,
            "policies_per_zone": args.policies_per_zone, "release": args.release,
            "replicated": not args.not_replicated}}
    text = yaml.safe_dump(data, sort_keys=False, default_flow_style=False, width=120)
    if args.output and args.output != "-":
        with open(args.output, "w") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    return 0


def _bench(args):
    from .bench import run
    print(json.dumps(run(scenario=args.scenario, seconds=args.seconds, tls=not args.no_tls)))
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(prog="onefs-sim", description="OneFS Platform API simulator")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="serve a scenario's clusters and print one JSON ready line")
    s.add_argument("--scenario", default="demo", help="builtin name (demo, scale) or YAML file")
    s.add_argument("--port", type=int, default=0,
                   help="0 = free ports; N = first cluster on N, next on N+1, ..., control API last")
    s.add_argument("--no-tls", action="store_true", help="serve plain HTTP")
    s.add_argument("--state-dir", help="persist state (and the CA/certificate) here; reloaded on restart")
    s.add_argument("--service-ms", type=float, default=None,
                   help="SMB share write service time (ms; default: the scenario's timing, else 30)")
    s.add_argument("--capacity", type=int, default=None,
                   help="concurrent share writes before 409 (default: the scenario's timing, else 10)")
    s.add_argument("--job-seconds", type=float, default=None,
                   help="duration of a SyncIQ job without history (s; default: the scenario's timing, else 1)")
    s.add_argument("--job-seconds-from-history", action="store_true",
                   help="each policy's jobs take the median duration of its jobs in the scenario's reports")
    s.add_argument("--time-scale", type=float, default=None,
                   help="divide the scenario's durations (history, timing) by this factor (default 1)")
    s.add_argument("--dns", action="store_true",
                   help="answer SmartConnect DNS (UDP and TCP) for each cluster on its own 127.0.0.1 port")
    s.add_argument("--dns-port", type=int, default=0,
                   help="with --dns: first cluster's DNS port N, next N+1, ... (0 = free ports; implies --dns)")
    s.set_defaults(func=_serve)
    g = sub.add_parser("scenario", help="write a generated scenario (YAML)")
    g.add_argument("--zones", type=int, default=10)
    g.add_argument("--shares-per-zone", type=int, default=100)
    g.add_argument("--policies-per-zone", type=int, default=1)
    g.add_argument("--release", default="9.10")
    g.add_argument("--not-replicated", action="store_true", help="target has zones but no shares yet")
    g.add_argument("--compact", action="store_true", help="write a 'generate:' block instead of every object")
    g.add_argument("-o", "--output", help="file to write (default stdout)")
    g.set_defaults(func=_scenario)
    b = sub.add_parser("bench", help="measure GET requests/s and resident memory; prints JSON")
    b.add_argument("--scenario", default="scale")
    b.add_argument("--seconds", type=float, default=5.0)
    b.add_argument("--no-tls", action="store_true")
    b.set_defaults(func=_bench)
    args = p.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
