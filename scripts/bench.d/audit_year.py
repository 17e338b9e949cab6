#!/usr/bin/env python3
"""A year of a council's audit trail, partitioned by month: what it costs to search, report on,
export, verify and archive, each next to its floor measured in the same run.

Run through `scripts/bench --audit-year [--audit-rows N] [--runs R] [--wait-quiet S]` (it
checks the tools, builds the release binary and sources target/dev/env and server-env first).

Data: a private database famctx_bench_year (FAMCTX_BENCH_TAG=name: famctx_bench_year_<name>),
copied from the seeded shared famctx database (read only: the operators' mapping), migrated, its
trail replaced by N synthetic, hash-chained rows spread evenly over the 12 months before the
current one, naming persons 1..N/60 (a council's 30M rows name about 500,000 persons)
(sql/synthetic/audit_history.sql, as the superuser), then VACUUM ANALYZE; reused while it holds
them. The shared famctx database is never changed.

Measures (R runs each, famctx and its floor alternating; medians):
  * audit search --since --until over one month in the middle of the year (the newest 1,000
    rows of it), and audit person fc:<n> over the whole year: famctx end to end, against psql
    signed in as ig.officer (AD password, checked by PostgreSQL) making the same two calls
    (fc_api.audit_search or audit_person, then fc_api.collect): the same SQL, less famctx's own
    process and AD check;
  * audit export -o jsonl to /dev/null, against psql \\copy of the export cursor's own
    statement (V17), as the owner (operators read no table);
  * audit verify, against psql \\copy of the verification cursor's statement (V21), as the owner:
    the reading alone, without the hashing;
  * audit archive of the oldest month (retention lowered to 1 month in this database only),
    against psql \\copy of that month as JSON lines plus sha256sum of the file; last, as it
    removes the month;
  * sizes: the whole trail, each partition (table and indexes), bytes a row.
Then the figures at 30 million rows a year, extrapolated as BENCHMARKS.md states: whole-trail
work (export, verify, archive of a month, sizes) in proportion to the rows; the indexed reads
(the newest 1,000 of a month's window, a person's report) by the rows they return, which stay the
same (a window's newest 1,000; a person's rows, the persons growing with the trail).

Results: a Markdown table on stdout, JSON and Markdown under target/bench/year/.
"""

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (the shared environment, URLs and helpers)
from bench import BenchError, log, median, run, timed, timed_rss, pipe_count_lines  # noqa: E402

REPO = bench.REPO
OUT = bench.OUT / "year"
TARGET = 30_000_000


