"""A class on one server: N simulated students (real websockets to a real ``streamlit run app.py``)
click a page every 2-5 s while 0, 1 or 2 training runs go through the job store and worker
processes; then 100 followers poll a presenting teacher's live file. The same load runs against
the baseline commit's tree, served on another port in the same run.

Per page and load: p50/p95/p99 of click -> script_finished, failures, bytes received per click,
the server's CPU ms per click (/proc over the window / clicks), RSS per idle session; the runs'
images/s while the class clicks against solo; the follow latency (teacher's change -> follower's
page rerun in the new state). Writes classroom_<N>.json, classroom_training.json and
classroom_follow.json. The simulator itself runs on the same cores as the server it measures.

Usage (from the repository root):
  .venv/bin/python -m benchmarks.classroom --students 30,100 --pages conv,filters,inspect \
      --training 0,1,2 --seconds 20 --follow 100
  .venv/bin/python -m benchmarks.classroom --quick --out /tmp/x    (2 students, a few seconds)
Add --replicas 2 to serve the class as `python -m cnnviz.classroom.serve --replicas 2` does
(Streamlit replicas behind nginx, which also serves the live files). Add --profile DIR to write a cProfile of the current tree's server (every script run and the
event loop) to DIR/<label>.prof.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import shlex
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from benchmarks.classload import PAGES, Server, Training, images_per_s, open_stats, open_tabs, run_clicks, \
    export_checkout
from benchmarks.common import machine, save
from benchmarks.stclient import Tab, http_get

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
BASELINE = "ef050b7"  # the design before the cheaper clicks: this branch's starting point on main
FOLLOW_ROUNDS = 3
NOT_FOLLOWED = ("lang", "join")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ints(text: str) -> list[int]:
    return [int(v) for v in text.split(",") if v.strip()]


# ------------------------------------------------------------------ one server's class


async def _page_load(server: Server, page: str, n: int, levels: list[int], seconds: float, training: Training,
                     seed: int, timeout: float) -> tuple[dict[str, Any], list]:
    """``n`` students on ``page``: opens, idle memory, then one click window per training level."""
    rss0 = server.rss_mb()
    tabs, opens = await open_tabs(server, PAGES[page], n, timeout)
    await asyncio.sleep(1.0)
    out: dict[str, Any] = {"open": open_stats(opens),
                           "rss_per_idle_session_mb": round((server.rss_mb() - rss0) / max(len(tabs), 1), 2),
                           "server_rss_mb": round(server.rss_mb(), 1)}
    for level in levels:
        await asyncio.to_thread(training.run, level)
        stats = await run_clicks(server, tabs, PAGES[page], seconds, seed + level, training)
        out[f"training_{level}"] = stats
        print(f"  {server.label} {page} x{n} training {level}: p50 {stats['p50_ms']} p95 {stats['p95_ms']} "
              f"ms, {stats['failures']}/{stats['clicks']} failed, {stats['server_cpu_ms_per_click']} ms CPU/click",
              flush=True)
    return out, tabs


async def _follow(server: Server, tabs: list[Tab], timeout: float) -> dict[str, Any]:
    """The teacher presents the Convolution lab and changes its stride FOLLOW_ROUNDS times; every
    tab follows (joined as a browser that was in the class before: the recall component's state)."""
    from cnnviz.classroom.classes import default_classroom

    room = default_classroom(server.runs, server.repo / "static" / "live")
    token = secrets.token_urlsafe(16)
    info = room.start(token, "bench")
    gate = asyncio.Semaphore(4)

    async def join(i: int, tab: Tab) -> bool:
        async with gate:
            member = room.join(info.id, f"student{i}")
            await tab.set_component_state(tab.widget("cnnviz_recall:cls_recall").id,
                                          {"kept": {"class": info.id, "member": member.id}})
            await tab.rerun()
            return "cnnviz_follow:cls_follow_poll" in tab.widgets

    joined = [tab for tab, ok in zip(tabs, await asyncio.gather(*(join(i, t) for i, t in enumerate(tabs)))) if ok]
    teacher = Tab(server.base, "convolution", timeout=timeout)
    await teacher.open()
    changes: dict[int, tuple[float, str]] = {}  # version -> (time of the teacher's change, what must show)
    done: dict[int, list[dict]] = {}
    stop = asyncio.Event()
    path = f"/app/static/live/{info.id}.json"

    async def follower(tab: Tab, phase: float) -> None:
        last = json.loads((await http_get("127.0.0.1", server.port, path))[1])["version"]
        follow_id = tab.widget("cnnviz_follow:cls_follow_poll").id
        await asyncio.sleep(phase)  # each browser's timer started when its page did
        while not stop.is_set():
            try:
                status, body = await http_get("127.0.0.1", server.port, f"{path}?t={time.time_ns()}")
                version = json.loads(body)["version"] if status == 200 else last
            except (OSError, TimeoutError, ValueError):
                version = last
            if version != last:
                last, seen = version, time.monotonic()
                r = await tab.trigger(follow_id, "changed", version)
                t0, expect = changes.get(version, pending)  # seen before present() returned: pending
                done.setdefault(version, []).append({"fetched_s": seen - t0, "s": time.monotonic() - t0,
                                                     "ok": r.ok and expect in r.text, "bytes": r.bytes})
            await asyncio.sleep(poll_s)

    # how often the page tells its browser to poll (the poller's data), at a random phase per browser
    poll_s = json.loads(joined[0].widget("cnnviz_follow:cls_follow_poll").proto.json)["interval"] / 1000
    rng = random.Random(0)
    pending = (time.monotonic(), "")
    pollers = [asyncio.create_task(follower(tab, rng.uniform(0, poll_s))) for tab in joined]
    cpu0, sim0 = server.cpu_s(), time.process_time()
    await asyncio.sleep(2 * poll_s)
    for k in range(FOLLOW_ROUNDS):
        stride = 2 + k % 2
        await teacher.change("lab_stride", "double_array_value", [float(stride)])
        query = urlencode(sorted((a, b) for a, b in parse_qsl(teacher.query) if a not in NOT_FOLLOWED))
        out = (5 - 3) // stride + 1
        t0 = time.monotonic()
        pending = (t0, f"of {out}×{out}")  # for a follower that sees the change before present() returns
        shown = await asyncio.to_thread(room.present, info.id, token, "pages/convolution.py", query)
        changes[shown.version] = (t0, f"of {out}×{out}")
        deadline = t0 + timeout
        while len(done.get(shown.version, [])) < len(joined) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)
    stop.set()
    await asyncio.gather(*pollers, return_exceptions=True)
    cpu, sim = server.cpu_s() - cpu0, time.process_time() - sim0
    rows = [r for v in changes for r in done.get(v, [])]
    ms = sorted(1000 * r["s"] for r in rows)
    fetched = sorted(1000 * r["fetched_s"] for r in rows)
    expected = len(joined) * len(changes)
    pick = lambda xs, q: round(xs[min(len(xs) - 1, int(q * len(xs)))], 1) if xs else float("nan")  # noqa: E731
    return {"followers": len(tabs), "joined": len(joined), "changes": len(changes),
            "followed": len(rows), "failures": expected - sum(r["ok"] for r in rows),
            "p50_ms": pick(ms, 0.5), "p95_ms": pick(ms, 0.95), "max_ms": pick(ms, 1.0),
            "fetched_p50_ms": pick(fetched, 0.5), "fetched_p95_ms": pick(fetched, 0.95),
            "bytes_per_follow": round(sum(r["bytes"] for r in rows) / max(len(rows), 1)),
            # each change of the teacher's: the first takes the followers' whole page over (their
            # own clicks before the class changed their numbers), the others rerun the lab's fragment
            "rounds": [{"p50_ms": pick(r, 0.5), "p95_ms": pick(r, 0.95)}
                       for r in (sorted(1000 * x["s"] for x in done.get(v, [])) for v in changes)],
            "server_cpu_s": round(cpu, 2), "poll_interval_s": poll_s,
            # the simulated browsers run on the same cores (a class's browsers run on their laptops)
            "simulator_cpu_s": round(sim, 2)}


