#!/usr/bin/python3
"""Real MTAs on loopback for the integration tests of `smtp-harness check`:
Debian's Postfix (installed by scripts/deps.sh), and Exim and OpenSMTPD run
from their .debs unpacked in the build tree (their packages conflict with
postfix as the system's MTA, so they are never installed).

    with mta.start("postfix-stock") as target:
        target.host, target.port, target.name, target.version, target.domain

Targets (TARGETS): postfix-stock, postfix-normalize, postfix-reject (Postfix
3.7 with smtpd_forbid_bare_newline = no / normalize / reject), exim (Exim
4.96, exim4-daemon-light) and opensmtpd (OpenSMTPD 6.8). Each is a private
instance in a temporary directory: its own configuration, queue and log,
one SMTP listener on 127.0.0.1 at a free port, never port 25, never the
system's configuration. Each serves the domain example.com (the default
--domain of `smtp-harness check`) as an MX would: postmaster and one local
user ("user") are recipients there, other local parts are unknown, no
message is delivered anywhere (Postfix and OpenSMTPD discard it, Exim
blackholes it), and loopback is NOT a trusted relay client, so a relay
attempt from the test is refused as it would be from the Internet. No
instance makes a DNS query: none needs one to receive mail for a local
domain, and OpenSMTPD gets a resolver configuration of its own.

start_postfix_relay(PORT) runs the same Postfix as a relay instead, for the
load tests of `smtp-harness load --sink`: it takes mail for any domain from
loopback and passes it all on to [127.0.0.1]:PORT (see _PostfixRelay).

start() returns once the target's 220 greeting was read (bounded in time)
and stops everything it started on the way out, removing its directory.
Anything that fails raises StartError naming what failed, with the tail of
the MTA's own log.

Needs root (the MTAs start as root and drop to their users), the packages
and users that scripts/deps.sh installs, and for Exim and OpenSMTPD their
.debs: downloaded once with `apt-get download` into the cache directory
($MTA_CACHE_DIR; ctest sets it to the build tree's mta/, and without it
that of the dev preset, build/dev/mta/, is used).

Command line (for running `smtp-harness check` by hand):

    /usr/bin/python3 tests/integration/mta.py postfix-stock

starts the target, prints 127.0.0.1:PORT, and stops it at Ctrl-C or when
standard input is closed.

Standard library only.
"""

import contextlib
import glob
import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

TARGETS = ("postfix-stock", "postfix-normalize", "postfix-reject", "exim", "opensmtpd")

HOST = "127.0.0.1"
DOMAIN = "example.com"
HOSTNAME = "mx." + DOMAIN
LOCAL_USERS = ("postmaster", "user")

# How long an MTA may take from its start to its 220 greeting (each takes
# under a few seconds here), and to stop.
READY_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
# Each command run to prepare a target (a download, an unpacking, postfix
# check) ends within this or is an error.
COMMAND_TIMEOUT = 120.0
LOG_TAIL_LINES = 30

POSTCONF = "/usr/sbin/postconf"
POSTFIX_MASTER = "/usr/lib/postfix/sbin/master"
OPENSSL = "/usr/bin/openssl"
UNSHARE = "/usr/bin/unshare"

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class StartError(Exception):
    """A target could not be prepared or started, or did not greet."""


class Target:
    """A running MTA: where it listens, what it is, where it logs."""

    def __init__(self, name, port, version, workdir, log_paths):
        self.name = name
        self.host = HOST
        self.port = port
        self.version = version
        self.domain = DOMAIN
        self.workdir = workdir
        self.log_paths = log_paths
        self.banner = None  # the greeting read when it became ready
        # Seconds from start() to the configuration written (a download, if
        # any, included), and to the greeting read.
        self.prepare_seconds = None
        self.start_seconds = None

    @property
    def address(self):
        return f"{self.host}:{self.port}"

    def log_tail(self, lines=LOG_TAIL_LINES):
        """The last lines of each of the MTA's logs, for error messages."""
        return log_tail(self.log_paths, lines)

    def __repr__(self):
        return f"<{self.name} {self.version} at {self.address}>"


