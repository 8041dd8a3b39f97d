"""Sign-in and home-page load over real websockets, through the security gate.

Starts Plume on SQLite (scale seed), signs N learners in concurrently (from the sign-in page to
the signed-in page's first answer, as the person waits), then has
each load its home page R times. Prints one JSON line of latencies (ms).

    .venv/bin/python -m bench.signin_home --clients 100 --rounds 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

import reflex as rx

from app.services.auth import DEVICE_COOKIE, SESSION_COOKIE
from state.auth import SignInState
from state.home import HomeState
from state.session import SessionState
from tests.live import DEMO_PASSWORD, cookie_value, follow, fresh_ip, handler, handoff, tab
from tests.server import running_plume
from tests.wsclient import ReflexClient


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)


async def _signed_in(anonymous: ReflexClient, email: str) -> ReflexClient:
    """Sign in from the sign-in page like a browser: the handler, the cookie route, the new page's first answer.

    Waits only for the messages a browser needs (no quiet periods): the measure is the person's wait.
    """
    await anonymous.emit(
        handler(SignInState, "sign_in"), {"form_data": {"email": email, "password": DEMO_PASSWORD}}, path="/connexion"
    )
    messages = await anonymous.until(lambda m: bool(handoff([m])), settle=0)
    _, set_cookie = await asyncio.to_thread(follow, anonymous.base_url, handoff(messages), anonymous.device)
    await anonymous.close()
    token = cookie_value(set_cookie)
    cookies = f"{DEVICE_COOKIE}={anonymous.device}; {SESSION_COOKIE}={token}"
    client = ReflexClient(anonymous.base_url, headers={"X-Forwarded-For": fresh_ip(), "Cookie": cookies})
    await client.connect()
    await client.emit(f"{rx.State.get_full_name()}.hydrate", path="/accueil")
    await client.until(lambda m: bool(m.get("delta")), settle=0)
    return client


async def _run(url: str, clients: int, rounds: int) -> dict[str, object]:
    sign_in_times: list[float] = []
    # Everyone is on the sign-in page first (not timed), then they all press "Se connecter" at once.
    pages = await asyncio.gather(*(tab(url) for _ in range(clients)))

    async def one_sign_in(n: int, page: ReflexClient) -> ReflexClient:
        start = time.perf_counter()
        signed_in = await _signed_in(page, f"learner{n}@demo.plume.test")
        sign_in_times.append(time.perf_counter() - start)
        return signed_in

    tabs = await asyncio.gather(*(one_sign_in(n, page) for n, page in enumerate(pages, start=1)))
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