async def one_server(server: Server, args: argparse.Namespace) -> dict[str, Any]:
    """Everything for one server: solo training, then each class size and page, then following."""
    training = Training(server)
    result: dict[str, Any] = {"training_solo": {}, "classes": {}}
    try:
        # a first visit pays for imports and caches; the class arrives at a warm server
        for page in args.pages:
            tab = Tab(server.base, PAGES[page].path, timeout=args.timeout)
            await tab.open()
            await tab.close()
        for level in [lv for lv in args.training if lv > 0]:
            await asyncio.to_thread(training.run, level)
            result["training_solo"][str(level)] = await images_per_s(training, args.solo_seconds)
        await asyncio.to_thread(training.run, 0)
        for n in args.students:
            levels = args.training if n == args.students[0] else [0]
            for page in args.pages:
                stats, tabs = await _page_load(server, page, n, levels, args.seconds, training, args.seed,
                                               args.timeout)
                result["classes"].setdefault(str(n), {})[page] = stats
                await asyncio.to_thread(training.run, 0)
                if args.follow and n == max(args.students) and page == "conv" and len(tabs) >= args.follow:
                    result["follow"] = await _follow(server, tabs[: args.follow], args.timeout)
                    print(f"  {server.label} follow x{args.follow}: p50 {result['follow']['p50_ms']} p95 "
                          f"{result['follow']['p95_ms']} ms", flush=True)
                await asyncio.gather(*(t.close() for t in tabs), return_exceptions=True)
    finally:
        training.stop()
    return result