@contextlib.contextmanager
def start(name, cache_dir=None, ready_timeout=READY_TIMEOUT):
    """Starts target `name` (one of TARGETS); yields its Target once it has
    greeted, and stops it and removes its directory on the way out."""
    if name not in _KINDS:
        raise StartError(f"unknown target '{name}': one of {', '.join(TARGETS)}")
    with _started(name, lambda: _KINDS[name](name, cache_dir or default_cache_dir()),
                  ready_timeout) as target:
        yield target


@contextlib.contextmanager
def start_postfix_relay(relayhost_port, ready_timeout=READY_TIMEOUT):
    """A private Postfix as a relay for the load tests of `smtp-harness load
    --sink`: it accepts mail for any domain from loopback (mynetworks
    127.0.0.0/8) and passes it all on to relayhost [127.0.0.1]:relayhost_port,
    retrying deferred recipients within seconds (_PostfixRelay). Yields its
    Target (with .conf, its configuration directory) once it has greeted;
    stops it on the way out."""
    with _started(RELAY_NAME, lambda: _PostfixRelay(relayhost_port), ready_timeout) as target:
        target.conf = os.path.join(target.workdir, "conf")
        yield target


@contextlib.contextmanager
def _started(name, make_kind, ready_timeout):
    if os.geteuid() != 0:
        raise StartError(f"{name}: the MTAs start as root and drop to their own users; run as root")
    started = time.monotonic()
    kind = make_kind()
    workdir = tempfile.mkdtemp(prefix=f"mta-{name}-")
    try:
        # The daemons' users must reach the directory (mkdtemp makes it 0700).
        os.chmod(workdir, 0o755)
        port = free_port()
        argv = kind.prepare(workdir, port)
        target = Target(name, port, kind.version(), workdir, kind.log_paths(workdir))
        target.prepare_seconds = time.monotonic() - started
        with _Process(name, argv, workdir) as process:
            target.banner = process.wait_for_greeting(port, target, ready_timeout)
            target.start_seconds = time.monotonic() - started
            yield target
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def log_tail(paths, lines=LOG_TAIL_LINES):
    """The last lines of each file in `paths`, each under its name."""
    texts = []
    for path in paths:
        try:
            with open(path, "rb") as f:
                text = f.read()[-20000:].decode(errors="replace")
        except OSError as e:
            texts.append(f"--- {path}: {e.strerror}")
            continue
        tail = text.splitlines()[-lines:]
        texts.append(f"--- {path} (last {len(tail)} lines):\n" + "\n".join(tail))
    return "\n".join(texts)


def default_cache_dir():
    return os.environ.get("MTA_CACHE_DIR") or os.path.join(SOURCE_DIR, "build", "dev", "mta")


