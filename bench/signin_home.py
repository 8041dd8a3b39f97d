"""Sign-in and home-page load over real websockets, through the security gate.

Starts Plume on SQLite (scale seed), signs N learners in concurrently, then has
each load its home page R times. Prints one JSON line of latencies (ms).

    .venv/bin/python -m bench.signin_home --clients 100 --rounds 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

from state.home import HomeState
from state.session import SessionState
from tests.live import handler, signed_in_tab
from tests.server import running_plume


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)


async def _run(url: str, clients: int, rounds: int) -> dict[str, object]:
    sign_in_times: list[float] = []

    async def one_sign_in(n: int):
        start = time.perf_counter()
        tab = await signed_in_tab(url, f"learner{n}@demo.plume.test")
        sign_in_times.append(time.perf_counter() - start)
        return tab

    tabs = await asyncio.gather(*(one_sign_in(n) for n in range(1, clients + 1)))
    load_times: list[float] = []

    async def load(tab) -> None:
        for _ in range(rounds):
            start = time.perf_counter()
            await tab.emit(handler(SessionState, "load_page"), path="/accueil")
            await tab.emit(handler(HomeState, "load"), path="/accueil")
            await tab.until(lambda m: HomeState.get_full_name() in (m.get("delta") or {}), settle=0)
            load_times.append(time.perf_counter() - start)

    await asyncio.gather(*(load(t) for t in tabs))
    for t in tabs:
        await t.close()
    return {
        "bench": "signin_home",
        "clients": clients,
        "rounds": rounds,
        "sign_in_p50_ms": _pct(sign_in_times, 0.5),
        "sign_in_p95_ms": _pct(sign_in_times, 0.95),
        "home_load_p50_ms": _pct(load_times, 0.5),
        "home_load_p95_ms": _pct(load_times, 0.95),
        "home_load_p99_ms": _pct(load_times, 0.99),
        "home_load_mean_ms": round(statistics.mean(load_times) * 1000, 1),
        "home_loads": len(load_times),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--learners", type=int, default=10_000)
    args = parser.parse_args()
    with running_plume(seed_args=("--learners", str(args.learners))) as server:
        result = asyncio.run(_run(server.url, args.clients, args.rounds))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
