"""Real SPARQL servers for the remote-store tests: Oxigraph server and Virtuoso, on loopback.

Each fixture (in ``conftest.py``, so that a session fixture is one fixture, started once per test
process) starts its own server process in a temporary folder, on a free port of 127.0.0.1,
waits (bounded) until it answers, and stops it with SIGTERM (SIGKILL if it lingers). Nothing is
shared with a system-wide installation: Virtuoso's packaged service is never used, only its
``virtuoso.ini`` template and binaries.

Credentials reach ``RemoteStore`` through a temporary config file named by ``OFFRI_CONFIG``
(``Server.configure``), never through a command line.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

START_TIMEOUT = 90.0  # seconds; Virtuoso needs 1.5-3.5 s on an idle machine
STOP_TIMEOUT = 30.0
VIRTUOSO_TEMPLATES = (Path("/usr/share/virtuoso-opensource-7/virtuoso.ini"),
                      Path("/etc/virtuoso-opensource-7/virtuoso.ini"))
VIRTUOSO_MISSING = "Virtuoso not installed: run .ci/run or apt-get install virtuoso-opensource"


@dataclass
class Server:
    """A running server and what ``RemoteStore`` needs to talk to it."""

    name: str
    query_url: str
    update_url: str
    store_url: str
    graph_param: str
    auth: str = "basic"
    user: str | None = None
    password: str | None = None
    process: subprocess.Popen | None = field(default=None, repr=False)
    log: Path | None = None

    def config_text(self, password: str | None = None, extra: str = "") -> str:
        """The ``[endpoint."<query url>"]`` table of an offri config file for this server."""
        lines = [f'[endpoint."{self.query_url}"]', f'update = "{self.update_url}"',
                 f'store = "{self.store_url}"', f'graph_param = "{self.graph_param}"', f'auth = "{self.auth}"']
        if self.user:
            lines.append(f'user = "{self.user}"')
        secret = password if password is not None else self.password
        if secret:
            lines.append(f'password = "{secret}"')
        if extra:
            lines.append(extra)
        return "\n".join(lines) + "\n"

    def configure(self, monkeypatch: pytest.MonkeyPatch, folder: Path, password: str | None = None,
                  extra: str = "") -> Path:
        """Write a config file for this server into ``folder`` and point ``OFFRI_CONFIG`` at it.

        ``extra`` is more TOML for the endpoint's table (e.g. ``query_params = {…}``)."""
        for name in ("OFFRI_ENDPOINT_USER", "OFFRI_ENDPOINT_PASSWORD", "OFFRI_ENDPOINT_AUTH",
                     "OFFRI_UPDATE_ENDPOINT", "OFFRI_STORE_ENDPOINT"):
            monkeypatch.delenv(name, raising=False)
        path = folder / f"offri-{self.name}.toml"
        path.write_text(self.config_text(password, extra), encoding="utf-8")
        path.chmod(0o600)
        monkeypatch.setenv("OFFRI_CONFIG", str(path))
        return path

    def log_tail(self, lines: int = 30) -> str:
        if self.log and self.log.exists():
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self) -> None:
        stop_process(self.process)


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(process: subprocess.Popen | None) -> None:
    """SIGTERM to this one process, then SIGKILL if it has not ended within STOP_TIMEOUT."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


def missing(what: str) -> None:
    """Skip on a developer's machine, fail in CI: CI must have every server installed."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI is set, so this is an error)", pytrace=False)
    pytest.skip(what)


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError):
        return False


def _wait_until(ready, server: Server, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process is not None and server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.process.returncode}:\n{server.log_tail()}")
        if ready():
            return
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{server.name} did not answer within {timeout} s:\n{server.log_tail()}")


# ---- Oxigraph server ----------------------------------------------------------------------------

def oxigraph_binary() -> str | None:
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else shutil.which("oxigraph")


def _on_free_ports(start: Callable[[Path], Server], folder: Path) -> Server:
    """``start(subfolder)``, again (up to three times, in a fresh subfolder, on ports found
    anew) when the server could not listen: a port found free can be taken by another process
    before the server binds it (the other test worker starts servers too)."""
    for attempt in range(3):
        try:
            return start(folder / f"try-{attempt}")
        except RuntimeError as exc:
            if not any(sign in str(exc) for sign in ("listen", "in use")) or attempt == 2:
                raise
    raise AssertionError("unreachable")


def start_oxigraph(folder: Path, timeout_s: int | None = None) -> Server:
    """``oxigraph serve`` on a free loopback port with its database in ``folder``."""
    return _on_free_ports(lambda sub: _start_oxigraph_once(sub, timeout_s), folder)