def free_port():
    """A port of 127.0.0.1 that was free a moment ago (bound, then closed):
    none of the MTAs can be told to pick one and say which."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def run(argv, what, timeout=COMMAND_TIMEOUT, **kwargs):
    """Runs a preparing command; its failure is a StartError with its output."""
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout, **kwargs)
    except FileNotFoundError:
        raise StartError(f"{what}: {argv[0]} not found (scripts/deps.sh installs it)") from None
    except subprocess.TimeoutExpired:
        raise StartError(f"{what}: `{' '.join(argv)}` did not end within {timeout}s") from None
    if done.returncode != 0:
        output = (done.stdout + done.stderr).decode(errors="replace").strip()
        raise StartError(f"{what}: `{' '.join(argv)}` exited with {done.returncode}:\n"
                         f"{output[-3000:]}")
    return done.stdout.decode(errors="replace")


def write(path, text, mode=0o644):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, mode)


def chown_to(path, user):
    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)


def require_user(name, user):
    try:
        pwd.getpwnam(user)
    except KeyError:
        raise StartError(f"{name}: the system user '{user}' its binary needs does not exist; "
                         f"scripts/deps.sh adds it") from None


def self_signed_certificate(directory):
    """A fresh self-signed P-256 certificate for STARTTLS; (cert, key)."""
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    run([OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", f"/CN={HOSTNAME}"],
        "making a self-signed certificate")
    os.chmod(key, 0o644)  # read by the daemons after they dropped root
    return cert, key


def package_version(package):
    return run(["dpkg-query", "-W", "-f=${Version}", package], f"the version of {package}")


class _Process:
    """The MTA's main process, in a session of its own so that stopping it
    also reaches every process it forked."""

    def __init__(self, name, argv, workdir):
        self.name = name
        self.argv = argv
        self.output_path = os.path.join(workdir, "output")
        self.proc = None

    def __enter__(self):
        with open(self.output_path, "wb") as out:
            try:
                self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=out,
                                             stderr=subprocess.STDOUT, start_new_session=True,
                                             cwd=os.path.dirname(self.output_path))
            except OSError as e:
                raise StartError(f"{self.name}: cannot run {self.argv[0]}: {e}") from None
        return self

    def __exit__(self, *exc):
        self.stop()

    def output(self):
        try:
            with open(self.output_path, "rb") as f:
                return f.read()[-3000:].decode(errors="replace")
        except OSError:
            return ""

    def failure(self, target, what):
        output = "" if self.output_path in target.log_paths else f"its output:\n{self.output()}\n"
        return StartError(f"{self.name}: {what}\ncommand: {' '.join(self.argv)}\n"
                          f"{output}{target.log_tail()}")

    def wait_for_greeting(self, port, target, timeout):
        """Connects until the MTA listens (a client's retry backoff, bounded
        in attempts and time) and returns the first line of its greeting,
        which must be a 220."""
        deadline = time.monotonic() + timeout
        delay = 0.01
        for _ in range(500):
            if self.proc.poll() is not None:
                raise self.failure(target, f"exited with {self.proc.returncode} before greeting")
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                with socket.create_connection((HOST, port), timeout=left) as probe:
                    probe.settimeout(max(deadline - time.monotonic(), 0.001))
                    greeting = _read_reply(probe)
                    with contextlib.suppress(OSError):
                        probe.sendall(b"QUIT\r\n")
                if not greeting.startswith("220"):
                    raise self.failure(target, f"greeted with {greeting!r}, not 220")
                return greeting.splitlines()[-1]
            except ConnectionRefusedError:
                pass
            except socket.timeout:
                raise self.failure(target, f"accepted a connection on {HOST}:{port} but sent no "
                                   f"greeting within {timeout}s") from None
            except OSError as e:  # e.g. reset: it accepted, then gave up on the session
                raise self.failure(target, f"greeting on {HOST}:{port}: {e}") from None
            time.sleep(min(delay, max(deadline - time.monotonic(), 0)))  # connect backoff
            delay = min(delay * 2, 0.25)
        raise self.failure(target, f"did not listen on {HOST}:{port} within {timeout}s")

    def stop(self):
        if self.proc is None:
            return
        # SIGTERM lets each MTA end its children; whatever is left of the
        # session then gets SIGKILL.
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=STOP_TIMEOUT)
        self.proc = None


def _read_reply(sock):
    """One whole SMTP reply (its last line has a space after the code)."""
    data = b""
    while len(data) < 65536:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
        lines = data.split(b"\r\n")
        if len(lines) > 1 and len(lines[-2]) >= 4 and lines[-2][3:4] == b" ":
            break
    return data.decode(errors="replace").strip()


# --- Debian packages unpacked in the cache ---------------------------------

def unpacked_package(package, cache_dir):
    """The root of `package`'s .deb unpacked under cache_dir (downloaded
    and unpacked once; later runs reuse it) and its version."""
    debs = os.path.join(cache_dir, "debs")
    os.makedirs(debs, exist_ok=True)
    found = sorted(glob.glob(os.path.join(debs, f"{package}_*.deb")))
    if not found:
        _download(package, debs)
        found = sorted(glob.glob(os.path.join(debs, f"{package}_*.deb")))
        if not found:
            raise StartError(f"apt-get download {package} left no .deb in {debs}")
    deb = found[-1]
    version = run(["dpkg-deb", "-f", deb, "Version"], f"reading {deb}").strip()
    root = os.path.join(cache_dir, "root", os.path.basename(deb)[:-len(".deb")])
    if not os.path.isdir(root):
        partial = tempfile.mkdtemp(prefix=".unpacking-", dir=cache_dir)
        run(["dpkg-deb", "-x", deb, partial], f"unpacking {deb}")
        os.makedirs(os.path.dirname(root), exist_ok=True)
        try:
            os.rename(partial, root)
        except OSError:  # another process unpacked it first
            shutil.rmtree(partial, ignore_errors=True)
    return root, version


def _download(package, debs):
    """apt-get download into a private directory, renamed into `debs`
    when whole; after an `apt-get update` when the first try fails (a fresh
    machine has no package lists, an old list may name a version the
    archive no longer has)."""
    partial = tempfile.mkdtemp(prefix=".download-", dir=debs)
    try:
        try:
            run(["apt-get", "download", "-q", package], f"downloading {package}", cwd=partial)
        except StartError as first:
            try:
                run(["apt-get", "update", "-qq"], f"apt-get update (before downloading {package})")
            except StartError as update:
                raise StartError(f"{first}\n{update}") from None
            run(["apt-get", "download", "-q", package], f"downloading {package}", cwd=partial)
        for deb in glob.glob(os.path.join(partial, "*.deb")):
            os.rename(deb, os.path.join(debs, os.path.basename(deb)))
    finally:
        shutil.rmtree(partial, ignore_errors=True)


# --- Postfix ---------------------------------------------------------------

POSTFIX_FILES = "/etc/postfix/postfix-files"


def make_postfix_directories(queue, data):
    """The queue and data directories with the owners and modes Postfix's
    postfix-files lists for them: what `postfix check` would make, without
    its seconds of checking the installation."""
    where = {"$queue_directory": queue, "$data_directory": data}
    users = {"root": 0, "$mail_owner": pwd.getpwnam("postfix").pw_uid}
    groups = {"-": 0, "$setgid_group": grp.getgrnam("postdrop").gr_gid}
    made = 0
    with open(POSTFIX_FILES, encoding="utf-8") as f:
        for line in f:
            fields = line.strip().split(":")
            if len(fields) < 5 or fields[1] != "d":
                continue
            top, _, rest = fields[0].partition("/")
            if top not in where:
                continue
            path = os.path.join(where[top], rest) if rest else where[top]
            os.makedirs(path, exist_ok=True)
            os.chown(path, users[fields[2]], groups[fields[3]])
            os.chmod(path, int(fields[4], 8))
            made += 1
    if made < 10:
        raise StartError(f"{POSTFIX_FILES} lists {made} queue directories; is postfix installed?")

class _Postfix:
    """A private Postfix instance: its own config_directory (main.cf,
    master.cf), queue_directory and data_directory, run by `master -c`."""

    # Beside the listener, the services an SMTP server that queues and
    # discards mail needs (the names Postfix's own master.cf gives them);
    # nothing runs chrooted, so the instance needs no copy of /etc.
    SERVICES = """\
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
discard   unix  -       -       n       -       -       discard
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
showq     unix  n       -       n       -       -       showq
"""

    def __init__(self, name, cache_dir):
        self.name = name
        self.bare_newline = {"postfix-stock": None, "postfix-normalize": "normalize",
                             "postfix-reject": "reject"}[name]

    def version(self):
        return package_version("postfix")

    def log_paths(self, workdir):
        return [os.path.join(workdir, "maillog")]

    def prepare(self, workdir, port):
        if not os.access(POSTFIX_MASTER, os.X_OK):
            raise StartError(f"{self.name}: {POSTFIX_MASTER} not found: install the Debian package "
                             f"'postfix' (scripts/deps.sh installs it)")
        conf = os.path.join(workdir, "conf")
        os.mkdir(conf)
        make_postfix_directories(os.path.join(workdir, "queue"), os.path.join(workdir, "data"))
        write(os.path.join(conf, "main.cf"), self.main_cf(workdir))
        write(os.path.join(conf, "master.cf"),
              f"{HOST}:{port} inet  n       -       n       -       -       smtpd\n"
              + self.SERVICES)
        # Postfix reads a table file modified within the last second again
        # and again until it is older (a writer could still be at it): dated
        # a minute back, the new files are read at once.
        for name in ("main.cf", "master.cf"):
            past = time.time() - 60
            os.utime(os.path.join(conf, name), (past, past))
        self.check_settings(conf)
        # master stays in the foreground (without -w it does not detach).
        return [POSTFIX_MASTER, "-c", conf]

    @staticmethod
    def main_cf_start(workdir):
        """The lines every private instance's main.cf begins with."""
        return f"""\
# A private Postfix instance for smtp-harness's tests (tests/integration/mta.py).
# Postfix's defaults, except what a private instance on loopback needs.
compatibility_level = 3.6
queue_directory = {workdir}/queue
data_directory = {workdir}/data
maillog_file = {workdir}/maillog
maillog_file_prefixes = {workdir}
inet_interfaces = {HOST}
inet_protocols = ipv4
"""

    def main_cf(self, workdir):
        cert, key = self_signed_certificate(workdir)
        recipients = ", ".join(f"{u}={u}" for u in LOCAL_USERS)
        main = self.main_cf_start(workdir) + f"""\
myhostname = {HOSTNAME}
mydomain = {DOMAIN}
mydestination = $mydomain, $myhostname, localhost
# The test's client is a stranger, not a relay client: no trusted networks
# (the default, the host's own networks, would include loopback).
mynetworks =
# The local users, without /etc/passwd or /etc/aliases; their mail is
# discarded, and nothing is ever delivered outside.
local_recipient_maps = inline:{{ {recipients} }}
alias_maps =
alias_database =
local_transport = discard:no local delivery in this test instance
default_transport = error:no outside delivery from this test instance
# STARTTLS, as the main.cf Debian's package writes offers it (with its
# "snakeoil" certificate); Postfix alone offers none.
smtpd_tls_cert_file = {cert}
smtpd_tls_key_file = {key}
smtpd_tls_security_level = may
# Its default, $mynetworks, exempts trusted clients from
# smtpd_forbid_bare_newline; none are trusted here, and none are exempt.
smtpd_forbid_bare_newline_exclusions =
"""
        if self.bare_newline:
            main += f"smtpd_forbid_bare_newline = {self.bare_newline}\n"
        return main

    def check_settings(self, conf):
        """The setting these targets differ in must be one this Postfix
        knows (normalize and reject since 3.5.24, 3.6.14, 3.7.10 and 3.8.5;
        the setting itself, with yes and no, since 3.5.23, 3.6.13, 3.7.9 and
        3.8.4): an older one would ignore it with a warning in its log, and
        the target would silently be postfix-stock."""
        done = subprocess.run([POSTCONF, "-c", conf, "-h", "smtpd_forbid_bare_newline",
                               "smtpd_forbid_bare_newline_exclusions"],
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=COMMAND_TIMEOUT)
        expected = [self.bare_newline or "no", ""]
        if done.returncode != 0 or done.stderr or done.stdout.splitlines() != expected:
            raise StartError(f"{self.name}: this Postfix does not take the setting it is about: "
                             f"postconf says {done.stdout!r} {done.stderr.strip()!r}, not "
                             f"{expected!r}")


