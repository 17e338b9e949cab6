#!/usr/bin/env python3
"""Many operators at once: family lookups from 1, 4, 16 and 64 concurrent clients.

Run through `scripts/bench --concurrent` (after a `scripts/bench --scale S` run has made the
bench database famctx_bench_S). Two paths, each for --seconds (default 30) at each level:

* famctx: N workers, each running `famctx family show fc:<id>` one after another as sw.alice
  (a process each: AD sign-in, PostgreSQL sign-in checked against AD, the two fc_api calls).
* chain: the same, for persons who do not exist: each lookup still writes and chains its audit
  row and hands its answer over by ticket, with little else to do; what the chain sustains.
* api: pgbench with N connections as the API's service role (famctx_app), naming sw.alice in
  "as", making the same two calls (fc_api.family_show, then fc_api.collect): what one database
  sustains when the connections are pooled, as the API's are.

Beside each run, a sampler (every 5 ms, as the superuser) counts the sessions waiting for the
audit chain's lock (an advisory lock: pg_stat_activity wait_event 'advisory') and the sessions
holding it; by Little's law the mean wait of a writer is the mean number waiting divided by the
writes a second. Results: a table on stdout, JSON and Markdown under target/bench/<scale>/.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (the shared environment, URLs and helpers)

LEVELS = [1, 4, 16, 64]


def pct(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    k = min(len(v) - 1, max(0, round(p / 100 * (len(v) - 1))))
    return v[k]


class Sampler(threading.Thread):
    """Counts, every `every` seconds, the sessions waiting for an advisory lock (the audit chain's
    is the only one fc takes) in the bench database, through one superuser psql session."""

    QUERY = ("SELECT count(*) FILTER (WHERE wait_event = 'advisory') FROM pg_stat_activity "
             "WHERE datname = current_database();\n")

    def __init__(self, env, every=0.005):
        super().__init__(daemon=True)
        self.env, self.every = env, every
        self.samples = []
        self.stop = threading.Event()

    def run(self):
        clean, pw = bench.split_password(self.env.fc_super)
        penv = self.env.psql_env(self.env.fc_super)
        p = subprocess.Popen(["psql", "-X", "-q", "-At", "-d", clean], env=penv, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             bufsize=1)
        try:
            while not self.stop.is_set():
                p.stdin.write(self.QUERY)
                p.stdin.flush()
                line = p.stdout.readline()
                if not line:
                    break
                self.samples.append(int(line.strip() or 0))
                time.sleep(self.every)
        finally:
            try:
                p.stdin.close()
            except OSError:
                pass
            p.wait(timeout=10)

    def mean_waiting(self):
        return statistics.fmean(self.samples) if self.samples else 0.0

    def share_with_waiters(self):
        return sum(1 for s in self.samples if s) / len(self.samples) if self.samples else 0.0


def famctx_level(env, ids, n, seconds):
    fenv = env.famctx_env("sw.alice")
    latencies, failures = [], []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(k):
        i = k
        while time.monotonic() < deadline:
            pid = ids[i % len(ids)]
            i += n
            t0 = time.perf_counter()
            r = subprocess.run(env.famctx_cmd("family", "show", f"fc:{pid}", "--reason", "bench concurrent",
                                              "-o", "json"),
                               env=fenv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               timeout=120)
            dt = time.perf_counter() - t0
            with lock:
                if r.returncode == 0:
                    latencies.append(dt)
                else:
                    failures.append(r.stderr.strip()[:200])

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    return {"lookups": len(latencies), "wall_s": wall, "failures": len(failures),
            "failure_sample": failures[:3], "latencies_ms": [x * 1000 for x in latencies]}


def api_level(env, guid, persons, n, seconds, found=True):
    svc = bench.with_db(os.environ["FAMCTX_SERVICE_URL"], env.fc_db)
    clean, pw = bench.split_password(svc)
    acting = {"guid": guid, "account": "sw.alice", "display": "Alice Smith", "roles": ["user"]}
    with tempfile.TemporaryDirectory() as d:
        script = Path(d) / "lookup.sql"
        # pgbench variables are substituted as text: the request is built in SQL around them.
        ids = f"7, {persons}" if found else f"{persons + 1000000}, {persons + 2000000}"
        script.write_text(
            f"\\set pid random({ids})\n"
            "SELECT fc_api.family_show(jsonb_build_object('id', 'fc:' || :pid, 'depth', 1, "
            "'household', false, 'reason', 'bench api concurrent', 'as', "
            f"'{json.dumps(acting)}'::jsonb)) ->> 'ticket' AS ticket \\gset\n"
            "SELECT fc_api.collect(:ticket::uuid) IS NOT NULL;\n")
        penv = env.psql_env(svc)
        cmd = ["pgbench", "-n", "-d", clean, "-c", str(n), "-j", str(min(n, 2)), "-T", str(seconds),
               "-f", str(script), "-l", "--log-prefix", str(Path(d) / "log"), "-M", "extended"]
        r = subprocess.run(cmd, env=penv, capture_output=True, text=True, timeout=seconds + 300)
        if r.returncode not in (0, 2):
            raise bench.BenchError(f"pgbench failed: {r.stderr.strip()[-500:]}")
        lat, failed = [], 0
        for log in Path(d).glob("log*"):
            for line in log.read_text().splitlines():
                f = line.split()
                # client_id transaction_no time script_no time_epoch time_us [schedule_lag]
                if len(f) >= 6:
                    if f[2] == "failed":
                        failed += 1
                    else:
                        lat.append(int(f[2]) / 1000)
        tps = [ln for ln in r.stdout.splitlines() if ln.startswith("tps")]
        return {"lookups": len(lat), "wall_s": float(seconds), "failures": failed,
                "latencies_ms": lat, "pgbench": tps[-1] if tps else r.stdout.strip()[-300:]}


def measure(env, args, path, run_level):
    out = []
    for n in args.levels:
        sampler = Sampler(env)
        sampler.start()
        res = run_level(n)
        sampler.stop.set()
        sampler.join()
        lat = res.pop("latencies_ms")
        rate = res["lookups"] / res["wall_s"] if res["wall_s"] else 0.0
        waiting = sampler.mean_waiting()
        row = {"path": path, "clients": n, "lookups_per_s": rate, "p50_ms": pct(lat, 50),
               "p95_ms": pct(lat, 95), "mean_waiting_for_chain": waiting,
               "share_of_samples_with_a_waiter": sampler.share_with_waiters(),
               "mean_chain_wait_ms": (waiting / rate * 1000) if rate else float("nan"),
               "samples": len(sampler.samples), **res}
        bench.log(f"{path} x{n}: {rate:.1f} lookups/s, p50 {row['p50_ms']:.0f} ms, p95 {row['p95_ms']:.0f} ms, "
                  f"{waiting:.2f} waiting for the chain on average ({row['mean_chain_wait_ms']:.2f} ms a write), "
                  f"{res['failures']} failed")
        out.append(row)
    return out


def main():
    ap = argparse.ArgumentParser(prog="scripts/bench --concurrent", description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="10k", choices=list(bench.SCALES))
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--levels", type=lambda s: [int(x) for x in s.split(",")], default=LEVELS)
    ap.add_argument("--skip", action="append", default=[], choices=["famctx", "api", "chain"])
    ap.add_argument("--database", help="another prepared famctx database instead of famctx_bench_<scale> "
                    "(migrated, with sw.alice's grants)")
    args = ap.parse_args()
    env = bench.Env(args.scale, bench.SCALES[args.scale])
    if args.database:
        env.fc_db = args.database
        e = os.environ
        env.fc_op = bench.with_db(e["FAMCTX_DATABASE_URL"], env.fc_db)
        env.fc_owner = bench.with_db(e["FAMCTX_OWNER_URL"], env.fc_db)
        env.fc_super = bench.with_db(e["FAMCTX_SUPERUSER_URL"], env.fc_db)
    persons = int(subprocess.run(env.psql_cmd(env.fc_owner, "-At", "-c", "SELECT coalesce(max(id), 0) FROM fc.person"),
                                 env=env.psql_env(env.fc_owner), capture_output=True, text=True).stdout.strip() or 0)
    guid = subprocess.run(env.psql_cmd(env.fc_owner, "-At", "-c",
                                       "SELECT object_guid FROM fc.operator_role WHERE role_name = 'sw.alice'"),
                          env=env.psql_env(env.fc_owner), capture_output=True, text=True).stdout.strip()
    if len(guid) != 36:
        raise bench.BenchError(f"no database {env.fc_db} with sw.alice: run scripts/bench --scale {args.scale} first")
    ids = list(range(7, persons + 1, max(1, persons // 997)))
    rows = []
    if "famctx" not in args.skip:
        rows += measure(env, args, "famctx", lambda n: famctx_level(env, ids, n, args.seconds))
    if "api" not in args.skip:
        rows += measure(env, args, "api", lambda n: api_level(env, guid, persons, n, args.seconds))
    if "chain" not in args.skip:
        # Lookups of persons who do not exist: each still writes (and chains) its audit row
        # and hands its answer over by ticket, with almost no other work: what the chain
        # itself sustains.
        rows += measure(env, args, "chain",
                        lambda n: api_level(env, guid, persons, n, args.seconds, found=False))
    stamp = time.strftime("%Y%m%dT%H%M%S")
    env.work.mkdir(parents=True, exist_ok=True)
    (env.work / f"concurrent-{stamp}.json").write_text(json.dumps(rows, indent=1))
    lines = ["| path | clients | lookups/s | p50 ms | p95 ms | mean waiting for the chain lock | "
             "mean chain wait a write (ms) | failed |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['path']} | {r['clients']} | {r['lookups_per_s']:.1f} | {r['p50_ms']:.0f} | "
                     f"{r['p95_ms']:.0f} | {r['mean_waiting_for_chain']:.3f} | {r['mean_chain_wait_ms']:.2f} | "
                     f"{r['failures']} |")
    md = "\n".join(lines)
    (env.work / f"concurrent-{stamp}.md").write_text(md + "\n")
    print(md)


if __name__ == "__main__":
    try:
        main()
    except bench.BenchError as e:
        bench.log(f"error: {e}")
        sys.exit(1)