def _start_oxigraph_once(folder: Path, timeout_s: int | None) -> Server:
    binary = oxigraph_binary()
    if binary is None:
        missing("Oxigraph server not installed: pip install -e '.[test]' (PyPI package oxigraph)")
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = folder / "oxigraph.log"
    command = [binary, "serve", "--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}"]
    if timeout_s:
        command += ["--timeout-s", str(timeout_s)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = Server(name="oxigraph", query_url=f"{base}/query", update_url=f"{base}/update",
                    store_url=f"{base}/store", graph_param="graph", auth="basic", process=process, log=log)
    _wait_until(lambda: _http_ok(f"{base}/query?query=" + urllib.parse.quote("ASK {}")), server)
    return server


# ---- Virtuoso -------------------------------------------------------------------------------------

def virtuoso_template() -> Path | None:
    if shutil.which("virtuoso-t") is None or shutil.which("isql-vt") is None:
        return None
    return next((p for p in VIRTUOSO_TEMPLATES if p.exists()), None)


def edit_ini(text: str, changes: dict[str, dict[str, str | None]]) -> str:
    """``text`` (an ini file) with keys set per section; ``None`` removes a key.

    Keys are matched case-insensitively within their section; keys not present are appended at
    the end of the section. Comments and layout are kept, so the file stays readable.
    """
    wanted = {s.lower(): {k.lower(): (k, v) for k, v in keys.items()} for s, keys in changes.items()}
    done: dict[str, set[str]] = {s: set() for s in wanted}
    out: list[str] = []
    section = ""

    def flush(name: str) -> None:
        for key, (original, value) in wanted.get(name, {}).items():
            if key not in done[name] and value is not None:
                out.append(f"{original} = {value}")
                done[name].add(key)

    for line in text.splitlines():
        header = re.match(r"^\s*\[([^\]]+)\]", line)
        if header:
            flush(section)
            section = header.group(1).strip().lower()
            out.append(line)
            continue
        assignment = re.match(r"^\s*([A-Za-z0-9_]+)\s*=", line)
        if section in wanted and assignment and assignment.group(1).lower() in wanted[section]:
            key = assignment.group(1).lower()
            original, value = wanted[section][key]
            if key not in done[section] and value is not None:
                out.append(f"{original} = {value}")
            done[section].add(key)
            continue
        out.append(line)
    flush(section)
    for name in wanted:  # sections the template does not have
        if not done[name] and any(v is not None for _k, v in wanted[name].values()):
            out.append(f"[{changes_name(changes, name)}]")
            flush(name)
    return "\n".join(out) + "\n"


def changes_name(changes: dict, lower: str) -> str:
    return next(s for s in changes if s.lower() == lower)


def isql(port: int, sql: str, timeout: float = 30) -> subprocess.CompletedProcess:
    """Run SQL through isql-vt as dba (the fresh database's own default) — statements on stdin."""
    return subprocess.run(["isql-vt", f"127.0.0.1:{port}", "dba", "dba"], input=sql, text=True,
                          capture_output=True, timeout=timeout)


def start_virtuoso(folder: Path, sparql: dict[str, str] | None = None) -> Server:
    """Our own Virtuoso in ``folder``: loopback ports, its own database, a user who may write.

    ``sparql`` overrides keys of the ``[SPARQL]`` section (e.g. a low ``MaxQueryExecutionTime``).
    """
    return _on_free_ports(lambda sub: _start_virtuoso_once(sub, sparql), folder)


def _start_virtuoso_once(folder: Path, sparql: dict[str, str] | None) -> Server:
    template = virtuoso_template()
    if template is None:
        missing(VIRTUOSO_MISSING)
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    vad = "/usr/share/virtuoso-opensource-7/vad"
    ini = edit_ini(template.read_text(encoding="utf-8", errors="replace"), {
        "Database": {"DatabaseFile": str(folder / "virtuoso.db"), "ErrorLogFile": str(folder / "virtuoso.log"),
                     "LockFile": str(folder / "virtuoso.lck"), "TransactionFile": str(folder / "virtuoso.trx"),
                     "xa_persistent_file": str(folder / "virtuoso.pxa")},
        "TempDatabase": {"DatabaseFile": str(folder / "virtuoso-temp.db"),
                         "TransactionFile": str(folder / "virtuoso-temp.trx")},
        "Parameters": {"ServerPort": f"127.0.0.1:{sql_port}", "NumberOfBuffers": "68000",
                       "MaxDirtyBuffers": "50000", "DirsAllowed": f"., {folder}, {vad}",
                       "ThreadsPerQuery": "2", "CheckpointInterval": "0"},
        "HTTPServer": {"ServerPort": f"127.0.0.1:{http_port}", "ServerThreads": "10"},
        "URIQA": {"DefaultHost": f"127.0.0.1:{http_port}"},
        "Zero Config": {"ServerName": None},  # no service announcement on the network
        "SPARQL": {"ResultSetMaxRows": "10000000", "MaxQueryExecutionTime": "60", **(sparql or {})},
    })
    (folder / "virtuoso.ini").write_text(ini, encoding="utf-8")
    log = folder / "virtuoso-stdout.log"
    with log.open("wb") as out:
        process = subprocess.Popen(["virtuoso-t", "+foreground", "+configfile", str(folder / "virtuoso.ini")],
                                   cwd=folder, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http_port}"
    user, password = "offri", secrets.token_hex(12)
    server = Server(name="virtuoso", query_url=f"{base}/sparql", update_url=f"{base}/sparql-auth",
                    store_url=f"{base}/sparql-graph-crud-auth", graph_param="graph-uri", auth="digest",
                    user=user, password=password, process=process, log=log)

    def sql_answers() -> bool:
        try:
            return isql(sql_port, "select 1;\n", timeout=10).returncode == 0
        except subprocess.TimeoutExpired:
            return False

    _wait_until(lambda: sql_answers() and _http_ok(f"{base}/sparql?query=" + urllib.parse.quote("ASK {}")), server)
    setup = isql(sql_port, f"DB.DBA.USER_CREATE('{user}', '{password}');\n"
                           f"GRANT SPARQL_UPDATE TO \"{user}\";\n"
                           f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{user}', 7);\n")
    if setup.returncode != 0 or "Error" in setup.stdout + setup.stderr:
        server.stop()
        raise RuntimeError(f"could not create the Virtuoso user:\n{setup.stdout}\n{setup.stderr}")
    return server


@contextmanager
def running(server: Server) -> Iterator[Server]:
    """``server`` until the block ends, then stopped (also when a test fails)."""
    try:
        yield server
    finally:
        server.stop()