RELAY_NAME = "postfix-relay"
RELAY_HOSTNAME = "relay.postfix.test"


class _PostfixRelay(_Postfix):
    """A private Postfix that relays everything it is given from loopback
    to one next hop, [127.0.0.1]:relayhost_port (the square brackets: no MX
    lookup, RFC 5321 §5.1), the way a load test of a relay needs it:
    - nothing is local (mydestination is empty), so every domain is relayed;
    - loopback is a trusted client (mynetworks 127.0.0.0/8: the load
      generator, exempt from smtpd's per-client limits too);
    - no DNS query at all (the next hop is an address; native lookups);
    - a deferred recipient is tried again within seconds: queue_run_delay
      1s, minimal_backoff_time 1s, maximal_backoff_time 2s (Postfix's
      defaults, 300s, 300s and 4000s, are for the Internet);
    - concurrency for 200 messages a second: 20 connections to the next
      hop from the start, 100 processes of each service;
    - in_flow_delay 0: smtpd never slows the client down while the queue
      manager catches up, so the load keeps its schedule and the backlog
      shows as delivery latency, where the test looks for it.
    Its own name is not the sink's greeting name (`--sink-name`), or
    Postfix would take the next hop for itself and refuse to loop."""

    SERVICES = _Postfix.SERVICES + """\
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
"""

    def __init__(self, relayhost_port):
        self.name = RELAY_NAME
        self.relayhost = f"[{HOST}]:{relayhost_port}"

    def main_cf(self, workdir):
        return self.main_cf_start(workdir) + f"""\
myhostname = {RELAY_HOSTNAME}
mydomain = postfix.test
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
local_transport = error:no local delivery in this test instance
mynetworks = 127.0.0.0/8
relayhost = {self.relayhost}
smtp_host_lookup = native
smtp_dns_support_level = disabled
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
initial_destination_concurrency = 20
default_destination_concurrency_limit = 20
default_process_limit = 100
in_flow_delay = 0
"""

    def check_settings(self, conf):
        """postconf names every setting it does not know (a typo, or one
        this Postfix is too old for) on stderr; the relay must have none."""
        done = subprocess.run([POSTCONF, "-c", conf, "-n"], stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=COMMAND_TIMEOUT)
        if done.returncode != 0 or done.stderr:
            raise StartError(f"{self.name}: postconf -c {conf} -n exited with {done.returncode}: "
                             f"{done.stderr.strip()}")
        if f"relayhost = {self.relayhost}" not in done.stdout.splitlines():
            raise StartError(f"{self.name}: postconf does not show relayhost = {self.relayhost}:"
                             f"\n{done.stdout}")


