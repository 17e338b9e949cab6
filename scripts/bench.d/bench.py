"""famctx benchmark: each command next to the lowest cost the same work can have here.

Run through scripts/bench (it checks the tools, builds the release binary and sources
target/dev/env first). Everything stays on loopback; every step is bounded in count and
time; the bench databases (famctx_bench_<scale>, mdm_bench_<scale>) are the only data
touched. See BENCHMARKS.md for the method and what each ratio means.
"""

import argparse
import datetime as dt
import fcntl
import json
import math
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEV = REPO / "target" / "dev"
OUT = REPO / "target" / "bench"
# FAMCTX_BENCH_BIN measures another build (e.g. the one before a change) on the same databases.
FAMCTX = Path(os.environ.get("FAMCTX_BENCH_BIN") or REPO / "target" / "release" / "famctx")
PG_LOG = DEV / "pg" / "log"
DATA_DIFF = OUT / "venv" / "bin" / "data-diff"

SCALES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
SEED = 42
SOURCES = ["school", "childrens_social_care", "adult_social_care", "housing", "police"]
BULK_ROWS = 10_000
LDAP_BATCH = 100  # names in one OR-filter, as famctx's directory::BATCH
LDAP_SESSIONS = 3  # directory sessions famctx shares a bulk lookup among (permission::MORE_SESSIONS + 1)
ACCOUNT_ATTRS = ["objectGUID", "sAMAccountName", "userPrincipalName", "displayName",
                 "userAccountControl", "accountExpires", "lockoutTime", "memberOf"]
IN_CHAIN = "1.2.840.113556.1.4.1941"
# The entities mdm validate compares: (name, warehouse table, family context table, key columns).
ENTITIES = [
    ("person", "bench.person", "fc.person", ["id"]),
    ("relationship", "mdm.relationship", "fc.relationship",
     ["person_id", "related_person_id", "relationship_type"]),
    ("school_record", "mdm.school_record", "fc.school_record", ["id"]),
    ("childrens_social_care_record", "mdm.childrens_social_care_record",
     "fc.childrens_social_care_record", ["id"]),
    ("adult_social_care_record", "mdm.adult_social_care_record", "fc.adult_social_care_record", ["id"]),
    ("housing_record", "mdm.housing_record", "fc.housing_record", ["id"]),
    ("police_record", "mdm.police_record", "fc.police_record", ["id"]),
]


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


# --- small helpers ---------------------------------------------------------------------------

def median(xs):
    return statistics.median(xs) if xs else None


def p95(xs):
    if not xs:
        return None
    s = sorted(xs)
    return s[max(0, math.ceil(0.95 * len(s)) - 1)]


def summary(xs):
    return {"n": len(xs), "median": median(xs), "p95": p95(xs), "min": min(xs) if xs else None,
            "max": max(xs) if xs else None}


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def with_db(url, db):
    """The same connection URL with another database."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + db))


def split_password(url):
    """URL without its password, and the password (for PGPASSWORD: not on the command line)."""
    parts = urllib.parse.urlsplit(url)
    password = urllib.parse.unquote(parts.password or "")
    netloc = parts.netloc.split("@", 1)
    user = urllib.parse.unquote(parts.username or "")
    host = netloc[1] if len(netloc) == 2 else netloc[0]
    clean = urllib.parse.urlunsplit(parts._replace(netloc=f"{urllib.parse.quote(user)}@{host}"))
    return clean, password


def extract_rust_str_const(path, name):
    text = (REPO / path).read_text()
    m = re.search(r'pub const ' + name + r': &str = "(.*?)";\n', text, re.S)
    if not m:
        raise BenchError(f"cannot find {name} in {path}")
    body = m.group(1)
    if "\\" in body:
        raise BenchError(f"{name} in {path} has escapes this bench does not decode")
    return body


def extract_rust_str_array(path, name):
    text = (REPO / path).read_text()
    m = re.search(r'const ' + name + r': \[&str; \d+\] = \[(.*?)\];', text, re.S)
    if not m:
        raise BenchError(f"cannot find {name} in {path}")
    return re.findall(r'"([^"]*)"', m.group(1))


class Timer:
    def __enter__(self):
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.s = time.perf_counter() - self.t0


# --- the environment -------------------------------------------------------------------------

class Env:
    def __init__(self, scale, persons):
        # Operators' settings (target/dev/env: no database credential) and the servers' own
        # (target/dev/server-env: the owner, the ETL's warehouse reader, the superuser).
        need = ["FAMCTX_DATABASE_URL", "FAMCTX_OWNER_URL", "FAMCTX_MDM_URL", "FAMCTX_MDM_OWNER_URL",
                "FAMCTX_ETL_MDM_URL", "FAMCTX_SUPERUSER_URL", "FAMCTX_LDAP_URL", "FAMCTX_LDAP_CA_FILE",
                "FAMCTX_LDAP_BASE_DN", "FAMCTX_LDAP_REALM", "FAMCTX_DEV_PASSWORDS"]
        missing = [v for v in need if not os.environ.get(v)]
        if missing:
            raise BenchError(f"not set: {', '.join(missing)} (source target/dev/env and target/dev/server-env)")
        e = os.environ
        self.scale, self.persons = scale, persons
        # FAMCTX_BENCH_TAG=name keeps a branch's databases (and their migrations) apart from the
        # shared ones: famctx_bench_<scale>_<name>, mdm_bench_<scale>_<name>.
        tag = os.environ.get("FAMCTX_BENCH_TAG", "")
        if tag and not re.fullmatch(r"[a-z0-9]{1,20}", tag):
            raise BenchError("FAMCTX_BENCH_TAG: 1 to 20 lower-case letters and digits")
        suffix = f"_{tag}" if tag else ""
        self.fc_db, self.mdm_db = f"famctx_bench_{scale}{suffix}", f"mdm_bench_{scale}{suffix}"
        # The operator's URLs: server and database only; the user and the AD password are the
        # operator's own (op_url), as famctx signs in.
        self.fc_op = with_db(e["FAMCTX_DATABASE_URL"], self.fc_db)
        self.mdm_op = with_db(e["FAMCTX_MDM_URL"], self.mdm_db)
        if urllib.parse.urlsplit(self.fc_op).password or urllib.parse.urlsplit(self.mdm_op).password:
            raise BenchError("FAMCTX_DATABASE_URL / FAMCTX_MDM_URL hold a password: this bench expects the "
                             "operator's settings of 'the database is the lock' (target/dev/env)")
        self.fc_owner = with_db(e["FAMCTX_OWNER_URL"], self.fc_db)
        self.fc_owner_shared = e["FAMCTX_OWNER_URL"]  # the seeded famctx database (read only here)
        self.fc_super = with_db(e["FAMCTX_SUPERUSER_URL"], self.fc_db)
        self.mdm_reader = with_db(e["FAMCTX_ETL_MDM_URL"], self.mdm_db)
        self.mdm_owner = with_db(e["FAMCTX_MDM_OWNER_URL"], self.mdm_db)
        self.super_postgres = with_db(e["FAMCTX_SUPERUSER_URL"], "postgres")
        self.ldap_url = e["FAMCTX_LDAP_URL"]
        self.ldap_ca = e["FAMCTX_LDAP_CA_FILE"]
        self.base_dn = e["FAMCTX_LDAP_BASE_DN"]
        self.realm = e["FAMCTX_LDAP_REALM"]
        self.passwords = {}
        for line in Path(e["FAMCTX_DEV_PASSWORDS"]).read_text().splitlines():
            if ":" in line:
                k, v = line.split(":", 1)
                self.passwords[k] = v
        self.work = OUT / scale
        self.work.mkdir(parents=True, exist_ok=True)
        self.secrets = OUT / "secrets"
        self.secrets.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.secrets, 0o700)

    def password(self, account):
        pw = self.passwords.get(account)
        if pw is None and account.startswith("staff."):
            pw = self.passwords.get("staff.*")
        if pw is None:
            raise BenchError(f"no password for {account} in {os.environ['FAMCTX_DEV_PASSWORDS']}")
        return pw

    def op_url(self, account, url):
        """`url` (server and database) signed in as the operator `account` with their AD password,
        which PostgreSQL checks against AD (pg_hba ldap). psql_cmd/psql_env move the password into
        PGPASSWORD, never onto a command line."""
        parts = urllib.parse.urlsplit(url)
        host = parts.netloc.split("@", 1)[-1]
        cred = urllib.parse.quote(account.lower(), safe="") + ":" + urllib.parse.quote(self.password(account), safe="")
        return urllib.parse.urlunsplit(parts._replace(netloc=f"{cred}@{host}"))

    def password_file(self, account):
        pw = self.passwords.get(account)
        if pw is None and account.startswith("staff."):
            pw = self.passwords.get("staff.*")
        if pw is None:
            raise BenchError(f"no password for {account} in {os.environ['FAMCTX_DEV_PASSWORDS']}")
        path = self.secrets / f"{account}.pw"
        if not path.exists() or path.read_text() != pw:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(pw)  # no newline: ldapsearch -y sends the whole file
        os.chmod(path, 0o600)
        return path

    @staticmethod
    def base_env():
        """The environment every measured command gets: a minimal one, as a fresh login has.
        (This machine's shells export SSL_CERT_FILE and SSL_CERT_DIR naming the system bundle,
        which famctx honours as the operator's choice; see the lookup's diagnostic row.)"""
        env = {k: os.environ[k] for k in ("PATH", "HOME", "USER", "LOGNAME") if k in os.environ}
        env["LANG"] = "C.UTF-8"
        return env

    # famctx with a clean environment: only the bench databases are reachable (no owner URL).
    def famctx_env(self, user):
        env = self.base_env()
        env.update({
            "FAMCTX_DATABASE_URL": self.fc_op,
            "FAMCTX_MDM_URL": self.mdm_op,
            "FAMCTX_LDAP_URL": self.ldap_url,
            "FAMCTX_LDAP_CA_FILE": self.ldap_ca,
            "FAMCTX_LDAP_BASE_DN": self.base_dn,
            "FAMCTX_USER": user,
            "FAMCTX_PASSWORD_FILE": str(self.password_file(user)),
            "FAMCTX_LDAP_TIMEOUT": "30",
            "FAMCTX_DB_TIMEOUT": "30",
            "XDG_CONFIG_HOME": "/nonexistent",
            "NO_COLOR": "1",
        })
        return env

    def famctx_cmd(self, *args):
        return [str(FAMCTX), *args]

    def psql_cmd(self, url, *args):
        clean, _ = split_password(url)
        return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", clean, *args]

    def psql_env(self, url):
        _, pw = split_password(url)
        env = self.base_env()
        env["PGPASSWORD"] = pw
        env["PGCONNECT_TIMEOUT"] = "10"
        # As famctx connects (src/db.rs): jit off through the startup options, no round trip.
        env["PGOPTIONS"] = "-c jit=off"
        return env

    def ldap_env(self):
        env = self.base_env()
        env["LDAPTLS_CACERT"] = self.ldap_ca
        env["LDAPTLS_REQCERT"] = "demand"
        return env

    def ldapsearch_cmd(self, account, filters_file, attrs):
        """One session (StartTLS, simple bind), one subtree search from the base a line of
        filters_file."""
        return ["ldapsearch", "-LLL", "-o", "nettimeout=10", "-H", self.ldap_url, "-ZZ", "-x",
                "-D", f"{account}@{self.realm}", "-y", str(self.password_file(account)),
                "-b", self.base_dn, "-f", str(filters_file), "(&%s)", *attrs]

    def ldapsearch_base_cmd(self, account, base, attrs):
        """One session, one base-scope read of `base`."""
        return ["ldapsearch", "-LLL", "-o", "nettimeout=10", "-o", "ldif-wrap=no", "-H", self.ldap_url, "-ZZ",
                "-x", "-D", f"{account}@{self.realm}", "-y", str(self.password_file(account)),
                "-b", base, "-s", "base", "(objectClass=*)", *attrs]


def run(cmd, env=None, timeout=600, stdin=None, stdout=subprocess.PIPE, check=True, ok=(0,),
        input_text=None):
    """Runs a command, bounded in time; returns (returncode, stdout, stderr)."""
    try:
        p = subprocess.run(cmd, env=env, timeout=timeout, stdin=stdin, stdout=stdout,
                           stderr=subprocess.PIPE, input=input_text,
                           text=True if input_text is not None or stdout == subprocess.PIPE else None)
    except subprocess.TimeoutExpired:
        raise BenchError(f"timed out after {timeout} s: {' '.join(map(str, cmd[:6]))} ...")
    err = p.stderr.decode() if isinstance(p.stderr, bytes) else (p.stderr or "")
    if check and p.returncode not in ok:
        raise BenchError(f"exit {p.returncode}: {' '.join(map(str, cmd[:8]))} ...\n{err.strip()[-2000:]}")
    return p.returncode, p.stdout, err


def timed(cmd, env=None, timeout=600, stdout=subprocess.DEVNULL, ok=(0,), stdin=None):
    """Wall time of one command (process start to exit), in seconds."""
    t0 = time.perf_counter()
    rc, out, err = run(cmd, env=env, timeout=timeout, stdout=stdout, ok=ok, stdin=stdin)
    return time.perf_counter() - t0, rc, out, err


def timed_together(cmds, env=None, timeout=600):
    """Wall time of several commands started together, until the last exits, in seconds."""
    t0 = time.perf_counter()
    procs = [subprocess.Popen(c, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for c in cmds]
    for p, c in zip(procs, cmds):
        try:
            _, err = p.communicate(timeout=max(1, timeout - (time.perf_counter() - t0)))
        except subprocess.TimeoutExpired:
            for q in procs:
                q.kill()
            raise BenchError(f"timed out: {' '.join(map(str, c[:8]))} ...")
        if p.returncode != 0:
            raise BenchError(f"exit {p.returncode}: {' '.join(map(str, c[:8]))} ...\n{err.decode()[-2000:]}")
    return time.perf_counter() - t0


RETRIES = {"count": 0, "last": None}


def timed_retry(cmd, env=None, timeout=600, stdout=subprocess.DEVNULL, attempts=3):
    """timed(), but a failed run (the shared dev environment restarted by a test suite, a
    refused sign-in while Samba restarts) is retried after a pause, at most `attempts` times;
    only a successful run's time counts. Retries are counted in the results."""
    for k in range(attempts):
        try:
            return timed(cmd, env=env, timeout=timeout, stdout=stdout)
        except BenchError as exc:
            if k + 1 == attempts:
                raise
            RETRIES["count"] += 1
            RETRIES["last"] = str(exc)[:300]
            log(f"  retrying after a failure (shared servers restarted?): {str(exc).splitlines()[-1][:160]}")
            time.sleep(10)