class Year:
    def __init__(self, args):
        self.args = args
        e = bench.Env("10k", 10_000)
        tag = os.environ.get("FAMCTX_BENCH_TAG", "")
        e.fc_db = f"famctx_bench_year_{tag}" if tag else "famctx_bench_year"
        env = os.environ
        e.fc_op = bench.with_db(env["FAMCTX_DATABASE_URL"], e.fc_db)
        e.fc_owner = bench.with_db(env["FAMCTX_OWNER_URL"], e.fc_db)
        e.fc_super = bench.with_db(env["FAMCTX_SUPERUSER_URL"], e.fc_db)
        e.work = OUT
        OUT.mkdir(parents=True, exist_ok=True)
        self.env = e
        self.rows = []
        self.info = {"rows": args.audit_rows, "runs": args.runs}
        self.sampler = bench.Sampler()

    def psql(self, url, sql, timeout=600):
        _, out, _ = run(self.env.psql_cmd(url, "-At", "-c", sql), env=self.env.psql_env(url), timeout=timeout)
        return out.strip()

    def famctx(self, user, *args, timeout=600, ok=(0,)):
        return run(self.env.famctx_cmd(*args), env=self.env.famctx_env(user), timeout=timeout, ok=ok)

    def row(self, measure, famctx, floor, floor_what, unit, at_target=None, note=""):
        r = bench.ratio(famctx, floor)
        self.rows.append({"measure": measure, "famctx": famctx, "floor": floor, "floor_what": floor_what,
                          "unit": unit, "ratio": r, "at_30m": at_target, "note": note})

    # --- the database ---------------------------------------------------------------------------

    def prepare(self):
        e = self.env
        n = self.args.audit_rows
        sup = e.super_postgres
        meta = self.psql(sup, f"SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database "
                              f"WHERE datname = '{e.fc_db}'")
        if meta:
            try:
                m = json.loads(meta)
            except json.JSONDecodeError:
                m = {}
            have = int(self.psql(e.fc_owner, "SELECT count(*) FROM fc.audit_log", timeout=900))
            if (m.get("rows") == n and m.get("persons") == max(1000, n // 60) and n <= have <= n + 10_000
                    and m.get("archived") is None):
                log(f"reusing {e.fc_db}: {have} audit rows")
                self.info["database"] = "reused"
                self.migrate()
                return
        log(f"making {e.fc_db} from the seeded famctx database")
        self.psql(sup, f"DROP DATABASE IF EXISTS {e.fc_db} WITH (FORCE)")
        for attempt in range(60):
            try:
                self.psql(sup, f"CREATE DATABASE {e.fc_db} TEMPLATE famctx OWNER famctx_owner")
                break
            except BenchError:
                if attempt == 59:
                    raise
                time.sleep(1)  # the template must be idle: a test suite copies it too
        self.psql(sup, f"REVOKE ALL ON DATABASE {e.fc_db} FROM PUBLIC")
        self.psql(sup, f"GRANT CONNECT ON DATABASE {e.fc_db} TO famctx_operator, famctx_app")
        self.migrate()
        # A council's year: 30M rows naming about 500,000 persons, so one in 60 rows' worth of
        # persons at any size, and a person's report holds as many rows at 1M as at 30M (the trail
        # outlives the person index: the ids need not be persons of this database).
        persons = max(1000, n // 60)
        log(f"generating {n} audit rows over 12 months (persons 1..{persons})")
        with bench.Timer() as t:
            run(e.psql_cmd(e.fc_super, "-v", f"target={e.fc_db}", "-v", f"rows={n}", "-v", "months=12",
                           "-v", f"persons={persons}", "-v", "batch=500000", "-v", "replace=1",
                           "-v", "skip_analyze=1", "-f", str(REPO / "sql/synthetic/audit_history.sql")),
                env=e.psql_env(e.fc_super), timeout=7200)
            self.psql(e.fc_super, "VACUUM (ANALYZE) fc.audit_log", timeout=7200)
        self.info["generate_s"] = round(t.s, 1)
        self.info["database"] = "made"
        log(f"generated in {t.s:.0f} s")
        self.psql(sup, f"COMMENT ON DATABASE {e.fc_db} IS '{json.dumps({'rows': n, 'persons': persons})}'")

    def migrate(self):
        e = self.env
        menv = {k: v for k, v in os.environ.items() if not k.startswith("FAMCTX_")}
        menv.update({"FAMCTX_OWNER_URL": e.fc_owner, "FAMCTX_DATABASE_URL": e.fc_owner,
                     "XDG_CONFIG_HOME": "/nonexistent"})
        run([str(bench.FAMCTX), "db", "migrate"], env=menv, timeout=3600)

    # --- the measures ---------------------------------------------------------------------------

    def api_script(self, name, function):
        path = OUT / f"api-{name}.sql"
        path.write_text(f"SELECT fc_api.{function}(:'req'::jsonb) ->> 'ticket' AS ticket \\gset\n"
                        "SELECT fc_api.collect(:'ticket'::uuid);\n")
        return path

    def alternate(self, steps, runs):
        """Runs each (name, cmd, env, stdout) `runs` times, alternating the order; wall times."""
        samples = {name: [] for name, *_ in steps}
        for r in range(runs):
            order = steps if r % 2 == 0 else list(reversed(steps))
            for name, cmd, env in order:
                s, _, _, _ = timed(cmd, env=env, timeout=7200)
                samples[name].append(s)
        return samples

    def reads(self):
        """audit search in a month's window and audit person: famctx against the same two calls
        from psql as ig.officer."""
        e = self.env
        fenv = e.famctx_env("ig.officer")
        ig = e.op_url("ig.officer", e.fc_op)
        penv = e.psql_env(ig)
        months = self.psql(e.fc_owner, "SELECT string_agg(to_char(month, 'YYYY-MM-DD'), ' ') FROM "
                                        "fc.audit_partitions() p WHERE EXISTS (SELECT 1 FROM fc.audit_log a "
                                        "WHERE a.occurred_at >= p.month AND a.occurred_at < p.month + 1 * interval '1 month')").split()
        since = months[len(months) // 2]
        until = (dt.date.fromisoformat(since).replace(day=28) + dt.timedelta(days=4)).replace(day=1).isoformat()
        in_window = int(self.psql(e.fc_owner, f"SELECT count(*) FROM fc.audit_log WHERE occurred_at >= '{since}' "
                                              f"AND occurred_at < '{until}'", timeout=900))
        search = self.api_script("search", "audit_search")
        req = json.dumps({"since": f"{since}T00:00:00Z", "until": f"{until}T00:00:00Z", "limit": 1000})
        runs = self.args.runs * 3
        s = self.alternate([
            ("famctx", e.famctx_cmd("audit", "search", "--since", since, "--until", until, "--limit", "1000",
                                    "-o", "json"), fenv),
            ("psql", e.psql_cmd(ig, "-At", "-v", f"req={req}", "-f", str(search)), penv)], runs)
        fm, pm = median(s["famctx"]), median(s["psql"])
        self.row(f"audit search, one month's window ({in_window:,} rows in it; the newest 1,000 shown)",
                 fm * 1000, pm * 1000, "psql as ig.officer: fc_api.audit_search + fc_api.collect", "ms",
                 at_target=fm * 1000, note=f"{runs} runs; a window's months only (pruned)")
        # A person: the one the most rows name, of a sample.
        person = int(self.psql(e.fc_owner, "SELECT p FROM (SELECT unnest(persons_disclosed) p FROM fc.audit_log "
                                           "TABLESAMPLE SYSTEM (1)) x GROUP BY p ORDER BY count(*) DESC, p LIMIT 1",
                               timeout=900))
        matches = int(self.psql(e.fc_owner, f"SELECT count(*) FROM fc.audit_log WHERE persons_disclosed @> "
                                            f"ARRAY[{person}::bigint] OR subject_person = {person}", timeout=900))
        report = self.api_script("person", "audit_person")
        req = json.dumps({"person": f"fc:{person}"})
        s = self.alternate([
            ("famctx", e.famctx_cmd("audit", "person", f"fc:{person}", "-o", "json"), fenv),
            ("psql", e.psql_cmd(ig, "-At", "-v", f"req={req}", "-f", str(report)), penv)], runs)
        fm, pm = median(s["famctx"]), median(s["psql"])
        self.row(f"audit person, a year ({matches:,} rows name the person)", fm * 1000, pm * 1000,
                 "psql as ig.officer: fc_api.audit_person + fc_api.collect", "ms", at_target=fm * 1000,
                 note=f"{runs} runs; at 30M the same rows a person (persons grow with the trail)")
        self.info.update({"window": [since, until], "window_rows": in_window, "person": person,
                          "person_rows": matches})

    def streams(self):
        """audit export and audit verify against psql \\copy of their cursors' statements."""
        e = self.env
        fenv = e.famctx_env("ig.officer")
        oenv = e.psql_env(e.fc_owner)
        rows = int(self.psql(e.fc_owner, "SELECT count(*) FROM fc.audit_log", timeout=900))
        export_sql = bench.Bench.export_lines_sql()
        floor = e.psql_cmd(e.fc_owner, "-c", "\\copy (" + export_sql + ") TO STDOUT WITH (FORMAT csv, "
                           "QUOTE E'\\x01', DELIMITER E'\\x02')")
        samples = {"famctx": [], "psql": [], "famctx_rss": []}
        for r in range(self.args.runs):
            order = [("famctx", e.famctx_cmd("audit", "export", "-o", "jsonl"), fenv), ("psql", floor, oenv)]
            if r % 2:
                order.reverse()
            for name, cmd, env in order:
                wall, lines, peak = pipe_count_lines(cmd, env, timeout=7200, rss=True)
                samples[name].append(wall)
                if name == "famctx":
                    samples["famctx_rss"].append(peak)
                log(f"  export {name}: {lines} rows in {wall:.1f} s")
        fm, pm = median(samples["famctx"]), median(samples["psql"])
        scale = TARGET / rows
        self.row(f"audit export -o jsonl, {rows:,} rows", fm, pm, "psql \\copy of the export cursor's statement "
                 "as JSON lines (owner)", "s", at_target=fm * scale,
                 note=f"{rows / fm:,.0f} rows/s; peak RSS {median(samples['famctx_rss']) / 2**20:.0f} MiB")
        verify_sql = ("SELECT a.id, a.occurred_at, (extract(epoch FROM a.occurred_at) * 1000000)::bigint::text, "
                      "a.actor_guid::text, a.actor_account, a.channel, a.client_host, a.action, a.outcome, "
                      "a.subject_person::text, array_to_string(a.persons_disclosed, ','), "
                      "array_to_string(a.sources_disclosed, ','), a.target_user, a.target_guid::text, a.reason, "
                      "a.details::text, a.prev_hash, a.row_hash, a.basis, a.break_glass "
                      "FROM fc.audit_log a ORDER BY a.id")
        floor = e.psql_cmd(e.fc_owner, "-c", f"\\copy ({verify_sql}) TO STDOUT")
        samples = {"famctx": [], "psql": [], "famctx_rss": []}
        for r in range(self.args.runs):
            with open(OUT / "verify.json", "w") as vout:
                wall, peak, _, _ = timed_rss(e.famctx_cmd("audit", "verify", "-o", "json"), env=fenv,
                                             stdout=vout, timeout=7200)
            rep = json.loads((OUT / "verify.json").read_text())
            if not rep.get("intact"):
                raise BenchError(f"audit verify: {rep}")
            samples["famctx"].append(wall)
            samples["famctx_rss"].append(peak)
            wall, lines, _ = pipe_count_lines(floor, oenv, timeout=7200)
            samples["psql"].append(wall)
            log(f"  verify: famctx {samples['famctx'][-1]:.1f} s, psql read {wall:.1f} s")
        fm, pm = median(samples["famctx"]), median(samples["psql"])
        self.row(f"audit verify, {rows:,} rows", fm, pm, "psql \\copy of the verification cursor's statement "
                 "(owner): the reading alone, no hashing", "s", at_target=fm * scale,
                 note=f"{rows / fm:,.0f} rows/s; peak RSS {median(samples['famctx_rss']) / 2**20:.0f} MiB")
        self.info["rows_at_streams"] = rows

    def sizes(self):
        e = self.env
        out = self.psql(e.fc_owner, (
            "SELECT p.name, (SELECT count(*) FROM fc.audit_log a WHERE a.occurred_at >= p.month "
            "AND a.occurred_at < p.month + interval '1 month'), pg_table_size(('fc.' || p.name)::regclass), "
            "pg_indexes_size(('fc.' || p.name)::regclass) FROM fc.audit_partitions() p ORDER BY p.month"),
            timeout=1800)
        parts = []
        for line in out.splitlines():
            name, rows, table, index = line.split("|")
            parts.append({"partition": name, "rows": int(rows), "table": int(table), "indexes": int(index)})
        total_rows = sum(p["rows"] for p in parts)
        table = sum(p["table"] for p in parts)
        index = sum(p["indexes"] for p in parts)
        scale = TARGET / max(total_rows, 1)
        self.info["partitions"] = parts
        self.row(f"trail on disk: tables ({len(parts)} partitions, {total_rows:,} rows)", table / 2**20, None,
                 "", "MiB", at_target=table * scale / 2**20, note=f"{table / max(total_rows, 1):.0f} bytes a row")
        self.row("trail on disk: indexes (10 a partition)", index / 2**20, None, "", "MiB",
                 at_target=index * scale / 2**20, note=f"{index / max(total_rows, 1):.0f} bytes a row")

    def archive(self):
        """The oldest month archived (the retention period lowered to 1 month in this database),
        against psql \\copy of the same month as JSON lines and sha256sum of it. Last: it removes
        the month."""
        e = self.env
        first = self.psql(e.fc_owner, "SELECT min(month) FROM fc.audit_partitions() p WHERE EXISTS "
                                      "(SELECT 1 FROM fc.audit_log a WHERE a.occurred_at >= p.month AND "
                                      "a.occurred_at < p.month + interval '1 month')")
        before = (dt.date.fromisoformat(first).replace(day=28) + dt.timedelta(days=4)).replace(day=1).isoformat()
        rows = int(self.psql(e.fc_owner, f"SELECT count(*) FROM fc.audit_log WHERE occurred_at < '{before}'"))
        self.psql(e.fc_owner, "UPDATE fc.policy SET value = '1' WHERE key = 'audit_retention_months'")
        self.psql(e.super_postgres, f"COMMENT ON DATABASE {e.fc_db} IS "
                                    f"'{json.dumps({'rows': self.args.audit_rows, 'archived': before})}'")
        with tempfile.TemporaryDirectory(dir=OUT) as d:
            month_sql = ("SELECT row_to_json(r)::text FROM (SELECT a.* FROM fc.audit_log a WHERE a.occurred_at < "
                         f"'{before}' ORDER BY a.id) r")
            floor_file = Path(d) / "floor.jsonl"
            s1, _, _, _ = timed(e.psql_cmd(e.fc_owner, "-c", f"\\copy ({month_sql}) TO '{floor_file}' WITH (FORMAT csv, "
                                "QUOTE E'\\x01', DELIMITER E'\\x02')"), env=e.psql_env(e.fc_owner), timeout=7200)
            s2, _, _, _ = timed(["sha256sum", str(floor_file)], timeout=3600)
            floor_file.unlink()
            out_dir = Path(d) / "archive"
            out_dir.mkdir()
            wall, peak, _, _ = timed_rss(e.famctx_cmd("audit", "archive", "--before", before, "--dir", str(out_dir),
                                                      "--yes", "-o", "json"), env=e.famctx_env("ig.officer"),
                                         timeout=7200)
            size = sum(f.stat().st_size for f in out_dir.iterdir())
        scale = TARGET / self.args.audit_rows
        self.row(f"audit archive of the oldest month ({rows:,} rows, file {size / 2**20:,.0f} MiB)", wall, s1 + s2,
                 "psql \\copy of the month as JSON lines to a file + sha256sum of it", "s", at_target=wall * scale,
                 note=f"once; written, fsynced, read back and every hash recomputed, then the month dropped; "
                      f"peak RSS {peak / 2**20:.0f} MiB")
        self.info["archive"] = {"before": before, "rows": rows, "file_bytes": size}

    # --- the run --------------------------------------------------------------------------------

    def main(self):
        t0 = time.perf_counter()
        self.prepare()
        phases = [("reads", self.reads), ("streams", self.streams), ("sizes", self.sizes)]
        if not self.args.no_archive:
            phases.append(("archive", self.archive))
        for name, fn in phases:
            self.sampler.wait_quiet(self.args.wait_quiet)
            log(f"{name} ...")
            p0 = time.perf_counter()
            fn()
            busy = self.sampler.between(p0, time.perf_counter()) or {}
            self.info.setdefault("machine", {})[name] = busy
            log(f"{name}: {time.perf_counter() - p0:.0f} s (load {busy.get('load1_mean', '?')}, other work seen in "
                f"{100 * (busy.get('other_work_seen') or 0):.0f}% of samples)")
        self.sampler.stop.set()
        self.info["total_s"] = round(time.perf_counter() - t0, 1)
        self.info["finished_at"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        path = OUT / f"year-{self.args.audit_rows}-{stamp}.json"
        path.write_text(json.dumps({"rows": self.rows, "info": self.info}, indent=1, default=str))
        table = self.render()
        path.with_suffix(".md").write_text(table)
        print(table)
        log(f"wrote {path} ({self.info['total_s']:.0f} s)")

    def render(self):
        busy = [m.get("other_work_seen") or 0 for m in self.info.get("machine", {}).values()]
        lines = [f"A year of audit: {self.args.audit_rows:,} rows over 12 monthly partitions, "
                 f"{self.info['finished_at'][:16]}Z; other work (a test suite) seen in "
                 f"{100 * max(busy or [0]):.0f}% of samples at most",
                 "", "| measure | famctx | floor | ratio | at 30M rows a year | floor is |",
                 "|---|---:|---:|---:|---:|---|"]
        for r in self.rows:
            f = bench.fmt(r["famctx"], r["unit"])
            fl = bench.fmt(r["floor"], r["unit"])
            ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else ""
            at = bench.fmt(r["at_30m"], r["unit"]) if r["at_30m"] is not None else ""
            what = r["floor_what"] + (f" ({r['note']})" if r["note"] else "")
            lines.append(f"| {r['measure']} | {f} | {fl} | {ratio} | {at} | {what} |")
        return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(prog="scripts/bench --audit-year", description=__doc__.splitlines()[0])
    ap.add_argument("--audit-year", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--audit-rows", type=int, default=1_000_000, metavar="N",
                    help="audit rows over the 12 months (default 1000000; the council's year: 30000000)")
    ap.add_argument("--runs", type=int, default=3, help="repetitions of each measure (searches: 3 times this)")
    ap.add_argument("--wait-quiet", type=int, default=0, metavar="S",
                    help="before each phase, wait up to S seconds for other work (a test suite) to end")
    ap.add_argument("--no-archive", action="store_true", help="leave the archive of the oldest month out")
    args = ap.parse_args()
    if not (10_000 <= args.audit_rows <= 40_000_000):
        ap.error("--audit-rows: from 10000 to 40000000")
    if not (1 <= args.runs <= 10) or not (0 <= args.wait_quiet <= 3600):
        ap.error("--runs: 1 to 10; --wait-quiet: 0 to 3600")
    try:
        Year(args).main()
        return 0
    except BenchError as exc:
        log(f"error: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