def postfix_queue(target):
    """`postqueue -p` of a Postfix target: what it still holds and why (for
    the message of a failed test)."""
    done = subprocess.run(["/usr/sbin/postqueue", "-c", target.conf, "-p"],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=COMMAND_TIMEOUT)
    return (done.stdout + done.stderr).strip()


class _FromDeb:
    """An MTA run from its Debian package unpacked in the cache. Its binary
    runs as users compiled into it, which that package's installation would
    have made; scripts/deps.sh makes them."""

    PACKAGE = None
    USERS = ()

    def __init__(self, name, cache_dir):
        self.name = name
        self.cache_dir = cache_dir
        self._version = None

    def version(self):
        return self._version

    def unpack(self):
        """The unpacked package's root directory."""
        for user in self.USERS:
            require_user(self.name, user)
        root, self._version = unpacked_package(self.PACKAGE, self.cache_dir)
        return root


# --- Exim ------------------------------------------------------------------

class _Exim(_FromDeb):
    """Exim 4.96 (exim4-daemon-light) from its .deb, with a configuration of
    its own (-C) that follows Exim's default configuration (configure.default)
    for an MX of example.com."""

    PACKAGE = "exim4-daemon-light"
    USER = "Debian-exim"  # compiled into Debian's binary
    USERS = (USER,)

    def log_paths(self, workdir):
        return [os.path.join(workdir, "log", n) for n in ("mainlog", "rejectlog", "paniclog")]

    def prepare(self, workdir, port):
        root = self.unpack()
        spool = os.path.join(workdir, "spool")
        log = os.path.join(workdir, "log")
        for d in (spool, log):
            os.mkdir(d, 0o750)
            chown_to(d, self.USER)
        cert, key = self_signed_certificate(workdir)
        local_parts = " : ".join(LOCAL_USERS)
        config = os.path.join(workdir, "exim.conf")
        write(config, f"""\
# A private Exim instance for smtp-harness's tests (tests/integration/mta.py):
# Exim's configure.default for an MX of {DOMAIN}, without DNS (no reverse
# lookups, no sender verification: this machine has no DNS to ask), and
# without delivery (the local users' mail is blackholed).
# Exim runs itself again for each delivery, by default from its compiled-in
# path, /usr/sbin/exim4, where this one is not.
exim_path = {os.path.join(root, "usr/sbin/exim4")}
keep_environment =
primary_hostname = {HOSTNAME}
qualify_domain = {DOMAIN}
domainlist local_domains = {DOMAIN} : {HOSTNAME} : localhost
domainlist relay_to_domains =
# The test's client is a stranger, not a relay client.
hostlist relay_from_hosts =
exim_user = {self.USER}
exim_group = {self.USER}
never_users = root
spool_directory = {spool}
log_file_path = {log}/%slog
pid_file_path = {workdir}/exim.pid
local_interfaces = {HOST}
daemon_smtp_ports = {port}
# Exim's default, 20 sessions at once, is fewer than one `smtp-harness check`
# opens (8 checks at a time, one of them with 20 sessions): the rest would
# get 421 and their checks could not run. Postfix's default is 100.
smtp_accept_max = 100
tls_advertise_hosts = *
tls_certificate = {cert}
tls_privatekey = {key}
prdr_enable = true
rfc1413_hosts = *
rfc1413_query_timeout = 0s
ignore_bounce_errors_after = 2d
timeout_frozen_after = 7d
acl_smtp_rcpt = acl_check_rcpt
acl_smtp_data = acl_check_data

begin acl

acl_check_rcpt:
  accept  hosts = :
  deny    message = Restricted characters in address
          domains = +local_domains
          local_parts = ^[.] : ^.*[@%!/|]
  deny    message = Restricted characters in address
          domains = !+local_domains
          local_parts = ^[./|] : ^.*[@%!] : ^.*/\\\\.\\\\./
  accept  local_parts = postmaster
          domains = +local_domains
  accept  hosts = +relay_from_hosts
          control = submission
  accept  authenticated = *
          control = submission
  require message = nice hosts say HELO first
          condition = ${{if def:sender_helo_name}}
  require message = relay not permitted
          domains = +local_domains : +relay_to_domains
  require verify = recipient
  accept

acl_check_data:
  deny    condition = ${{if > {{$max_received_linelength}}{{998}}}}
          message = maximum allowed line length is 998 octets, got $max_received_linelength
  accept

begin routers

local_users:
  driver = redirect
  domains = +local_domains
  local_parts = {local_parts}
  data = :blackhole:

begin transports

begin retry

*                      *           F,2h,15m; G,16h,1h,1.5; F,4d,6h

begin rewrite

begin authenticators
""")
        # -bdf: the daemon, in the foreground; no queue runner (nothing is
        # ever queued for later).
        return [os.path.join(root, "usr/sbin/exim4"), "-C", config, "-bdf"]


