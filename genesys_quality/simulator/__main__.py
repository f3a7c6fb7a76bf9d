"""`python -m genesys_quality.simulator --port 8089 --seed 42`: serve a demo organisation until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .config import SimulatorConfig
from .simulator import Simulator


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m genesys_quality.simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (loopback unless you know why)")
    parser.add_argument("--port", type=int, default=8089, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--anchor-month", default=None, help="YYYY-MM-01, the newest generated month (default: this month)")
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--evaluations-per-month", type=int, default=120)
    parser.add_argument("--token-lifetime", type=float, default=86400, help="seconds")
    parser.add_argument("--rate-limit", type=float, default=300, help="requests per minute per token; 0 = unlimited")
    parser.add_argument("--rate-limit-burst", type=int, default=None, help="bucket size (default 10%% of the rate, min 5)")
    parser.add_argument("--max-page-size", type=int, default=100)
    parser.add_argument("--control-api", action="store_true", help="serve POST /__simulator__/control|faults/<method>")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        config = SimulatorConfig(
            seed=args.seed, anchor_month=args.anchor_month, months=args.months,
            evaluations_per_month=args.evaluations_per_month, token_lifetime_seconds=args.token_lifetime,
            rate_limit_per_minute=args.rate_limit or None, rate_limit_burst=args.rate_limit_burst,
            max_page_size=args.max_page_size, control_api=args.control_api, host=args.host, port=args.port,
        )
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    simulator = Simulator(config).start()
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    months = config.month_list
    print(f"Genesys Cloud simulator serving {simulator.base_url}", flush=True)
    print(f"  GENESYS_API_BASE_URL={simulator.base_url}  GENESYS_LOGIN_BASE_URL={simulator.base_url}", flush=True)
    print(f"  demo credentials: client id {config.client_id!r}, secret {config.client_secret!r}", flush=True)
    print(f"  months {months[0]} .. {months[-1]}, {config.evaluations_per_month} evaluations per month, seed {config.seed}", flush=True)
    if config.control_api:
        print(f"  control API: POST {simulator.base_url}/__simulator__/control/<method>", flush=True)
    while not stopped.wait(0.5):
        pass
    simulator.stop()
    print("simulator stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