def timed_rss(cmd, env=None, timeout=3600, stdout=subprocess.DEVNULL, ok=(0,)):
    """Wall time and peak RSS (GNU time), with stdout into `stdout` (a file or DEVNULL)."""
    res = OUT / ".time.out"
    full = ["/usr/bin/time", "-f", "%e %M", "-o", str(res), *cmd]
    t0 = time.perf_counter()
    rc, _, err = run(full, env=env, timeout=timeout, stdout=stdout, ok=ok)
    wall = time.perf_counter() - t0
    fields = res.read_text().strip().splitlines()[-1].split()
    return wall, int(fields[1]) * 1024, rc, err


def pipe_count_lines(cmd, env, timeout=3600, rss=False):
    """Runs cmd with stdout into `wc -l`; returns (wall s, lines, peak RSS bytes or None)."""
    res = OUT / ".time.out"
    full = ["/usr/bin/time", "-f", "%e %M", "-o", str(res), *cmd] if rss else cmd
    t0 = time.perf_counter()
    p1 = subprocess.Popen(full, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p2 = subprocess.Popen(["wc", "-l"], stdin=p1.stdout, stdout=subprocess.PIPE)
    p1.stdout.close()
    try:
        out2, _ = p2.communicate(timeout=timeout)
        _, err1 = p1.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p1.kill()
        p2.kill()
        raise BenchError(f"timed out after {timeout} s: {' '.join(cmd[:6])} ...")
    wall = time.perf_counter() - t0
    if p1.returncode != 0:
        raise BenchError(f"exit {p1.returncode}: {' '.join(cmd[:6])} ...\n{err1.decode()[-2000:]}")
    peak = None
    if rss:
        peak = int(res.read_text().strip().splitlines()[-1].split()[1]) * 1024
    return wall, int(out2.split()[0]), peak


class FlightProxy:
    """A loopback TCP proxy to PostgreSQL that counts, for the connections made through it, the
    client's flights: bursts of client->server bytes that follow server->client bytes (or open
    the connection). Each flight waits for an answer, so it is one round trip, whatever TLS hides.
    Bytes are forwarded unchanged (TLS stays end to end; the certificate names the host, not the
    port). Loopback only; every socket has a timeout."""

    def __init__(self, host, port):
        import socket
        import threading
        self.upstream = (host, port)
        self.lock = threading.Lock()
        self.events = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(1)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        import socket
        import threading
        while not self.stop.is_set():
            try:
                client, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=10)
            except OSError:
                client.close()
                continue
            for s in (client, server):
                s.settimeout(60)
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = id(client)
            threading.Thread(target=self.pump, args=(client, server, conn, "c"), daemon=True).start()
            threading.Thread(target=self.pump, args=(server, client, conn, "s"), daemon=True).start()

    def pump(self, src, dst, conn, direction):
        import socket
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                with self.lock:
                    self.events.append((time.perf_counter(), conn, direction, len(data)))
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def reset(self):
        with self.lock:
            self.events = []

    def flights(self):
        time.sleep(0.2)
        with self.lock:
            events = sorted(self.events)
        n, last = 0, {}
        for _, conn, direction, _ in events:
            if direction == "c" and last.get(conn) != "c":
                n += 1
            last[conn] = direction
        return n

    def close(self):
        self.stop.set()
        self.sock.close()
        self.thread.join(timeout=5)