# ------------------------------------------------------------------ the command


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--students", default="30,100", help="class sizes, e.g. 30,100 (training levels: first size)")
    p.add_argument("--pages", default="conv,filters,inspect")
    p.add_argument("--training", default="0,1,2", help="training runs in progress while the first class size clicks")
    p.add_argument("--seconds", type=float, default=20.0, help="click window per page and load")
    p.add_argument("--solo-seconds", type=float, default=10.0, help="window for the runs' solo images/s")
    p.add_argument("--follow", type=int, default=100, help="followers of a presenting teacher (0: skip)")
    p.add_argument("--baseline", default=BASELINE, help="commit served as the baseline ('' to skip)")
    p.add_argument("--replicas", type=int, default=1,
                   help="serve with `python -m cnnviz.classroom.serve --replicas N` (nginx in front), "
                        "not one Streamlit")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--timeout", type=float, default=60.0, help="a click not finished after this is a failure")
    p.add_argument("--profile", type=Path, default=None, help="write <DIR>/<label>.prof of each server")
    p.add_argument("--out", type=Path, default=RESULTS)
    p.add_argument("--quick", action="store_true", help="2 students, 4 s, no training, 2 followers, no baseline")
    return p


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    args = _parser().parse_args(argv)
    if args.quick:
        args.students, args.training, args.seconds, args.solo_seconds = "2", "0", 4.0, 2.0
        args.follow, args.baseline = min(args.follow, 2), ""
    args.students, args.training = _ints(args.students), _ints(args.training)
    args.pages = [p for p in args.pages.split(",") if p]
    unknown = set(args.pages) - set(PAGES)
    if unknown:
        raise SystemExit(f"unknown pages {sorted(unknown)}; known: {sorted(PAGES)}")
    return args


def _head() -> str | None:
    """The measured tree's commit (with '+' when it has uncommitted changes)."""
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("+" if dirty else "")


def _report(results: dict[str, dict], args: argparse.Namespace, started: float) -> dict[str, dict]:
    """The JSON files: one per class size, training, following."""
    common = {"machine": machine(), "command": " ".join(["python -m benchmarks.classroom", *map(shlex.quote, sys.argv[1:])]),
              "commit": _head(), "baseline_commit": args.baseline or None, "seconds_per_window": args.seconds,
              "think_s": [2, 5], "seed": args.seed, "replicas": args.replicas,
              "total_s": round(time.monotonic() - started)}
    files = {}
    for n in args.students:
        files[f"classroom_{n}.json"] = {**common, "students": n, "servers": {
            label: r["classes"].get(str(n), {}) for label, r in results.items()}}
    training = {}
    for label, r in results.items():
        with_class = {page: {k: v.get("training_images_per_s") for k, v in stats.items() if k.startswith("training_")
                             and v.get("training_images_per_s")}
                      for page, stats in r["classes"].get(str(args.students[0]), {}).items()}
        ratios = {page: {k: round(sum(v) / sum(r["training_solo"][k.split("_")[1]]), 2) for k, v in levels.items()
                         if r["training_solo"].get(k.split("_")[1])}
                  for page, levels in with_class.items()}
        training[label] = {"solo_images_per_s": r["training_solo"], "with_class_images_per_s": with_class,
                           "ratio_with_class_to_solo": ratios}
    files["classroom_training.json"] = {**common, "students": args.students[0], "servers": training}
    files["classroom_follow.json"] = {**common, "servers": {label: r.get("follow") for label, r in results.items()}}
    return files


async def _main(args: argparse.Namespace) -> dict[str, dict]:
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="cnnviz-classroom-"))
    checkouts = {"current": ROOT}
    if args.baseline:
        checkouts["baseline"] = export_checkout(ROOT, args.baseline, work / "baseline")
    results = {}
    for label, repo in checkouts.items():
        profile = args.profile / f"{label}.prof" if args.profile else None
        server = Server(repo, _free_port(), work / f"runs-{label}", label, profile=profile,
                        replicas=args.replicas)
        print(f"{label}: serving {repo} on port {server.port}", flush=True)
        server.start()
        try:
            results[label] = await one_server(server, args)
        finally:
            server.stop()
    return _report(results, args, started)


def main(argv: list[str] | None = None) -> dict[str, dict]:
    args = parse(argv)
    files = asyncio.run(_main(args))
    for name, body in files.items():
        save(body, args.out / name, echo=False)
    print(json.dumps({k: v["servers"] for k, v in files.items()}, indent=1))
    return files


if __name__ == "__main__":
    main()