# --- OpenSMTPD -------------------------------------------------------------

class _OpenSmtpd(_FromDeb):
    """OpenSMTPD 6.8 from its .deb. Its binary has compiled-in paths and no
    settings for them (/var/spool/smtpd, /var/lib/opensmtpd/empty,
    /usr/libexec/opensmtpd, /run/smtpd.sock) and resolves names with its own
    resolver (libasr), DNS before /etc/hosts: it runs in a mount namespace of
    its own (unshare -m) where private directories are mounted over those
    paths' parents and over /etc/resolv.conf ("lookup file": /etc/hosts
    only; without it every greeting waits for DNS). No STARTTLS: OpenSMTPD
    6.8 fails every TLS handshake with OpenSSL 3."""

    PACKAGE = "opensmtpd"
    USERS = ("opensmtpd", "opensmtpq")  # compiled into the binary

    def log_paths(self, workdir):
        return [os.path.join(workdir, "output")]

    def prepare(self, workdir, port):
        if not os.access(UNSHARE, os.X_OK):
            raise StartError(f"{self.name}: {UNSHARE} not found: install the Debian package "
                             f"'util-linux' (scripts/deps.sh installs it)")
        root = self.unpack()
        # What the namespace mounts over /var/spool, /var/lib, /run and /etc/resolv.conf.
        spool = os.path.join(workdir, "var-spool")
        os.makedirs(os.path.join(spool, "smtpd"), 0o711)
        lib = os.path.join(workdir, "var-lib")
        os.makedirs(os.path.join(lib, "opensmtpd", "empty"), 0o755)
        run_dir = os.path.join(workdir, "run")
        os.mkdir(run_dir, 0o755)
        resolv = os.path.join(workdir, "resolv.conf")
        write(resolv, "lookup file\n")
        aliases = os.path.join(workdir, "aliases")
        # Every local user is delivered to 'nobody', whose mda discards it.
        write(aliases, "".join(f"{u}: nobody\n" for u in LOCAL_USERS))
        config = os.path.join(workdir, "smtpd.conf")
        write(config, f"""\
# A private OpenSMTPD instance for smtp-harness's tests (tests/integration/mta.py):
# Debian's smtpd.conf for an MX of {DOMAIN}, listening on loopback at a
# free port, discarding what it accepts, relaying for nobody.
table aliases file:{aliases}
# Its own name is a local domain too, as Postfix's $myhostname is: an
# unqualified recipient (RCPT TO:<Postmaster>) gets it.
table domains {{ {DOMAIN}, {HOSTNAME} }}
listen on {HOST} port {port} hostname {HOSTNAME}
action "local" mda "/bin/sh -c 'cat >/dev/null'" alias <aliases>
match from any for domain <domains> action "local"
match for local action "local"
""")
        mounts = [
            (spool, "/var/spool"),
            (lib, "/var/lib"),
            (os.path.join(root, "usr/libexec"), "/usr/libexec"),
            (run_dir, "/run"),
            (resolv, "/etc/resolv.conf"),
        ]
        script = "set -e\n" + "".join(f'mount --bind "{src}" "{dst}"\n' for src, dst in mounts)
        script += f'exec "{root}/usr/sbin/smtpd" -d -f "{config}"\n'
        return [UNSHARE, "--mount", "--propagation", "private", "/bin/sh", "-c", script]


_KINDS = {
    "postfix-stock": _Postfix,
    "postfix-normalize": _Postfix,
    "postfix-reject": _Postfix,
    "exim": _Exim,
    "opensmtpd": _OpenSmtpd,
}


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv):
    if len(argv) != 2 or argv[1] not in TARGETS:
        print(f"usage: {argv[0]} TARGET   (TARGET: {' | '.join(TARGETS)})\n"
              "Starts TARGET on 127.0.0.1, prints HOST:PORT, stops at Ctrl-C or end of stdin.",
              file=sys.stderr)
        return 2
    # Ctrl-C, and a kill, stop the target too (a shell that starts this in
    # the background would otherwise leave SIGINT ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        with start(argv[1]) as target:
            print(target.address, flush=True)
            print(f"{target.name} {target.version}, ready in {target.start_seconds:.2f}s "
                  f"(prepared in {target.prepare_seconds:.2f}s): "
                  f"{target.banner}\nlogs: {' '.join(target.log_paths)}", file=sys.stderr,
                  flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                sys.stdin.read()
    except StartError as e:
        print(f"mta.py: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # while starting
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