class Sampler:
    """Samples, every 2 s, the load average and whether other work runs here (a test suite:
    cargo or a debug build of famctx), so that each result says how busy the machine was."""

    def __init__(self):
        import threading
        self.samples = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while not self.stop.is_set():
            busy = self.other_work()
            self.samples.append((time.perf_counter(), os.getloadavg()[0], busy))
            self.stop.wait(2)

    @staticmethod
    def other_work():
        n = 0
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                cmd = Path(f"/proc/{d}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if b"target/debug/" in cmd or cmd.startswith(b"cargo ") or b"/cargo test" in cmd:
                n += 1
        return n

    def wait_quiet(self, limit):
        """Waits up to `limit` seconds for no other work (a test suite) on the machine."""
        if limit <= 0:
            return 0.0
        t0 = time.perf_counter()
        while self.other_work() and time.perf_counter() - t0 < limit:
            time.sleep(5)
        waited = time.perf_counter() - t0
        if waited >= 5:
            log(f"waited {waited:.0f} s for other work to finish" + (
                "" if not self.other_work() else " (still running: measuring anyway)"))
        return waited

    def between(self, t0, t1):
        xs = [x for x in self.samples if t0 <= x[0] <= t1]
        if not xs:
            return None
        return {"load1_mean": round(sum(x[1] for x in xs) / len(xs), 2),
                "other_work_seen": round(sum(1 for x in xs if x[2]) / len(xs), 2), "samples": len(xs)}


class Bench:
    def __init__(self, args):
        self.args = args
        self.persons = SCALES[args.scale]
        self.env = Env(args.scale, self.persons)
        self.results = {"scale": args.scale, "persons": self.persons, "rows": [], "info": {},
                        "phases": {}, "started_at": dt.datetime.now(dt.timezone.utc).isoformat()}
        # The lookup's SQL is the body of fc.family_document (sql/migrations/V8__door.sql);
        # famctx and the floor both reach it through fc_api.family_show.
        if "CREATE FUNCTION fc_api.family_show" not in (REPO / "sql/migrations/V8__door.sql").read_text():
            raise BenchError("sql/migrations/V8__door.sql has no fc_api.family_show")
        self.columns = extract_rust_str_array("src/audit/filter.rs", "COLUMNS")

    # --- psql ----------------------------------------------------------------------------------

    def psql(self, url, sql, timeout=600, extra=()):
        _, out, _ = run(self.env.psql_cmd(url, "-At", *extra, "-c", sql), env=self.env.psql_env(url),
                        timeout=timeout)
        return out.strip()

    def psql_file(self, url, path, variables=None, timeout=3600):
        args = []
        for k, v in (variables or {}).items():
            args += ["-v", f"{k}={v}"]
        run(self.env.psql_cmd(url, *args, "-f", str(path)), env=self.env.psql_env(url), timeout=timeout)

    def famctx(self, user, *args, timeout=600, stdout=subprocess.PIPE, ok=(0,)):
        return run(self.env.famctx_cmd(*args), env=self.env.famctx_env(user), timeout=timeout,
                   stdout=stdout, ok=ok)

    def row(self, section, measure, famctx, floor, floor_what, unit, note="", ratio_value=None,
            key=None):
        r = ratio_value if ratio_value is not None else ratio(famctx, floor)
        self.results["rows"].append({"key": key, "section": section, "measure": measure, "famctx": famctx,
                                     "floor": floor, "floor_what": floor_what, "unit": unit,
                                     "ratio": r, "note": note})

    def phase(self, name):
        bench = self

        class P:
            def __enter__(self):
                waited = bench.sampler.wait_quiet(bench.args.wait_quiet)
                if waited >= 5:
                    bench.results.setdefault("waited_s", {})[name] = round(waited)
                log(f"{name} ...")
                self.t0 = time.perf_counter()

            def __exit__(self, *exc):
                t1 = time.perf_counter()
                s = t1 - self.t0
                bench.results["phases"][name] = {"s": round(s, 1), "machine": bench.sampler.between(self.t0, t1)}
                busy = bench.results["phases"][name]["machine"] or {}
                log(f"{name}: {s:.1f} s (load {busy.get('load1_mean', '?')}, other work seen in "
                    f"{100 * busy.get('other_work_seen', 0):.0f}% of samples)")
        return P()

    # --- 1. databases --------------------------------------------------------------------------

    def db_meta(self):
        out = self.psql(self.env.super_postgres,
                        "SELECT datname || '|' || coalesce(shobj_description(oid, 'pg_database'), '') "
                        f"FROM pg_database WHERE datname IN ('{self.env.fc_db}', '{self.env.mdm_db}')")
        found = dict(line.split("|", 1) for line in out.splitlines() if line)
        meta = None
        if self.env.fc_db in found:
            try:
                meta = json.loads(found[self.env.fc_db] or "null")
            except json.JSONDecodeError:
                meta = None
        return found, meta

    def set_meta(self, meta):
        text = json.dumps(meta).replace("'", "''")
        self.psql(self.env.super_postgres, f"COMMENT ON DATABASE {self.env.fc_db} IS '{text}'")

    def prepare_databases(self):
        e = self.env
        found, meta = self.db_meta()
        if (e.fc_db in found and e.mdm_db in found and meta and meta.get("seeded")
                and meta.get("persons") == self.persons):
            fc_n = int(self.psql(e.fc_owner, "SELECT count(*) FROM fc.person"))
            mdm_n = int(self.psql(e.mdm_owner, "SELECT count(*) FROM mdm.person"))
            if fc_n == mdm_n == self.persons:
                log(f"reusing {e.fc_db} and {e.mdm_db} ({self.persons} persons, seeded "
                    f"{meta.get('seeded_at', '?')})")
                self.migrate()
                self.results["info"]["databases"] = "reused"
                self.meta = meta
                return
            log(f"{e.fc_db}: {fc_n} persons, {e.mdm_db}: {mdm_n}; expected {self.persons}: recreating")
        self.create_databases()
        self.results["info"]["databases"] = "created"

    def migrate(self):
        """famctx db migrate as the owner of the bench database (pending migrations only)."""
        e = self.env
        menv = {k: v for k, v in os.environ.items() if not k.startswith("FAMCTX_")}
        menv.update({"FAMCTX_OWNER_URL": e.fc_owner, "FAMCTX_DATABASE_URL": e.fc_owner,
                     "XDG_CONFIG_HOME": "/nonexistent"})
        _, _, err = run([str(FAMCTX), "db", "migrate"], env=menv, timeout=600)
        if "applied" in err:
            log(err.strip())

    def create_databases(self):
        e = self.env
        log(f"creating {e.fc_db} and {e.mdm_db}")
        for db in (e.fc_db, e.mdm_db):
            self.psql(e.super_postgres, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
            self.psql(e.super_postgres, f"CREATE DATABASE {db} OWNER famctx_owner")
            self.psql(e.super_postgres, f"REVOKE ALL ON DATABASE {db} FROM PUBLIC")
        # CONNECT for the operators' group role (famctx_operator) comes with migration V8; the
        # warehouse's for mdm_reader and famctx_admins with sql/mdm/schema.sql.
        self.psql(e.super_postgres, f"GRANT CONNECT ON DATABASE {e.mdm_db} TO mdm_reader")
        for url in (with_db(e.super_postgres, e.fc_db), with_db(e.super_postgres, e.mdm_db)):
            self.psql(url, "REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        self.migrate()
        senv = {k: v for k, v in os.environ.items() if not k.startswith("FAMCTX_")}
        senv.update({"FAMCTX_OWNER_URL": e.fc_owner, "FAMCTX_MDM_OWNER_URL": e.mdm_owner,
                     "FAMCTX_ETL_MDM_URL": e.mdm_reader, "FAMCTX_BIN": str(FAMCTX),
                     "XDG_CONFIG_HOME": "/nonexistent"})
        with Timer() as t:
            _, _, err = run([str(REPO / "scripts" / "seed"), "--persons", str(self.persons), "--seed", str(SEED)],
                            env=senv, timeout=2400)
        log(err.strip().splitlines()[-1] if err.strip() else "seeded")
        self.results["info"]["seed_s"] = round(t.s, 1)
        # Hint bits and the visibility map, so the first reads do not write.
        self.psql(e.fc_owner, "VACUUM (ANALYZE)", timeout=1800)
        self.psql(e.mdm_owner, "VACUUM (ANALYZE)", timeout=1800)
        self.meta = {"persons": self.persons, "seed": SEED, "seeded": True,
                     "seeded_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                     "audit_rows": None}
        self.set_meta(self.meta)

    # --- 2. the audit trail --------------------------------------------------------------------

    def prepare_audit(self):
        e = self.env
        n = self.args.audit_rows
        have = int(self.psql(e.fc_owner, "SELECT count(*) FROM fc.audit_log", timeout=900))
        if self.meta.get("audit_rows") == n and n <= have <= n + max(n // 10, 100_000):
            log(f"reusing the audit trail: {n} synthetic rows (+{have - n} written by earlier runs)")
            self.results["info"]["audit_trail"] = "reused"
        else:
            log(f"generating {n} synthetic audit rows with their hash chain")
            with Timer() as t:
                # Two years of history, the trail's rows replaced (sql/synthetic/audit_history.sql:
                # partitions made, the chain hashed as fc.audit_canonical hashes it).
                self.psql_file(e.fc_super, REPO / "sql" / "synthetic" / "audit_history.sql",
                               {"target": e.fc_db, "rows": n, "months": 24, "persons": self.persons,
                                "batch": 500_000, "replace": 1, "skip_analyze": 1}, timeout=3600)
                self.psql(e.fc_super, "VACUUM (ANALYZE) fc.audit_log", timeout=3600)
            self.results["info"]["audit_generate_s"] = round(t.s, 1)
            self.results["info"]["audit_trail"] = "generated"
            log(f"generated in {t.s:.1f} s")
            self.meta["audit_rows"] = n
            self.set_meta(self.meta)
            # The chain must verify before anything is measured on it.
            rc, out, err = self.famctx("ig.officer", "audit", "verify", "-o", "json", timeout=3600, ok=(0, 8))
            rep = json.loads(out)
            if rc != 0 or not rep.get("intact"):
                raise BenchError(f"the generated audit trail does not verify: {out} {err}")
            log(f"famctx audit verify: {rep['rows_checked']} rows intact")
        self.results["info"]["audit_rows_synthetic"] = n

    OPERATORS = ("sw.alice", "bi.admin", "ig.officer")

    def map_operators(self):
        """Operators sign in to the bench database as themselves: their login roles are the
        cluster's (made by roles sync for the shared database), and the bench database needs the
        mapping of each role to its AD identity (fc.operator_role). Copied from the seeded famctx
        database; if that lacks one, famctx roles sync runs against the bench database as its
        owner (it adopts existing roles)."""
        e = self.env
        want = "', '".join(self.OPERATORS)
        have = lambda: int(self.psql(e.fc_owner, f"SELECT count(*) FROM fc.operator_role WHERE role_name IN ('{want}') "
                                                 "AND can_login"))
        if have() == len(self.OPERATORS):
            return
        rows = e.work / "operator-roles.tsv"
        run(e.psql_cmd(e.fc_owner_shared, "-c", f"\\copy fc.operator_role TO '{rows}'"),
            env=e.psql_env(e.fc_owner_shared), timeout=120)
        script = e.work / "operator-roles.sql"
        script.write_text("BEGIN;\nCREATE TEMP TABLE r (LIKE fc.operator_role);\n"
                          f"\\copy r FROM '{rows}'\n"
                          "INSERT INTO fc.operator_role SELECT * FROM r ON CONFLICT DO NOTHING;\nCOMMIT;\n")
        self.psql_file(e.fc_owner, script, timeout=120)
        rows.unlink()
        if have() != len(self.OPERATORS):
            log("the seeded famctx database does not map every operator: famctx roles sync on the bench database")
            menv = e.famctx_env("bi.admin")
            menv["FAMCTX_OWNER_URL"] = e.fc_owner
            run(e.famctx_cmd("roles", "sync", "--yes", "--reason", "bench: map the operators"), env=menv,
                timeout=900, stdout=subprocess.DEVNULL)
        if have() != len(self.OPERATORS):
            raise BenchError(f"{e.fc_db}: fc.operator_role does not map {', '.join(self.OPERATORS)}")
        log(f"{e.fc_db}: operators mapped to their AD identities")

    def prepare_grants(self):
        # sw.alice sees every source, so lookups fetch and show records (the realistic cost).
        self.famctx("bi.admin", "permission", "grant", "sw.alice", "--source", *SOURCES,
                    "--reason", "bench: lookups see every source", "-o", "json")
        self.alice_guid = self.psql(self.env.fc_owner,
                                    "SELECT object_guid FROM fc.operator_role WHERE role_name = 'sw.alice'")
        if not re.fullmatch(r"[0-9a-f-]{36}", self.alice_guid or ""):
            raise BenchError("sw.alice's objectGUID is not in fc.app_user")

    # --- PostgreSQL statement log, for counting round trips --------------------------------------

    def capture_statements(self, role, action):
        """Runs action() with log_min_duration_statement = 0 for `role` in the bench database
        (new sessions only), and returns the statements the server logged meanwhile."""
        e = self.env
        if not os.access(PG_LOG, os.R_OK):
            return None
        start = PG_LOG.stat().st_size
        quoted = '"' + role.replace('"', '""') + '"'
        self.psql(e.super_postgres,
                  f"ALTER ROLE {quoted} IN DATABASE {e.fc_db} SET log_min_duration_statement = 0")
        try:
            action()
        finally:
            self.psql(e.super_postgres, f"ALTER ROLE {quoted} IN DATABASE {e.fc_db} RESET log_min_duration_statement")
        time.sleep(0.3)
        with open(PG_LOG, "rb") as f:
            f.seek(start)
            text = f.read().decode("utf-8", "replace")
        prefix = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[(\d+)\] (\w+):  (.*)$")
        entries = []
        for line in text.splitlines():
            m = prefix.match(line)
            if m:
                entries.append([m.group(1), m.group(2), m.group(3)])
            elif entries:
                entries[-1][2] += "\n" + line
        stmts = []
        dur = re.compile(r"^duration: ([\d.]+) ms  (parse|bind|execute|statement)(?: ([^:]*))?: (.*)$", re.S)
        for pid, level, msg in entries:
            if level != "LOG":
                continue
            m = dur.match(msg)
            if m:
                stmts.append({"pid": pid, "kind": m.group(2), "ms": float(m.group(1)), "sql": m.group(4).strip()})
        return stmts

    @staticmethod
    def round_trips(stmts):
        # From the server's log: a prepared statement (Parse+Describe+Sync, then Bind+Execute+
        # Sync) is two round trips, a simple query one. A statement with typed parameters
        # (rust-postgres' query_typed: Parse+Bind+Execute+Sync in one flight) logs the same
        # three lines as a prepared one, so the log overcounts it: the wire count below
        # (client flights) is the figure.
        return sum(1 for s in stmts if s["kind"] in ("parse", "execute", "statement"))

    # --- 3. family lookup ------------------------------------------------------------------------

    def account_dn(self, account):
        e = self.env
        f = e.work / "ldap-dn.txt"
        f.write_text(f"(sAMAccountName={account})\n")
        _, out, _ = run(e.ldapsearch_cmd(account, f, ["1.1"]), env=e.ldap_env(), timeout=30)
        out = out.replace("\n ", "")  # unfold LDIF
        m = re.search(r"^dn:: (.*)$", out, re.M)
        if m:
            import base64
            return base64.b64decode(m.group(1)).decode()
        m = re.search(r"^dn: (.*)$", out, re.M)
        if not m:
            raise BenchError(f"cannot find {account} in the directory")
        return m.group(1)

    def ad_floor(self, account):
        """The AD check famctx makes (src/directory.rs, guard.rs), done by ldapsearch:
        bind; the account (subtree search by sAMAccountName); its tokenGroups (base read of
        the account); the groups those SIDs name (one subtree search). ldapsearch applies one
        base and scope to a session, so it takes two sessions, `tg` (bind + tokenGroups) and
        `rest` (bind + account + groups); one bind-only session (`bind`) is subtracted so that
        the connection, StartTLS and bind are counted once. Also `inchain`: bind + account +
        the in-chain group search from the domain root (the floor the brief named; what famctx
        did before commit 5b6d5b6)."""
        import base64
        e = self.env
        dn = self.account_dn(account)
        tg = e.ldapsearch_base_cmd(account, dn, ["tokenGroups"])
        _, out, _ = run(tg, env=e.ldap_env(), timeout=60)
        sids = [base64.b64decode(v) for v in re.findall(r"^tokenGroups:: (\S+)$", out, re.M)]
        if not sids:
            raise BenchError(f"no tokenGroups for {account}")
        account_filter = f"(&(objectCategory=person)(objectClass=user)(sAMAccountName={account}))"
        sid_filter = "(&(objectClass=group)(|" + "".join(
            "(objectSid=" + "".join(f"\\{b:02x}" for b in sid) + ")" for sid in sids) + "))"
        rest_file = e.work / f"ldap-login-{account}.txt"
        rest_file.write_text(account_filter + "\n" + sid_filter + "\n")
        rest = e.ldapsearch_cmd(account, rest_file, ACCOUNT_ATTRS + ["cn"])
        inchain_file = e.work / f"ldap-inchain-{account}.txt"
        inchain_file.write_text(account_filter + "\n" + f"(&(objectClass=group)(member:{IN_CHAIN}:={dn}))\n")
        inchain = e.ldapsearch_cmd(account, inchain_file, ACCOUNT_ATTRS + ["cn"])
        bind = e.ldapsearch_base_cmd(account, "", ["1.1"])
        # Both ways must find the same FamilyContext groups.
        ours = lambda text: sorted(g for g in re.findall(r"^cn: (.*)$", text, re.M) if g.startswith("FamilyContext"))
        a = ours(run(rest, env=e.ldap_env(), timeout=60)[1])
        b = ours(run(inchain, env=e.ldap_env(), timeout=60)[1])
        if not a or a != b:
            raise BenchError(f"the AD floors disagree for {account}: tokenGroups way {a}, in-chain {b}")
        self.results.setdefault("ad_groups", {})[account] = a
        return {"tg": tg, "rest": rest, "bind": bind, "inchain": inchain}

    @staticmethod
    def ad_floor_ms(samples):
        """Per iteration: tg + rest - bind (one connection counted once)."""
        return [t + r - b for t, r, b in zip(samples["ad_tg"], samples["ad_rest"], samples["ad_bind"])]

    def lookup_ids(self, count):
        lo, hi = 7, self.persons
        return sorted({lo + round(k * (hi - lo) / (count - 1)) for k in range(count)})

    def api_script(self, name, calls):
        """A psql script making the same fc_api calls famctx makes, in autocommit as famctx does:
        `first(:'req')` returns a ticket once it has written (and, at the statement's end,
        committed) the audit row; `fc_api.collect(ticket)` then returns the document."""
        path = self.env.work / f"api-{name}.sql"
        path.write_text(f"SELECT fc_api.{calls}(:'req'::jsonb) ->> 'ticket' AS ticket \\gset\n"
                        "SELECT fc_api.collect(:'ticket'::uuid);\n")
        return path

    def bench_lookup(self):
        e = self.env
        ids = self.lookup_ids(self.args.lookups)
        fam_env = e.famctx_env("sw.alice")
        alice = e.op_url("sw.alice", e.fc_op)
        psql_env = e.psql_env(alice)
        owner_env = e.psql_env(e.fc_owner)
        ldap_env = e.ldap_env()
        ad = self.ad_floor("sw.alice")
        script = self.api_script("family_show", "family_show")
        guid = self.alice_guid

        def request(pid):
            return json.dumps({"id": f"fc:{pid}", "depth": 1, "household": False, "reason": "bench lookup"})

        def famctx_cmd(pid):
            return e.famctx_cmd("family", "show", f"fc:{pid}", "--reason", "bench lookup")

        def psql_cmd(pid, url=alice):
            # psql signed in as sw.alice through LDAP (her AD password, verify-full), the same two
            # function calls as famctx.
            return e.psql_cmd(url, "-At", "-v", f"req={request(pid)}", "-f", str(script))

        # The sign-in alone: psql as the operator (LDAP-checked password) and, for comparison,
        # as the owner (SCRAM, as the shared famctx_app role signed in before).
        signin_op = e.psql_cmd(alice, "-At", "-c", "SELECT 1")
        signin_owner = e.psql_cmd(e.fc_owner, "-At", "-c", "SELECT 1")
        version_cmd = e.famctx_cmd("--version")
        # Diagnostic: the same famctx with SSL_CERT_FILE and SSL_CERT_DIR naming the system
        # bundle, as this machine's shells export them.
        sys_env = dict(fam_env, SSL_CERT_FILE="/etc/ssl/certs/ca-certificates.crt", SSL_CERT_DIR="/etc/ssl/certs")
        # Warm-up (caches, first connections), not counted.
        for pid in ids[:3]:
            run(famctx_cmd(pid), env=fam_env, stdout=subprocess.DEVNULL, timeout=60)
            run(psql_cmd(pid), env=psql_env, stdout=subprocess.DEVNULL, timeout=60)
            run(signin_op, env=psql_env, stdout=subprocess.DEVNULL, timeout=60)
            run(signin_owner, env=owner_env, stdout=subprocess.DEVNULL, timeout=60)
            for cmd in ad.values():
                run(cmd, env=ldap_env, stdout=subprocess.DEVNULL, timeout=60)
        # Check once that the floor does the same work: the same document.
        mid = ids[len(ids) // 2]
        _, out, _ = run(famctx_cmd(mid) + ["-o", "json"], env=fam_env, timeout=60)
        view = json.loads(out)
        _, doc, _ = run(psql_cmd(mid), env=psql_env, timeout=60)
        doc = json.loads(doc)
        members = 1 + len(view["family"])
        if 1 + len(doc.get("family", [])) != members:
            raise BenchError(f"psql's document for fc:{mid} has {1 + len(doc.get('family', []))} persons, "
                             f"famctx showed {members}")
        self.results["lookup_same_document"] = doc == view

        samples = {"famctx": [], "psql": [], "signin_op": [], "signin_owner": [], "ad_tg": [], "ad_rest": [],
                   "ad_bind": [], "ad_inchain": [], "version": [], "famctx_sysstore": []}
        rng = random.Random(SEED)
        log(f"{len(ids)} lookups, each with its floors, interleaved in random order")
        t_end = time.perf_counter() + 1800  # bounded in time as well as in count
        for n, pid in enumerate(ids):
            steps = [("famctx", famctx_cmd(pid), fam_env), ("psql", psql_cmd(pid), psql_env),
                     ("signin_op", signin_op, psql_env), ("signin_owner", signin_owner, owner_env),
                     ("version", version_cmd, fam_env), ("famctx_sysstore", famctx_cmd(pid), sys_env)]
            steps += [(f"ad_{k}", cmd, ldap_env) for k, cmd in ad.items()]
            rng.shuffle(steps)
            for name, cmd, env in steps:
                s, _, _, _ = timed_retry(cmd, env=env, timeout=60)
                samples[name].append(s)
            if (n + 1) % 50 == 0:
                log(f"  {n + 1}/{len(ids)} lookups")
            if time.perf_counter() > t_end:
                log(f"  stopped after {n + 1} lookups (30 min)")
                break
        # One psql session for all: the two calls alone, without connection or process start
        # (as sw.alice), and the lookup's SQL alone (fc.family_document, as the owner).
        calls = e.work / "family-one-session.sql"
        calls.write_text("".join(
            f"\\set req '{request(pid)}'\n" + script.read_text() for pid in ids))
        docs = e.work / "family-document-one-session.sql"
        docs.write_text("".join(f"SELECT fc.family_document('{guid}', {pid}, 1, false, false);\n" for pid in ids))
        one_calls, one_docs = [], []
        for _ in range(3):
            s, _, _, _ = timed(e.psql_cmd(alice, "-At", "-f", str(calls)), env=psql_env, timeout=600)
            one_calls.append(s / len(ids))
            s, _, _, _ = timed(e.psql_cmd(e.fc_owner, "-At", "-f", str(docs)), env=owner_env, timeout=600)
            one_docs.append(s / len(ids))
        family_sizes = []
        for pid in ids[:: max(1, len(ids) // 20)]:
            out = self.psql(e.fc_owner, f"SELECT jsonb_array_length(fc.family_document('{guid}', {pid}, 1, false, false) "
                            "-> 'family') + 1")
            family_sizes.append(int(out))

        # Round trips to PostgreSQL for one lookup: from the server's statement log, and, as a
        # cross-check, the client's flights through a loopback proxy (connection included).
        rt_pid = ids[len(ids) // 3]
        stmts = self.capture_statements(
            "sw.alice", lambda: run(famctx_cmd(rt_pid), env=fam_env, stdout=subprocess.DEVNULL, timeout=60))
        floor_stmts = self.capture_statements(
            "sw.alice", lambda: run(psql_cmd(rt_pid), env=psql_env, stdout=subprocess.DEVNULL, timeout=60))
        flights = self.count_flights(fam_env, psql_env, famctx_cmd, psql_cmd, signin_op, rt_pid)
        samples["ad"] = self.ad_floor_ms(samples)
        ms = {k: summary([x * 1000 for x in v]) for k, v in samples.items()}
        self.results["lookup"] = {"ids": len(ids), "samples_ms": ms,
                                  "one_session_ms_per_lookup": summary([x * 1000 for x in one_calls]),
                                  "one_session_ms_per_document": summary([x * 1000 for x in one_docs]),
                                  "family_sizes": family_sizes, "flights": flights,
                                  "statements": stmts, "floor_statements": floor_stmts}
        sec = "family lookup"
        f, p, l = ms["famctx"], ms["psql"], ms["ad"]
        self.row(sec, f"family show, end to end, median of {len(samples['famctx'])} persons",
                 f["median"], p["median"] + l["median"],
                 "psql signed in as sw.alice through LDAP (verify-full) calling fc_api.family_show then "
                 "fc_api.collect + ldapsearch (StartTLS bind as sw.alice, account, tokenGroups, its groups)",
                 "ms", key="lookup_median")
        self.row(sec, "family show, end to end, p95", f["p95"], p["p95"] + l["p95"],
                 "the same floors' p95", "ms", key="lookup_p95")
        self.row(sec, "  floor part: psql as the operator, the two calls in its own session", None, p["median"],
                 "median; sign-in (TLS, password checked by PostgreSQL against AD) included", "ms",
                 key="lookup_psql")
        self.row(sec, "  floor part: ldapsearch bind + account + tokenGroups + groups", None, l["median"],
                 "median of (tokenGroups session + account/groups session - bind-only session)", "ms",
                 key="lookup_ldap")
        self.row(sec, "  psql sign-in + SELECT 1: as the operator (LDAP) vs as the owner (SCRAM)",
                 ms["signin_op"]["median"], ms["signin_owner"]["median"],
                 "the owner's SCRAM sign-in, as the shared famctx_app role signed in before", "ms",
                 note="the difference is PostgreSQL's own LDAP check of the password", key="lookup_signin")
        self.row(sec, "  for reference: ldapsearch bind + account + in-chain group search", None,
                 ms["ad_inchain"]["median"], "median; famctx's way before 5b6d5b6", "ms", key="lookup_ldap_inchain")
        self.row(sec, "  fc_api.family_show + fc_api.collect alone, one session for all lookups", None,
                 median(one_calls) * 1000, "per lookup, median of 3 sessions as sw.alice (two autocommit "
                 "statements: the audit row's commit included)", "ms", key="lookup_calls")
        self.row(sec, "  fc.family_document alone (the lookup's SQL), one session for all", None,
                 median(one_docs) * 1000, "per query, median of 3 sessions (as the owner)", "ms", key="lookup_query")
        self.row(sec, "  famctx --version (process start and exit)", ms["version"]["median"], None,
                 "", "ms", key="lookup_version")
        self.row(sec, "  family show with SSL_CERT_FILE/SSL_CERT_DIR = the system bundle (as this machine's shells set)",
                 ms["famctx_sysstore"]["median"], f["median"], "the plain famctx lookup", "ms",
                 note="diagnostic (issue 15 item 4: within 1.1x)", key="lookup_sysstore")
        if stmts is not None:
            rt = self.round_trips(stmts)
            frt = self.round_trips(floor_stmts or [])
            kinds = {}
            for s in stmts:
                kinds[s["kind"]] = kinds.get(s["kind"], 0) + 1
            fl = ""
            if flights:
                fl = (f"; cross-check, client flights through a loopback proxy, connection included: famctx "
                      f"{flights['famctx']}, psql floor {flights['psql']}, psql sign-in + SELECT 1 "
                      f"{flights['signin']}")
            if flights:
                # On the wire: the flights of the whole command less those of signing in (the
                # sign-in + SELECT 1 flights, less the SELECT 1's).
                signin = flights["signin"] - 1
                rt, frt = flights["famctx"] - signin, flights["psql"] - signin
                how = "client flights through a loopback proxy less the sign-in's"
            else:
                how = "server statement log (overcounts typed-parameter statements)"
            self.row(sec, "PostgreSQL round trips a lookup (after connecting)", rt, frt or None,
                     "psql: the two calls as two simple queries", "round trips",
                     note=f"{how}; server statement log: {kinds}{fl}", key="lookup_round_trips")

    def count_flights(self, fam_env, psql_env, famctx_cmd, psql_cmd, signin_cmd, pid, tries=3):
        """Round trips seen from the wire, TLS and all: the commands connect through a loopback
        proxy that counts the client's flights (a client->server burst after server data). Median
        of `tries` for each; returns None if the proxy cannot start."""
        e = self.env
        try:
            proxy = FlightProxy("127.0.0.1", urllib.parse.urlsplit(e.fc_op).port or 5432)
        except OSError as exc:
            log(f"no flight proxy: {exc}")
            return None
        try:
            port_url = lambda url: urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(
                netloc=urllib.parse.urlsplit(url).netloc.rsplit(":", 1)[0] + f":{proxy.port}"))
            fenv = dict(fam_env, FAMCTX_DATABASE_URL=port_url(e.fc_op))
            alice = port_url(e.op_url("sw.alice", e.fc_op))
            out = {}
            for name, cmd, env in (("famctx", famctx_cmd(pid), fenv), ("psql", psql_cmd(pid, alice), psql_env),
                                   ("signin", e.psql_cmd(alice, "-At", "-c", "SELECT 1"), psql_env)):
                counts = []
                for _ in range(tries):
                    proxy.reset()
                    run(cmd, env=env, stdout=subprocess.DEVNULL, timeout=60)
                    counts.append(proxy.flights())
                out[name] = int(median(counts))
                out[name + "_all"] = counts
            return out
        finally:
            proxy.close()

    # --- 4. audit search ---------------------------------------------------------------------------

    def bench_audit_search(self):
        e = self.env
        n = self.args.searches
        persons = [1 + round(k * (self.persons - 1) / (n - 1)) for k in range(n)]
        actors = [f"staff.{1 + round(k * 199 / (n - 1)):05d}" for k in range(n)]
        fenv = e.famctx_env("ig.officer")
        ig = e.op_url("ig.officer", e.fc_op)
        penv = e.psql_env(ig)
        lenv = e.ldap_env()
        ad = self.ad_floor("ig.officer")
        script = self.api_script("audit_search", "audit_search")
        kinds = {
            "person": (persons, lambda v: ["--person", f"fc:{v}"], lambda v: {"person": f"fc:{v}", "limit": 100}),
            "actor": (actors, lambda v: ["--actor", v], lambda v: {"actor": v, "limit": 100}),
        }
        floor_cmd = lambda req: e.psql_cmd(ig, "-At", "-v", f"req={json.dumps(req)}", "-f", str(script))
        # famctx must call the function the floor calls, and both must get the same rows.
        checked = {}
        for kind, (values, flag, req) in kinds.items():
            stmts = self.capture_statements("ig.officer", lambda: run(
                e.famctx_cmd("audit", "search", *flag(values[0]), "-o", "json"), env=fenv,
                stdout=subprocess.DEVNULL, timeout=120))
            if stmts is not None:
                checked[kind] = [re.sub(r"\s+", " ", s["sql"])[:80] for s in stmts if s["kind"] != "bind"]
                if not any("fc_api.audit_search" in s["sql"] for s in stmts):
                    raise BenchError(f"famctx's audit search by {kind} does not call fc_api.audit_search; "
                                     f"logged: {checked[kind]}")
            _, out, _ = run(e.famctx_cmd("audit", "search", *flag(values[1]), "-o", "json"), env=fenv, timeout=120)
            _, doc, _ = run(floor_cmd(req(values[1])), env=penv, timeout=120)
            a = [x["id"] for x in json.loads(out)]
            b = [x["id"] for x in json.loads(doc)["entries"]]
            # famctx's own search just now is the newest row either way: compare the rest.
            common = set(a) & set(b)
            if len(common) < min(len(a), len(b)) - 1 or [i for i in a if i in common] != [i for i in b if i in common]:
                raise BenchError(f"audit search by {kind}: famctx and the psql floor return different rows")
        res = {}
        rng = random.Random(SEED + 1)
        for kind, (values, flag, req) in kinds.items():
            samples = {"famctx": [], "psql": [], "ad_tg": [], "ad_rest": [], "ad_bind": []}
            rows_seen = []
            for v in values[:2]:  # warm-up
                run(e.famctx_cmd("audit", "search", *flag(v), "-o", "json"), env=fenv,
                    stdout=subprocess.DEVNULL, timeout=120)
            for v in values:
                steps = [("famctx", e.famctx_cmd("audit", "search", *flag(v), "-o", "json"), fenv),
                         ("psql", floor_cmd(req(v)), penv)]
                steps += [(f"ad_{k}", ad[k], lenv) for k in ("tg", "rest", "bind")]
                rng.shuffle(steps)
                for name, cmd, env in steps:
                    s, _, _, _ = timed_retry(cmd, env=env, timeout=120)
                    samples[name].append(s)
            _, out, _ = run(e.famctx_cmd("audit", "search", *flag(values[n // 2]), "-o", "json"), env=fenv,
                            timeout=120)
            rows_seen.append(len(json.loads(out)))
            one_script = e.work / f"search-{kind}.sql"
            one_script.write_text("".join(f"\\set req '{json.dumps(req(v))}'\n" + script.read_text() for v in values))
            one = []
            for _ in range(3):
                s, _, _, _ = timed(e.psql_cmd(ig, "-At", "-f", str(one_script)), env=penv, timeout=600)
                one.append(s / len(values))
            matches = self.psql(e.fc_owner, "SELECT count(*) FROM fc.audit_log WHERE "
                + (f"(persons_disclosed @> ARRAY[{values[n // 2]}::bigint] OR subject_person = {values[n // 2]})"
                   if kind == "person" else f"lower(actor_account) = lower('{values[n // 2]}')"), timeout=600)
            samples["ad"] = self.ad_floor_ms(samples)
            res[kind] = {"values": len(values), "samples_ms": {k: summary([x * 1000 for x in v])
                                                              for k, v in samples.items()},
                         "one_session_ms_per_search": summary([x * 1000 for x in one]),
                         "rows_returned": rows_seen, "matching_rows_example": int(matches),
                         "statements_logged": checked.get(kind)}
            ms = res[kind]["samples_ms"]
            sec = "audit search"
            self.row(sec, f"audit search --{kind}, end to end, median of {len(values)}",
                     ms["famctx"]["median"], ms["psql"]["median"] + ms["ad"]["median"],
                     "psql signed in as ig.officer through LDAP calling fc_api.audit_search then "
                     "fc_api.collect + the AD check by ldapsearch (ig.officer)", "ms",
                     note=f"about {int(matches)} rows match one {kind}; 100 shown", key=f"search_{kind}")
            self.row(sec, f"  the two calls alone ({kind}), one session for all", None, median(one) * 1000,
                     "per search, median of 3 sessions as ig.officer (audit row and commit included)", "ms",
                     key=f"search_{kind}_query")
        self.results["audit_search"] = res
        # For reference, the in-chain group search for ig.officer (not a member of the big
        # FamilyContext Users): famctx's way before commit 5b6d5b6.
        inchain = [timed(ad["inchain"], env=lenv, timeout=60)[0] * 1000 for _ in range(5)]
        self.row("audit search", "  for reference: ldapsearch bind + account + in-chain groups, ig.officer", None,
                 median(inchain), "median of 5; famctx's way before 5b6d5b6", "ms",
                 note=f"the tokenGroups way: {res['person']['samples_ms']['ad']['median']:.1f} ms",
                 key="search_ldap_inchain")

    # --- 5. audit export ------------------------------------------------------------------------------

    def heavy_runs(self, rows):
        if self.args.heavy_runs:
            return self.args.heavy_runs
        return self.args.runs if rows <= 2_000_000 else max(1, min(self.args.runs, 2))

    def bench_audit_export(self):
        e = self.env
        rows_now = int(self.psql(e.fc_owner, "SELECT count(*) FROM fc.audit_log", timeout=900))
        runs = self.heavy_runs(rows_now)
        fenv = e.famctx_env("ig.officer")
        # Operators may read no table: the floor's \copy signs in as the owner (SCRAM). Its
        # sign-in costs about 13 ms less than an LDAP-checked one: nothing against seconds.
        penv = e.psql_env(e.fc_owner)
        famctx_cmd = e.famctx_cmd("audit", "export", "-o", "jsonl")
        # The same statement famctx runs (V29): the gated view of the export's lines, through
        # psql's \copy, its gate opened by the owner in the same transaction (every row, no
        # window) with the plan setting fc_api.audit_export_copy makes (rows in id order from
        # each month's primary key, no sort). CSV with quote and delimiter characters that JSON
        # never holds raw writes each line as it is (text COPY would double every backslash).
        psql_cmd = e.psql_cmd(
            e.fc_owner, "-c", "BEGIN", "-c", "SET LOCAL enable_sort = off",
            "-c", "INSERT INTO fc.audit_export_gate (xid, upto) SELECT pg_current_xact_id(), max(id) FROM fc.audit_log",
            "-c", "\\copy (SELECT line FROM fc_api.audit_export_lines) TO STDOUT "
                  "WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')",
            "-c", "ROLLBACK")
        samples = {"famctx": [], "psql": [], "famctx_rss": [], "psql_rss": [], "famctx_lines": [],
                   "psql_lines": []}
        log(f"audit export of about {rows_now} rows, {runs} run(s)")
        for r in range(runs):
            order = [("famctx", famctx_cmd, fenv), ("psql", psql_cmd, penv)]
            if r % 2:
                order.reverse()
            for name, cmd, env in order:
                wall, lines, peak = pipe_count_lines(cmd, env, timeout=3600, rss=True)
                samples[name].append(wall)
                samples[f"{name}_rss"].append(peak)
                samples[f"{name}_lines"].append(lines)
                log(f"  {name}: {lines} rows in {wall:.1f} s, peak RSS {peak / 2**20:.0f} MiB")
        self.results["audit_export"] = {"rows": rows_now, "runs": runs, "samples": samples}
        sec = "audit export"
        fm, pm = median(samples["famctx"]), median(samples["psql"])
        rows = median(samples["famctx_lines"])
        self.row(sec, f"audit export -o jsonl, {rows:.0f} rows, wall", fm, pm,
                 "psql \\copy of the same rows as the same JSON lines (the export's gated view, V29), "
                 "signed in as the owner (operators may read no table)", "s",
                 note=f"{runs} run(s); famctx {rows / fm:,.0f} rows/s, psql {rows / pm:,.0f} rows/s",
                 key="export_wall")
        self.row(sec, f"audit export, peak RSS at {rows:.0f} rows", median(samples["famctx_rss"]) / 2**20,
                 median(samples["psql_rss"]) / 2**20, "psql's peak RSS doing the \\copy", "MiB",
                 key="export_rss")

    # --- 6. audit verify ----------------------------------------------------------------------------

    CANONICAL_FIELDS = [
        "id::text", "(extract(epoch FROM occurred_at) * 1000000)::bigint::text", "actor_guid::text",
        "actor_account", "channel", "client_host", "action", "outcome", "subject_person::text",
        "array_to_string(persons_disclosed, ',')", "array_to_string(sources_disclosed, ',')",
        "target_user", "target_guid::text", "reason", "details::text"]

    def canonical_expr(self):
        # fc.audit_canonical written inline (its SQL function is not inlined: about 19 s a
        # million rows, against about 2 s), checked against it below on a sample.
        parts = [f"coalesce(octet_length({f})::text || ':' || {f}, '-') || E'\\n'" for f in self.CANONICAL_FIELDS]
        return "convert_to(" + " || ".join(parts) + ", 'UTF8')"

    def bench_audit_verify(self):
        e = self.env
        fenv = e.famctx_env("ig.officer")
        penv = e.psql_env(e.fc_owner)  # the floor reads the table: as the owner (operators cannot)
        canon = self.canonical_expr()
        # The inline form must give fc.audit_canonical's bytes.
        bad = self.psql(e.fc_owner, (
            "SELECT count(*) FROM (SELECT * FROM fc.audit_log WHERE id % greatest(1, (SELECT max(id) FROM "
            "fc.audit_log) / 2000) = 0 OR id > (SELECT max(id) - 200 FROM fc.audit_log)) a WHERE "
            f"{canon} IS DISTINCT FROM fc.audit_canonical(id, occurred_at, actor_guid, actor_account, channel, "
            "client_host, action, outcome, subject_person, persons_disclosed, sources_disclosed, target_user, "
            "target_guid, reason, details)"), timeout=600)
        if bad != "0":
            raise BenchError(f"the bench's canonical bytes differ from fc.audit_canonical on {bad} rows")
        # The bytes famctx hashes: prev_hash || canonical, row by row, exported once (binary COPY:
        # the raw bytes plus 6 bytes of framing a row).
        canon_file = e.work / "canonical.bin"
        with Timer() as t:
            run(e.psql_cmd(e.fc_owner, "-c", f"\\copy (SELECT prev_hash || {canon} FROM fc.audit_log ORDER BY id) "
                           f"TO '{canon_file}' WITH (FORMAT binary)"), env=penv, timeout=3600)
        rows_file = int(self.psql(e.fc_owner, "SELECT count(*) FROM fc.audit_log", timeout=900))
        size = canon_file.stat().st_size
        log(f"canonical bytes: {size / 2**20:.0f} MiB for about {rows_file} rows (exported in {t.s:.1f} s)")
        runs = self.heavy_runs(rows_file)
        verify_cols = ("SELECT id, occurred_at, (extract(epoch FROM occurred_at) * 1000000)::bigint::text, "
                       "actor_guid::text, actor_account, channel, client_host, action, outcome, "
                       "subject_person::text, array_to_string(persons_disclosed, ','), "
                       "array_to_string(sources_disclosed, ','), target_user, target_guid::text, reason, "
                       "details::text, prev_hash, row_hash FROM fc.audit_log ORDER BY id")
        samples = {"famctx": [], "famctx_rss": [], "rows": [], "sha256sum": [], "psql_read": []}
        for r in range(runs):
            with open(e.work / "verify.json", "w") as vout:
                wall, peak, rc, _ = timed_rss(e.famctx_cmd("audit", "verify", "-o", "json"), env=fenv,
                                              stdout=vout, timeout=3600)
            rep = json.loads((e.work / "verify.json").read_text())
            if not rep.get("intact"):
                raise BenchError(f"audit verify failed: {rep}")
            samples["famctx"].append(wall)
            samples["famctx_rss"].append(peak)
            samples["rows"].append(rep["rows_checked"])
            s, _, _, _ = timed(["sha256sum", str(canon_file)], timeout=3600)
            samples["sha256sum"].append(s)
            s, _, _ = pipe_count_lines(e.psql_cmd(e.fc_owner, "-c", f"\\copy ({verify_cols}) TO STDOUT"), penv,
                                       timeout=3600)
            samples["psql_read"].append(s)
            log(f"  verify {rep['rows_checked']} rows: famctx {wall:.1f} s (RSS {peak / 2**20:.0f} MiB), "
                f"sha256sum {samples['sha256sum'][-1]:.2f} s, psql read {s:.1f} s")
        canon_file.unlink()
        rows = median(samples["rows"])
        fm, sm, rm = median(samples["famctx"]), median(samples["sha256sum"]), median(samples["psql_read"])
        self.results["audit_verify"] = {"runs": runs, "canonical_bytes": size, "samples": samples}
        sec = "audit verify"
        self.row(sec, f"audit verify, rows checked a second ({rows:.0f} rows)", rows / fm, rows / sm,
                 f"sha256sum over the same bytes ({size / 2**20:.0f} MiB, one stream)", "rows/s",
                 ratio_value=fm / sm, note=f"ratio = famctx time / sha256sum time; {runs} run(s)",
                 key="verify_rate")
        self.row(sec, "audit verify, wall", fm, sm + rm,
                 "psql \\copy of the columns verify reads (as the owner) + sha256sum of the bytes", "s",
                 key="verify_wall")
        self.row(sec, "  floor part: psql reading the verify query's rows", None, rm, "median", "s",
                 key="verify_read")
        self.row(sec, "audit verify, peak RSS", median(samples["famctx_rss"]) / 2**20, None, "", "MiB",
                 key="verify_rss")

    # --- 7. bulk permission apply ----------------------------------------------------------------------

    def staff_available(self):
        """staff.00001 ... staff.N present in AD (scripts/dev-env makes them; up makes 2,000)."""
        e = self.env
        f = e.work / "ldap-staff.txt"
        f.write_text("(&(objectCategory=person)(objectClass=user)(sAMAccountName=staff.*))\n")
        cmd = e.ldapsearch_cmd("bi.admin", f, ["sAMAccountName"])
        cmd[cmd.index("-LLL") + 1:cmd.index("-LLL") + 1] = ["-E", "pr=1000/noprompt"]
        _, out, _ = run(cmd, env=e.ldap_env(), timeout=300)
        have = {int(m) for m in re.findall(r"^sAMAccountName: staff\.(\d{5})$", out, re.M)}
        n = 0
        while n + 1 in have:
            n += 1
        return n

    def bench_bulk(self):
        e = self.env
        global BULK_ROWS
        available = self.staff_available()
        BULK_ROWS = min(self.args.bulk_rows, available)
        if BULK_ROWS < 1000:
            raise BenchError(f"only {available} staff accounts in AD (scripts/dev-env staff N)")
        if BULK_ROWS < self.args.bulk_rows:
            log(f"bulk apply: {available} staff accounts in AD, so {BULK_ROWS} grants, not {self.args.bulk_rows} "
                f"(scripts/dev-env staff {self.args.bulk_rows} makes more)")
        aenv = e.famctx_env("bi.admin")
        expires = (dt.date.today() + dt.timedelta(days=365)).isoformat()
        users = [f"staff.{i:05d}" for i in range(1, BULK_ROWS + 1)]
        grant = e.work / "bulk-grant.csv"
        revoke = e.work / "bulk-revoke.csv"
        grant.write_text("action,user,source,expires,reason,ticket\n" + "".join(
            f"grant,{u},{SOURCES[i % 5]},{expires},bench bulk onboarding,BENCH-{i + 1}\n"
            for i, u in enumerate(users)))
        revoke.write_text("action,user,source,expires,reason,ticket\n" + "".join(
            f"revoke,{u},{SOURCES[i % 5]},,bench bulk reset,\n" for i, u in enumerate(users)))
        # The directory floor: the same 10,000 names in OR-filters of LDAP_BATCH, one session.
        filters = e.work / "bulk-ldap-filters.txt"
        lines = ["(&(objectCategory=person)(objectClass=user)(|" +
                 "".join(f"(sAMAccountName={u})" for u in users[k:k + LDAP_BATCH]) + "))\n"
                 for k in range(0, len(users), LDAP_BATCH)]
        filters.write_text("".join(lines))
        if max(len(line) for line in lines) >= 8000:
            raise BenchError("an ldapsearch filter line is too long for ldapsearch -f")
        ldap_cmd = e.ldapsearch_cmd("bi.admin", filters, ACCOUNT_ATTRS)
        # The same searches shared out among LDAP_SESSIONS sessions, as famctx shares them
        # (diagnostic: the floor of the goal stays the one session).
        parallel_cmds = []
        for k in range(LDAP_SESSIONS):
            part = e.work / f"bulk-ldap-filters-{k}.txt"
            part.write_text("".join(lines[k::LDAP_SESSIONS]))
            parallel_cmds.append(e.ldapsearch_cmd("bi.admin", part, ACCOUNT_ATTRS))
        _, out, _ = run(ldap_cmd, env=e.ldap_env(), timeout=300)
        found = len(re.findall(r"^dn: ", out, re.M))
        if found != BULK_ROWS:
            raise BenchError(f"the ldapsearch floor found {found} of {BULK_ROWS} staff accounts "
                             "(scripts/dev-env staff 10000?)")
        # Start from no grants for them (an interrupted earlier run may have left some).
        self.famctx("bi.admin", "permission", "apply", str(revoke), "--yes", "-o", "json", timeout=900)
        scratch_sql = e.work / "bulk-copy.sql"
        grant_rows = e.work / "bulk-grant-rows.tsv"
        audit_rows = e.work / "bulk-audit-rows.tsv"
        self.psql(e.fc_owner, "CREATE SCHEMA IF NOT EXISTS bench_scratch; "
                  "DROP TABLE IF EXISTS bench_scratch.grant_rows, bench_scratch.audit_rows, "
                  "bench_scratch.grant_rows_ix, bench_scratch.audit_rows_ix, "
                  "bench_scratch.grant_rows_fk, bench_scratch.audit_rows_fk; "
                  "CREATE TABLE bench_scratch.grant_rows (LIKE fc.permission_grant); "
                  "CREATE TABLE bench_scratch.audit_rows (LIKE fc.audit_log); "
                  "CREATE TABLE bench_scratch.grant_rows_ix (LIKE fc.permission_grant INCLUDING INDEXES); "
                  "CREATE TABLE bench_scratch.audit_rows_ix (LIKE fc.audit_log INCLUDING INDEXES); "
                  # The same integrity the real tables keep: their CHECK constraints and foreign
                  # keys (checked a row, as the apply's inserts are), not only their indexes.
                  "CREATE TABLE bench_scratch.grant_rows_fk (LIKE fc.permission_grant INCLUDING ALL, "
                  "FOREIGN KEY (grantee_guid) REFERENCES fc.app_user, "
                  "FOREIGN KEY (granted_by_guid) REFERENCES fc.app_user, "
                  "FOREIGN KEY (revoked_by_guid) REFERENCES fc.app_user, "
                  "FOREIGN KEY (source_code) REFERENCES fc.data_source); "
                  "CREATE TABLE bench_scratch.audit_rows_fk (LIKE fc.audit_log INCLUDING ALL, "
                  "FOREIGN KEY (action) REFERENCES fc.audit_action)")
        scratch_sql.write_text(
            "BEGIN;\nTRUNCATE bench_scratch.grant_rows, bench_scratch.audit_rows;\n"
            f"\\copy bench_scratch.grant_rows FROM '{grant_rows}'\n"
            f"\\copy bench_scratch.audit_rows FROM '{audit_rows}'\nCOMMIT;\n")
        # The same, into copies of the real tables with all their indexes (the GIN on
        # persons_disclosed, the partial and expression indexes), still without the chain.
        scratch_ix_sql = e.work / "bulk-copy-indexed.sql"
        scratch_ix_sql.write_text(
            "BEGIN;\nTRUNCATE bench_scratch.grant_rows_ix, bench_scratch.audit_rows_ix;\n"
            f"\\copy bench_scratch.grant_rows_ix FROM '{grant_rows}'\n"
            f"\\copy bench_scratch.audit_rows_ix FROM '{audit_rows}'\nCOMMIT;\n")
        scratch_fk_sql = e.work / "bulk-copy-constrained.sql"
        scratch_fk_sql.write_text(
            "BEGIN;\nTRUNCATE bench_scratch.grant_rows_fk, bench_scratch.audit_rows_fk;\n"
            f"\\copy bench_scratch.grant_rows_fk FROM '{grant_rows}'\n"
            f"\\copy bench_scratch.audit_rows_fk FROM '{audit_rows}'\nCOMMIT;\n")
        penv = e.psql_env(e.fc_owner)
        samples = {"dry": [], "apply": [], "revoke": [], "ldap": [], "ldap_parallel": [], "copy": [], "copy_ix": [],
                   "copy_fk": []}
        runs = self.args.runs
        log(f"bulk apply of {BULK_ROWS} grants, {runs} run(s)")
        def logged(name, cmd, stdout=subprocess.DEVNULL):
            """Times cmd while the server logs the application role's statements: the wall time,
            the output, and the server's own time for the statements, by statement."""
            box = {}

            def act():
                box["s"], _, box["out"], _ = timed(cmd, env=aenv, timeout=900, stdout=stdout)
            stmts = self.capture_statements("bi.admin", act) or []
            by = {}
            for st in stmts:
                key = re.sub(r"\s+", " ", st["sql"])[:60]
                by[key] = by.get(key, 0) + st["ms"]
            samples.setdefault(f"{name}_server_s", []).append(sum(by.values()) / 1000)
            samples.setdefault(f"{name}_server_by", []).append({k: round(v, 1) for k, v in by.items()})
            return box["s"], box["out"]

        for r in range(runs):
            s, out = logged("dry", e.famctx_cmd("permission", "apply", str(grant), "--dry-run", "-o", "json"),
                            stdout=subprocess.PIPE)
            effects = {}
            for o in json.loads(out):
                effects[o["effect"]] = effects.get(o["effect"], 0) + 1
            if effects != {"added": BULK_ROWS}:
                raise BenchError(f"the dry run would not add {BULK_ROWS} grants: {effects}")
            samples["dry"].append(s)
            before = int(self.psql(e.fc_owner, "SELECT max(id) FROM fc.audit_log"))
            apply_cmd = e.famctx_cmd("permission", "apply", str(grant), "--yes", "-o", "json")
            s, _ = logged("apply", apply_cmd, stdout=subprocess.PIPE)
            samples["apply"].append(s)
            active = int(self.psql(e.fc_owner, "SELECT count(*) FROM fc.permission_grant g JOIN fc.app_user u "
                                   "ON u.object_guid = g.grantee_guid WHERE g.revoked_at IS NULL AND "
                                   "u.account_name LIKE 'staff.%'"))
            written = int(self.psql(e.fc_owner, f"SELECT count(*) FROM fc.audit_log WHERE id > {before}"))
            if active != BULK_ROWS or written != BULK_ROWS + 1:
                raise BenchError(f"after the apply: {active} grants, {written} audit rows")
            if r == 0:
                # The floor's rows: the very grant and audit rows the apply wrote.
                run(e.psql_cmd(e.fc_owner, "-c", "\\copy (SELECT g.* FROM fc.permission_grant g JOIN fc.app_user u "
                               "ON u.object_guid = g.grantee_guid WHERE g.revoked_at IS NULL AND u.account_name "
                               f"LIKE 'staff.%') TO '{grant_rows}'"), env=penv, timeout=300)
                run(e.psql_cmd(e.fc_owner, "-c", f"\\copy (SELECT * FROM fc.audit_log WHERE id > {before} AND "
                               f"action = 'permission_granted') TO '{audit_rows}'"), env=penv, timeout=300)
            s, _ = logged("revoke", e.famctx_cmd("permission", "apply", str(revoke), "--yes", "-o", "json"))
            samples["revoke"].append(s)
            s, _, _, _ = timed(ldap_cmd, env=e.ldap_env(), timeout=300)
            samples["ldap"].append(s)
            samples["ldap_parallel"].append(timed_together(parallel_cmds, env=e.ldap_env(), timeout=300))
            s, _, _, _ = timed(e.psql_cmd(e.fc_owner, "-f", str(scratch_sql)), env=penv, timeout=300)
            samples["copy"].append(s)
            s, _, _, _ = timed(e.psql_cmd(e.fc_owner, "-f", str(scratch_ix_sql)), env=penv, timeout=300)
            samples["copy_ix"].append(s)
            s, _, _, _ = timed(e.psql_cmd(e.fc_owner, "-f", str(scratch_fk_sql)), env=penv, timeout=300)
            samples["copy_fk"].append(s)
            log(f"  run {r + 1}: dry run {samples['dry'][-1]:.1f} s, apply {samples['apply'][-1]:.1f} s "
                f"(server {samples['apply_server_s'][-1]:.2f} s), revoke {samples['revoke'][-1]:.1f} s "
                f"(server {samples['revoke_server_s'][-1]:.2f} s); ldapsearch {samples['ldap'][-1]:.1f} s, "
                f"COPY {samples['copy'][-1]:.2f} s")
        copied = self.psql(e.fc_owner, "SELECT (SELECT count(*) FROM bench_scratch.grant_rows) || ' ' || "
                           "(SELECT count(*) FROM bench_scratch.audit_rows)")
        self.psql(e.fc_owner, "DROP SCHEMA bench_scratch CASCADE")
        self.results["bulk"] = {"rows": BULK_ROWS, "runs": runs, "samples": samples, "copied": copied}
        d, a, l, c = (median(samples[k]) for k in ("dry", "apply", "ldap", "copy"))
        db_part = median([x - y for x, y in zip(samples["apply"], samples["dry"])])
        server_total = median(samples["apply_server_s"]) if samples.get("apply_server_s") else None
        last = samples["apply_server_by"][-1] if samples.get("apply_server_by") else {}
        sec = "bulk permission apply"
        self.row(sec, f"permission apply, {BULK_ROWS} grants (+{BULK_ROWS} audit rows)", a, l + c,
                 f"ldapsearch of the {BULK_ROWS} accounts (OR-filters of {LDAP_BATCH}, one session) + psql "
                 "COPY of the same grant and audit rows into scratch tables (one transaction)", "s",
                 note=f"median of {runs}", key="bulk_total")
        self.row(sec, "  AD part: apply --dry-run (AD lookup + planning)", d, l, "the ldapsearch batches", "s",
                 key="bulk_ad")
        self.row(sec, f"  AD part, against the same searches in {LDAP_SESSIONS} ldapsearch sessions at once", d,
                 median(samples["ldap_parallel"]), f"{LDAP_SESSIONS} ldapsearch processes, a share of the "
                 "batches each", "s", note="diagnostic", key="bulk_ad_parallel")
        self.row(sec, "  database part: apply - dry run", db_part, c, "the COPY", "s",
                 note="median of the runs' differences", key="bulk_db")
        if server_total:
            top = sorted(last.items(), key=lambda kv: -kv[1])[:3]
            self.row(sec, "  database part, as the server timed it (statement log)", server_total, c,
                     "the COPY", "s", note="; ".join(f"{k}...: {v / 1000:.2f} s" for k, v in top),
                     key="bulk_db_server")
        self.row(sec, "  database part: apply - dry run, against an indexed COPY", db_part, median(samples["copy_ix"]),
                 "the COPY into copies of the tables with all their indexes", "s", key="bulk_db_indexed")
        self.row(sec, "  database part: apply - dry run, against a COPY keeping the tables' integrity", db_part,
                 median(samples["copy_fk"]), "the COPY into copies with their indexes, CHECK constraints and "
                 "foreign keys (each checked a row)", "s", note="diagnostic", key="bulk_db_constrained")
        self.row(sec, f"  revoke of the same {BULK_ROWS} (for the record)", median(samples["revoke"]), None,
                 "", "s", note=f"server time {median(samples['revoke_server_s']):.2f} s" if samples.get(
                     "revoke_server_s") else "", key="bulk_revoke")
        # A revoke of the same rows straight after the grant, while the statistics still know of
        # none of its grants: its slowest run against the grant's own time in that run.
        worst = max(range(runs), key=lambda i: samples["revoke"][i] / samples["apply"][i])
        self.row(sec, f"  revoke straight after the grant / that run's grant, the worst of {runs} runs",
                 samples["revoke"][worst], samples["apply"][worst], "the grant of the same run", "s",
                 note="revokes: " + ", ".join(f"{x:.2f}" for x in samples["revoke"]) + " s; grants: " +
                 ", ".join(f"{x:.2f}" for x in samples["apply"]) + " s", key="bulk_revoke_vs_grant")
        for name in ("apply", "revoke"):
            worst = max(range(runs), key=lambda i: samples[name][i])
            by = samples.get(f"{name}_server_by", [{}] * runs)[worst]
            top = sorted(by.items(), key=lambda kv: -kv[1])[:2]
            self.row(sec, f"  {name}, the slowest of {runs} runs", samples[name][worst], None, "", "s",
                     note=f"server {samples.get(f'{name}_server_s', [0] * runs)[worst]:.2f} s: " +
                     "; ".join(f"{k}...: {v / 1000:.2f} s" for k, v in top), key=f"bulk_{name}_worst")
        # fc.audit_write computes each row's canonical bytes with fc.audit_canonical, a SQL
        # function the planner does not inline; the same bytes by an inline expression:
        n = 100_000
        cols = ("id, occurred_at, actor_guid, actor_account, channel, client_host, action, outcome, "
                "subject_person, persons_disclosed, sources_disclosed, target_user, target_guid, reason, details")
        base = f"(SELECT * FROM fc.audit_log ORDER BY id DESC LIMIT {n}) a"
        def exec_ms(expr):
            out = self.psql(e.fc_owner, f"EXPLAIN (ANALYZE, TIMING OFF) SELECT count({expr}) FROM {base}",
                            timeout=600)
            return float(re.search(r"Execution Time: ([\d.]+) ms", out).group(1))
        t_read = median([exec_ms("a.id") for _ in range(3)])
        t_fn = median([exec_ms(f"fc.audit_canonical({cols})") for _ in range(3)])
        t_inline = median([exec_ms(self.canonical_expr()) for _ in range(3)])
        us = lambda t: (t - t_read) * 1000 / n
        self.results["canonical_us_per_row"] = {"function": us(t_fn), "inline": us(t_inline), "rows": n}
        self.row(sec, "  fc.audit_canonical, server time a row (audit_write calls it once a row)", us(t_fn),
                 us(t_inline), "the same bytes by an inline SQL expression", "µs",
                 note=f"diagnostic, on {n:,} rows; x {BULK_ROWS:,} rows = "
                      f"{us(t_fn) * BULK_ROWS / 1e6:.2f} s against {us(t_inline) * BULK_ROWS / 1e6:.2f} s",
                 key="canonical_fn")

        self.bench_audit_rate(sec)

    def bench_audit_rate(self, sec, n=10_000):
        """Audit rows a second on the server: n rows by n fc.audit_write calls, against the same n
        rows appended as one set (fc.audit_append, V16), each in a transaction rolled back (the
        chain is left as it was)."""
        e = self.env
        row = ("NULL, 'bench', 'db', NULL, 'schema_migrated', 'allowed', NULL, '{}', '{}', "
               "'staff.' || g, NULL, 'bench audit rate', jsonb_build_object('line', g)")
        one = f"SELECT count(fc.audit_write({row})) FROM generate_series(1, {n}) g"
        many = (f"SELECT fc.audit_append(array_agg(ROW({row})::fc.audit_entry_t ORDER BY g)) "
                f"FROM generate_series(1, {n}) g")
        has_set = self.psql(e.fc_owner, "SELECT to_regproc('fc.audit_append') IS NOT NULL") == "t"

        def rate(sql):
            out = self.psql(e.fc_owner, f"BEGIN; EXPLAIN (ANALYZE, TIMING OFF) {sql}; ROLLBACK;", timeout=900)
            return n / (float(re.search(r"Execution Time: ([\d.]+) ms", out).group(1)) / 1000)
        ones, sets = [], []
        for _ in range(3):
            ones.append(rate(one))
            if has_set:
                sets.append(rate(many))
        self.results["audit_rate"] = {"rows": n, "one_at_a_time": ones, "set": sets}
        spread = lambda xs: f"{min(xs):,.0f}-{max(xs):,.0f}" if xs else "n/a"
        self.row(sec, f"  audit rows a second on the server, {n:,} rows: one fc.audit_write a row / one set",
                 statistics.median(ones), statistics.median(sets) if sets else None,
                 "fc.audit_append of the same rows (V16)", "rows/s",
                 note=f"median of 3; one at a time {spread(ones)}, set {spread(sets)}", key="audit_rate")

    # --- 8. MDM validate ---------------------------------------------------------------------------

    def restore_file(self):
        return self.env.work / "mdm-restore.sql"

    def restore_persons(self):
        f = self.restore_file()
        if f.exists():
            log(f"restoring the persons changed for the MDM comparison ({f})")
            self.psql_file(self.env.fc_owner, f)
            f.unlink()

    def bench_mdm(self):
        e = self.env
        if not DATA_DIFF.exists():
            raise BenchError(f"{DATA_DIFF} is missing (scripts/bench installs it)")
        # A view giving the warehouse's person key the family context database's name (data-diff
        # takes one key name for both sides).
        self.psql(e.mdm_owner, "CREATE SCHEMA IF NOT EXISTS bench; "
                  "CREATE OR REPLACE VIEW bench.person AS SELECT person_id AS id FROM mdm.person; "
                  "GRANT USAGE ON SCHEMA bench TO mdm_reader; GRANT SELECT ON bench.person TO mdm_reader")
        # 3 persons deleted (ones without relationships or records, so only the key sets
        # differ) and 3 inserted in the family context database; restored afterwards.
        gone = self.psql(e.fc_owner, (
            "SELECT string_agg(id::text, ',') FROM (SELECT p.id FROM fc.person p WHERE p.id > 6 "
            "AND NOT EXISTS (SELECT 1 FROM fc.relationship r WHERE r.person_id = p.id) "
            "AND NOT EXISTS (SELECT 1 FROM fc.relationship r WHERE r.related_person_id = p.id) "
            + "".join(f"AND NOT EXISTS (SELECT 1 FROM fc.{t}_record x WHERE x.person_id = p.id) "
                      for t in ("school", "childrens_social_care", "adult_social_care", "housing", "police"))
            + "ORDER BY hashint8(p.id) LIMIT 3) s"), timeout=600).split(",")
        if len(gone) != 3:
            raise BenchError("found no 3 persons without relationships or records")
        new = [self.persons + 1000 + k for k in (1, 2, 3)]
        restore = self.psql(e.fc_owner, (
            "SELECT string_agg(format('INSERT INTO fc.person SELECT * FROM json_populate_record(NULL::fc.person, %L);', "
            f"row_to_json(p)), E'\\n') FROM fc.person p WHERE id IN ({','.join(gone)})"))
        self.restore_file().write_text(
            f"BEGIN;\nDELETE FROM fc.person WHERE id IN ({','.join(map(str, new))});\n"
            f"DELETE FROM fc.person WHERE id IN ({','.join(gone)});\n{restore}\nCOMMIT;\n")
        self.psql(e.fc_owner, (
            f"BEGIN; DELETE FROM fc.person WHERE id IN ({','.join(gone)}); "
            "INSERT INTO fc.person (id, first_name, last_name, date_of_birth, gender, address_line, postcode, uprn) "
            f"SELECT n, 'Bench', 'Extra ' || n, date '1990-01-01', 'Female', '1 Bench Street', 'KV1 1AA', NULL "
            f"FROM unnest(ARRAY[{','.join(map(str, new))}]::bigint[]) n; COMMIT"))
        try:
            self._bench_mdm(sorted(int(g) for g in gone), new)
        finally:
            self.restore_persons()
        n = int(self.psql(e.fc_owner, "SELECT count(*) FROM fc.person"))
        if n != self.persons:
            raise BenchError(f"after the restore fc.person has {n} rows, not {self.persons}")

    def data_diff(self, entity, keys, timeout=900):
        e = self.env
        name, mdm_table, fc_table, _ = entity
        # The warehouse as the ETL's reader, family context as the owner: no operator may read
        # fc tables, and data-diff needs passwords in its URLs.
        cmd = [str(DATA_DIFF), e.mdm_reader, mdm_table, e.fc_owner, fc_table, "--no-tracking", "--json"]
        for k in keys:
            cmd += ["-k", k]
        env = e.base_env()
        env["PYTHONWARNINGS"] = "ignore"
        t0 = time.perf_counter()
        _, out, err = run(cmd, env=env, timeout=timeout)
        s = time.perf_counter() - t0
        minus, plus = [], []
        for line in out.splitlines():
            line = line.strip()
            if not line.startswith("["):
                continue
            sign, row = json.loads(line)
            (minus if sign == "-" else plus).append(row)
        return s, minus, plus

    def _bench_mdm(self, gone, new):
        e = self.env
        aenv = e.famctx_env("bi.admin")
        report = e.work / "mdm-report.json"
        runs = self.args.runs
        counts_sql = lambda schema, key_tables: "SELECT " + ", ".join(
            f"(SELECT count(*) FROM {schema}.{t})" for t in key_tables)
        tables = ["person", "relationship", "school_record", "childrens_social_care_record",
                  "adult_social_care_record", "housing_record", "police_record"]
        # The warehouse as bi.admin (through LDAP, as famctx reads it); family context as the
        # owner (SCRAM): operators may read no fc table.
        admin_mdm = e.op_url("bi.admin", e.mdm_op)
        cnt_mdm = e.psql_cmd(admin_mdm, "-At", "-c", counts_sql("mdm", tables))
        cnt_fc = e.psql_cmd(e.fc_owner, "-At", "-c", counts_sql("fc", tables))
        samples = {"famctx": [], "counts": [], "dd_person": [], "dd_all": []}
        dd_found = None
        famctx_found = None
        log(f"mdm validate, count(*) and data-diff, {runs} run(s)")
        for r in range(runs):
            if report.exists():
                report.unlink()
            s, rc, _, _ = timed(e.famctx_cmd("mdm", "validate", "--report", str(report), "-o", "json"),
                                env=aenv, timeout=1800, ok=(0, 6, 7), stdout=subprocess.DEVNULL)
            samples["famctx"].append(s)
            rep = json.loads(report.read_text())
            keys = next(c for c in rep["checks"] if c["name"] == "key_sets")
            person = next(i for i in keys["items"] if i["subject"] == "person")
            ints = lambda v: sorted(int(x) for x in re.findall(r"\d+", json.dumps(v)))
            famctx_found = {"missing": ints(person["figures"]["missing_sample"]),
                            "extra": ints(person["figures"]["extra_sample"]),
                            "status": rep["status"], "exit": rc,
                            "other_entities_differing": [i["subject"] for i in keys["items"]
                                                         if i["subject"] != "person" and i["status"] != "pass"]}
            # The floor: both databases' counts, concurrently (as famctx queries both at once).
            t0 = time.perf_counter()
            p1 = subprocess.Popen(cnt_mdm, env=e.psql_env(admin_mdm), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
            p2 = subprocess.Popen(cnt_fc, env=e.psql_env(e.fc_owner), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
            o1, _ = p1.communicate(timeout=600)
            o2, _ = p2.communicate(timeout=600)
            samples["counts"].append(time.perf_counter() - t0)
            if p1.returncode or p2.returncode:
                raise BenchError("the count(*) floor failed")
            total = 0.0
            for ent in ENTITIES:
                s, minus, plus = self.data_diff(ent, ent[3])
                total += s
                if ent[0] == "person":
                    samples["dd_person"].append(s)
                    dd_found = {"missing": sorted(int(x[0]) for x in minus),
                                "extra": sorted(int(x[0]) for x in plus)}
                elif minus or plus:
                    raise BenchError(f"data-diff found differences in {ent[0]}: -{len(minus)} +{len(plus)}")
            samples["dd_all"].append(total)
            log(f"  run {r + 1}: famctx {samples['famctx'][-1]:.1f} s, count(*) {samples['counts'][-1]:.2f} s, "
                f"data-diff person {samples['dd_person'][-1]:.1f} s, all 7 entities {total:.1f} s")
        want = {"missing": gone, "extra": sorted(new)}
        agree = (famctx_found["missing"] == want["missing"] and famctx_found["extra"] == want["extra"]
                 and dd_found == want)
        self.results["mdm"] = {"runs": runs, "samples": samples, "changed": want, "famctx_found": famctx_found,
                               "data_diff_found": dd_found, "agree": agree,
                               "o_counts": [o1.decode().strip(), o2.decode().strip()]}
        if not agree:
            raise BenchError(f"the tools disagree: wanted {want}, famctx {famctx_found}, data-diff {dd_found}")
        sec = "mdm validate"
        fm = median(samples["famctx"])
        self.row(sec, "mdm validate, full data (all checks, 7 entities)", fm, median(samples["counts"]),
                 "count(*) of the 7 tables in both databases, concurrently (two psql sessions: the warehouse "
                 "as bi.admin through LDAP, family context as the owner)", "s",
                 note=f"both report the same 6 person ids; median of {runs}", key="mdm_counts")
        self.row(sec, "mdm validate vs data-diff, the person key set", fm, median(samples["dd_person"]),
                 "data-diff 0.11.2 on persons only (finds the same 3 missing + 3 extra ids)", "s",
                 key="mdm_dd_person")
        self.row(sec, "mdm validate vs data-diff, the 7 key sets", fm, median(samples["dd_all"]),
                 "data-diff on each of the 7 entities, one after another", "s", key="mdm_dd_all")

    # --- the machine ----------------------------------------------------------------------------------

    def machine(self):
        info = {"kernel": platform.release(), "cores": os.cpu_count(), "python": platform.python_version()}
        try:
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
            for line in Path("/proc/meminfo").read_text().splitlines():
                if line.startswith("MemTotal"):
                    info["memory_gib"] = round(int(line.split()[1]) / 2**20, 1)
        except OSError:
            pass
        info["postgres"] = self.psql(self.env.fc_owner, "SHOW server_version")
        info["pg_settings"] = self.psql(self.env.fc_owner, "SELECT string_agg(name || '=' || setting, ' ') FROM "
                                        "pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'jit', "
                                        "'synchronous_commit', 'max_parallel_workers_per_gather')")
        for cmd, key in ((["samba", "--version"], "samba"), ([str(FAMCTX), "--version"], "famctx")):
            try:
                info[key] = run(cmd, timeout=10)[1].strip()
            except (BenchError, OSError):
                pass
        try:
            info["git"] = run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], timeout=10)[1].strip()
            info["git_dirty"] = bool(run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                                         timeout=10)[1].strip())
        except BenchError:
            pass
        try:
            info["load_avg_start"] = os.getloadavg()
        except OSError:
            pass
        return info

    # --- the run ------------------------------------------------------------------------------------------

    def main(self):
        t0 = time.perf_counter()
        self.sampler = Sampler()
        with self.phase("databases"):
            if self.restore_file().exists() and self.env.fc_db in self.db_meta()[0]:
                self.restore_persons()
            self.prepare_databases()
            self.map_operators()
        with self.phase("audit trail"):
            self.prepare_audit()
        self.prepare_grants()
        self.results["machine"] = self.machine()
        audit_rows = int(self.psql(self.env.fc_owner, "SELECT count(*) FROM fc.audit_log", timeout=900))
        self.results["info"]["audit_rows_at_start"] = audit_rows
        sections = [("lookup", self.bench_lookup), ("audit search", self.bench_audit_search),
                    ("audit export", self.bench_audit_export), ("audit verify", self.bench_audit_verify),
                    ("bulk apply", self.bench_bulk), ("mdm validate", self.bench_mdm)]
        for name, fn in sections:
            if name in self.args.skip:
                continue
            with self.phase(name):
                fn()
        self.results["machine"]["load_avg_end"] = os.getloadavg()
        self.results["total_s"] = round(time.perf_counter() - t0, 1)
        self.results["machine"]["busy"] = self.sampler.between(t0, time.perf_counter())
        self.sampler.stop.set()
        self.results["finished_at"] = dt.datetime.now(dt.timezone.utc).isoformat()
        self.results["args"] = vars(self.args)
        self.results["retries"] = dict(RETRIES)
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        # A run that skipped sections is kept apart: the latest-<scale> files hold full runs only.
        partial = "-partial" if self.args.skip else ""
        path = OUT / f"{self.args.scale}-{stamp}{partial}.json"
        path.write_text(json.dumps(self.results, indent=1, default=str))
        table = render(self.results)
        path.with_suffix(".md").write_text(table)
        if not partial:
            shutil.copyfile(path, OUT / f"latest-{self.args.scale}.json")
            (OUT / f"latest-{self.args.scale}.md").write_text(table)
        print(table)
        log(f"wrote {path} (total {self.results['total_s']:.0f} s)")


# --- rendering ------------------------------------------------------------------------------------------

def fmt(v, unit):
    if v is None:
        return ""
    if unit == "rows/s":
        return f"{v:,.0f}"
    if unit in ("round trips",):
        return f"{v:.0f}"
    if unit == "MiB":
        return f"{v:,.0f} MiB"
    if unit == "ms":
        return f"{v:,.1f} ms"
    if unit == "µs":
        return f"{v:,.1f} µs"
    if unit == "s":
        return f"{v:,.2f} s" if v < 10 else f"{v:,.1f} s"
    return f"{v}"


def render(res):
    lines = [f"famctx bench at {res['scale']} ({res['persons']:,} persons; audit trail "
             f"{res['info'].get('audit_rows_at_start', 0):,} rows at start); {res.get('finished_at', '')[:19]}Z",
             f"machine: {res.get('machine', {}).get('cpu', '?')}, {res.get('machine', {}).get('cores', '?')} cores; "
             f"load {((res.get('machine') or {}).get('busy') or {}).get('load1_mean', '?')}, other work (a test suite) "
             f"seen in {100 * (((res.get('machine') or {}).get('busy') or {}).get('other_work_seen') or 0):.0f}% of samples",
             "", "| measure | famctx | floor | ratio | floor is |", "|---|---:|---:|---:|---|"]
    section = None
    for r in res["rows"]:
        if r["section"] != section:
            section = r["section"]
            lines.append(f"| **{section}** | | | | |")
        ratio_s = f"{r['ratio']:.2f}" if r["ratio"] is not None else ""
        what = r["floor_what"] + (f" ({r['note']})" if r.get("note") else "")
        unit = r["unit"]
        famctx = fmt(r["famctx"], unit) if unit != "rows/s" else (f"{r['famctx']:,.0f} rows/s" if r['famctx'] else "")
        floor = fmt(r["floor"], unit) if unit != "rows/s" else (f"{r['floor']:,.0f} rows/s" if r['floor'] else "")
        lines.append(f"| {r['measure']} | {famctx} | {floor} | {ratio_s} | {what} |")
    return "\n".join(lines) + "\n"


def scaling():
    """One table over the latest run of each scale: famctx figure / ratio per scale."""
    runs = {}
    for scale in SCALES:
        p = OUT / f"latest-{scale}.json"
        if p.exists():
            runs[scale] = json.loads(p.read_text())
    if not runs:
        raise BenchError("no results yet under target/bench (run scripts/bench first)")
    keys = []
    for res in runs.values():
        for r in res["rows"]:
            if r["key"] and r["key"] not in [k for k, _, _ in keys]:
                keys.append((r["key"], r["measure"].strip(), r["unit"]))
    head = "| measure | " + " | ".join(f"{s} famctx | {s} floor | {s} ratio" for s in runs) + " |"
    lines = ["Scaling: the latest run of each scale (" + ", ".join(
        f"{s}: {r['persons']:,} persons, {r['info'].get('audit_rows_at_start', 0):,} audit rows, "
        f"{r.get('finished_at', '')[:16]}" for s, r in runs.items()) + ")", "", head,
        "|---|" + "---:|" * (3 * len(runs))]
    for key, measure, unit in keys:
        cells = []
        for s, res in runs.items():
            r = next((x for x in res["rows"] if x["key"] == key), None)
            if r is None:
                cells += ["", "", ""]
            else:
                cells += [fmt(r["famctx"], unit), fmt(r["floor"], unit),
                          f"{r['ratio']:.2f}" if r["ratio"] is not None else ""]
        lines.append(f"| {measure} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def drop_all():
    e = os.environ
    su = with_db(e["FAMCTX_SUPERUSER_URL"], "postgres")
    clean, pw = split_password(su)
    env = dict(os.environ, PGPASSWORD=pw)
    _, out, _ = run(["psql", "-X", "-q", "-At", "-d", clean, "-c",
                     "SELECT datname FROM pg_database WHERE datname ~ '^(famctx|mdm)_bench_[a-z0-9]+(_[a-z0-9]+)?$'"],
                    env=env, timeout=60)
    for db in out.split():
        log(f"dropping {db}")
        run(["psql", "-X", "-q", "-d", clean, "-c", f"DROP DATABASE {db} WITH (FORCE)"], env=env, timeout=300)
    for scale in SCALES:
        f = OUT / scale / "mdm-restore.sql"
        if f.exists():
            f.unlink()


def main():
    ap = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.splitlines()[0])
    ap.add_argument("--scale", choices=list(SCALES), default="10k")
    ap.add_argument("--audit-rows", type=int, default=1_000_000, metavar="N",
                    help="synthetic audit rows in the bench database (default 1000000)")
    ap.add_argument("--runs", type=int, default=3, help="repetitions of each whole-command measure (default 3)")
    ap.add_argument("--heavy-runs", type=int, default=0,
                    help="repetitions of audit export and verify (default: --runs, at most 2 over 2M rows)")
    ap.add_argument("--lookups", type=int, default=200, help="different persons looked up (default 200)")
    ap.add_argument("--bulk-rows", type=int, default=BULK_ROWS,
                    help="grants in the bulk apply (default 10000; at most the staff accounts in AD)")
    ap.add_argument("--searches", type=int, default=20, help="persons and actors searched (default 20 each)")
    ap.add_argument("--skip", action="append", default=[],
                    choices=["lookup", "audit search", "audit export", "audit verify", "bulk apply", "mdm validate"])
    ap.add_argument("--wait-quiet", type=int, default=0, metavar="S",
                    help="before each section, wait up to S seconds for other work (a test suite) to end")
    ap.add_argument("--summary", action="store_true", help="print the scaling table of the latest runs and exit")
    ap.add_argument("--drop", action="store_true", help="drop every bench database and exit")
    args = ap.parse_args()
    if not (1 <= args.audit_rows <= 20_000_000):
        ap.error("--audit-rows: from 1 to 20000000")
    if not (1 <= args.runs <= 10) or not (0 <= args.heavy_runs <= 10):
        ap.error("--runs, --heavy-runs: at most 10")
    if not (0 <= args.wait_quiet <= 3600):
        ap.error("--wait-quiet: 0 to 3600 seconds")
    if not (20 <= args.lookups <= 1000) or not (5 <= args.searches <= 200):
        ap.error("--lookups: 20 to 1000; --searches: 5 to 200")
    if not (1000 <= args.bulk_rows <= 50_000):
        ap.error("--bulk-rows: 1000 to 50000")
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        if args.summary:
            print(scaling())
            return 0
        lock = open(OUT / ".lock", "w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BenchError("another scripts/bench is running")
        if args.drop:
            drop_all()
            return 0
        Bench(args).main()
        return 0
    except BenchError as exc:
        log(f"error: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
