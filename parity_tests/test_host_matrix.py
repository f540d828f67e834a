"""The host matrix: every row runs through ``/usr/bin/python3`` and ``dotnet/pyhost``, same verdict.

Each row is one command line (plus stdin, a signal, a terminal) and says what it checks. Both
interpreters run it in the same folder with the same environment; the exit status (a negative
status is death by that signal, as ``subprocess`` reports it) and stdout must be equal. stderr too,
after the one normalisation :func:`normalise` documents (docs/host.md): the program's own path
(``argv[0]``, which python prints in usage and ``can't open file`` messages) becomes ``<python>`` and
hexadecimal numbers of 6 or more digits (object addresses, which differ from run to run) ``0x?``. Rows run in parallel; the whole matrix takes a few
seconds. Negative controls at the end show that :func:`compare` fails when behaviour differs.
"""
from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import subprocess
import termios
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

PYTHON = "/usr/bin/python3"
PYHOST = str(Path(__file__).resolve().parents[1] / "dotnet/pyhost")
# Both interpreters see the project's python/ (the wrapper adds it for the host; a repeat is harmless).
ENVIRONMENT = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "python")}
TIMEOUT = 60  # seconds per run; a hung interpreter fails its row instead of hanging the suite

# "ready" is printed by a thread once the main thread is inside time.sleep, so a signal sent on
# reading it always interrupts the same line (the traceback names it).
READY_THEN_SLEEP = """\
import sys, threading, time


def announce_when_asleep():
    main = threading.main_thread().ident
    while sys._current_frames()[main].f_lineno != SLEEP_LINE:
        time.sleep(0.005)
    print("ready", flush=True)


threading.Thread(target=announce_when_asleep, daemon=True).start()
try:
    time.sleep(20)
finally:
    print("finally ran", flush=True)
"""
READY_THEN_SLEEP = READY_THEN_SLEEP.replace(
    "SLEEP_LINE", str(READY_THEN_SLEEP.splitlines().index("    time.sleep(20)") + 1))


@dataclass(frozen=True)
class Case:
    """One row: the arguments after the interpreter and what else the run gets.

    ``{script}`` in ``argv`` is replaced by the path of a file holding ``script``; ``signal`` is
    sent once the program has printed its first line; ``tty_keys`` runs the interpreter on a
    pseudo-terminal and types each item after the next ``>>>`` prompt.
    """

    id: str
    argv: tuple[str, ...]
    checks: str
    stdin: str = ""
    script: str | None = None
    signal: int | None = None
    merge_stderr: bool = False
    stdout_to_full_disk: bool = False
    sigint_ignored: bool = False
    tty_keys: tuple[bytes, ...] | None = None


def c(code: str) -> tuple[str, str]:
    return ("-c", code)


CASES = [
    Case("exit-int", c("import sys; sys.exit(3)"), "SystemExit(int) is the exit code"),
    Case("exit-none", c("import sys; print('x'); sys.exit()"), "SystemExit(None) exits 0"),
    Case("exit-str", c("import sys; sys.exit('bye')"), "SystemExit(str) prints it to stderr, exits 1"),
    Case("exit-object", c("import sys; sys.exit([1, 'a'])"), "SystemExit(other object) prints its str, exits 1"),
    Case("exit-wraps", c("import sys; sys.exit(256 + 7)"), "exit codes are taken modulo 256 (C exit)"),
    Case("exit-negative", c("import sys; sys.exit(-1)"), "sys.exit(-1) is 255"),
    Case("uncaught-exception", c("def f():\n    raise ValueError('boom')\nf()"), "traceback on stderr, exit 1"),
    Case("raised-keyboardinterrupt", c("raise KeyboardInterrupt"),
         "an uncaught KeyboardInterrupt prints its traceback and kills the process with SIGINT (shell: 130)"),
    Case("sigint-finally", ("{script}",), "SIGINT raises KeyboardInterrupt in the main thread: finally runs, exit by SIGINT",
         script=READY_THEN_SLEEP, signal=signal.SIGINT),
    Case("sigint-caught", ("{script}",), "a caught KeyboardInterrupt lets the program exit normally",
         script="import time\ntry:\n    print('ready', flush=True)\n    time.sleep(20)\nexcept KeyboardInterrupt:\n    print('caught')\n",
         signal=signal.SIGINT),
    Case("sigint-ignored", ("{script}",), "SIGINT ignored by the parent (nohup, `cmd &`) stays ignored",
         script="import time, signal\nprint('ready', signal.getsignal(signal.SIGINT), flush=True)\ntime.sleep(1)\nprint('survived')\n",
         signal=signal.SIGINT, sigint_ignored=True),
    Case("sigterm", ("{script}",), "SIGTERM ends the process by SIGTERM, no finally (default action)",
         script=READY_THEN_SLEEP, signal=signal.SIGTERM),
    Case("signal-handlers", c("import signal as s\nfor n in ('SIGINT', 'SIGTERM', 'SIGQUIT', 'SIGHUP', 'SIGPIPE', 'SIGCHLD', 'SIGUSR1'):\n"
                              "    print(n, s.getsignal(getattr(s, n)))"),
         "signal.getsignal reports python3's dispositions for the signals a program handles"),
    Case("atexit", c("import atexit\natexit.register(print, 'second')\natexit.register(print, 'first')\nprint('main')"),
         "atexit handlers run at exit, last registered first"),
    Case("atexit-raises", c("import atexit\ndef boom():\n    1 / 0\natexit.register(boom)"),
         "an exception in an atexit handler is reported as ignored; exit stays 0"),
    Case("atexit-after-exit", c("import atexit, sys\natexit.register(print, 'bye')\nsys.exit(4)"),
         "atexit runs after sys.exit too, and the code survives"),
    Case("thread-joined", c("import threading, time\ndef late():\n    time.sleep(0.3)\n    print('thread done')\n"
                            "print('main done')\nthreading.Thread(target=late).start()"),
         "non-daemon threads are joined before exit"),
    Case("daemon-not-joined", c("import threading, time\nthreading.Thread(target=time.sleep, args=(30,), daemon=True).start()\nprint('main done')"),
         "daemon threads do not delay exit"),
    Case("exit-in-thread", c("import sys, threading\nt = threading.Thread(target=sys.exit, args=(5,))\nt.start(); t.join()\nprint('still here')"),
         "sys.exit in a thread ends only that thread"),
    Case("thread-exception", c("import threading\ndef fail():\n    raise OSError('in thread')\n"
                               "t = threading.Thread(target=fail, name='worker')\nt.start(); t.join()\nprint('main goes on')"),
         "an exception in a thread is printed by threading.excepthook; the exit code stays 0"),
    Case("stdout-closed", c("import sys; print('x'); sys.stdout.close()"), "closing stdout does not abort the process"),
    Case("stderr-closed", c("import sys; sys.stderr.close(); raise ValueError('unseen')"),
         "with stderr closed an uncaught exception still exits 1"),
    Case("stdout-full-disk", c("print('x' * 10)"), "a stdout that cannot be flushed at exit: message on stderr, exit 120",
         stdout_to_full_disk=True),
    Case("del-at-exit", c("class C:\n    def __del__(self):\n        raise RuntimeError('in __del__')\nkeep = C()"),
         "exceptions in finalisers at shutdown are reported as ignored"),
    Case("missing-script", ("no_such_script.py",), "a missing script: python's message, exit 2"),
    Case("missing-module", ("-m", "no_such_module"), "-m with a missing module: python's message, exit 1"),
    Case("module-args", ("-m", "json.tool", "--sort-keys"), "-m runs a module as __main__ with its arguments",
         stdin='{"b": 1, "a": [2]}'),
    Case("project-module", ("-m", "rnnport", "corpus", "--help"), "the project's own command line runs the same"),
    Case("c-argv", ("-c", "import sys; print(sys.argv, sys.path[0] == '')", "a", "-b"), "-c: sys.argv[0] is '-c', sys.path[0] ''"),
    Case("argv-bytes", ("-c", "import sys; print(ascii(sys.argv))", os.fsdecode(b"caf\xe9"), "", "\u00fc"),
         "arguments reach sys.argv as python3 decodes them: bytes that are not UTF-8 as surrogates, empty ones kept"),
    Case("script-argv", ("{script}", "x", "--y"), "a script gets its path and arguments in sys.argv",
         script="import os, sys; print([os.path.basename(sys.argv[0])] + sys.argv[1:], __name__)"),
    Case("stdin-program", (), "no arguments and a non-terminal stdin: the program is read from stdin",
         stdin="import sys\nprint('from stdin', sys.argv)\n"),
    Case("dash-stdin", ("-", "a", "b"), "`-` reads the program from stdin; the rest is sys.argv[1:]",
         stdin="import sys\nprint(sys.argv)\nraise SystemExit(6)\n"),
    Case("version-short", ("-V",), "-V prints the Python version"),
    Case("version-long", ("--version",), "--version prints the Python version"),
    Case("version-verbose", ("-VV",), "-VV adds the build"),
    Case("unbuffered", ("-u", "-c", "import sys; print('out1'); print('err', file=sys.stderr); print('out2')"),
         "-u: stdout is not buffered, so the merged stream keeps the program's order", merge_stderr=True),
    Case("buffered", c("import sys; print('out1'); print('err', file=sys.stderr); print('out2')"),
         "without -u a piped stdout is block-buffered (stderr first)", merge_stderr=True),
    Case("unknown-option", ("-Z",), "an unknown option: usage on stderr, exit 2"),
    Case("help", ("-h",), "-h prints python's usage"),
    Case("option-isolated", ("-I", "-c", "import sys; print(sys.flags.isolated, sys.flags.ignore_environment)"), "-I is accepted"),
    Case("option-optimize", ("-O", "-c", "assert False; print(__debug__)"), "-O strips asserts"),
    Case("option-warnings", ("-W", "error", "-c", "import warnings; warnings.warn('w')"), "-W error turns a warning into an exception"),
    Case("option-dev", ("-X", "dev", "-B", "-c", "import sys; print(sys.flags.dev_mode, sys.dont_write_bytecode)"), "-X dev and -B"),
    Case("option-bad-x", ("-X", "int_max_str_digits=1", "-c", "pass"), "an invalid -X value: python's fatal config error, exit 1"),
    Case("interactive-after", ("-i", "-c", "x = 5"), "-i: after the program, the REPL reads stdin (prompts on stderr)",
         stdin="print(x * 2)\n"),
    Case("repl-tty", (), "no arguments on a terminal: the REPL (banner, prompt, result, Ctrl-D exits 0)",
         tty_keys=(b"import sys; print(6 * 7, sys.argv)\n", b"\x04")),
    Case("repl-ctrl-c", (), "Ctrl-C at the REPL prompt: KeyboardInterrupt, a new prompt",
         tty_keys=(b"\x03", b"print('after')\n", b"\x04")),
]


@dataclass(frozen=True)
class Outcome:
    """What one interpreter did with one row: exit status (negative: killed by that signal) and output."""

    returncode: int
    stdout: str
    stderr: str


def normalise(text: str, program: str) -> str:
    """The one normalisation: the program's path becomes ``<python>``, addresses (0x + 6 or more hex digits) ``0x?``."""
    return re.sub(r"0x[0-9a-f]{6,}", "0x?", text.replace(program, "<python>"))


def compare(expected: Outcome, actual: Outcome) -> None:
    """Assert that two interpreters behaved alike (both outcomes already normalised)."""
    assert (actual.returncode, actual.stdout, actual.stderr) == (expected.returncode, expected.stdout, expected.stderr)


def run(program: str, case: Case, folder: Path) -> Outcome:
    """Run ``program`` (python3 or the host) on ``case`` in ``folder``; outputs normalised."""
    argv = [a.replace("{script}", str(folder / "script.py")) for a in case.argv]
    if case.tty_keys is not None:
        returncode, output = run_on_terminal([program, *argv], case.tty_keys, folder)
        return Outcome(returncode, normalise(output, program), "")
    command = ["sh", "-c", 'trap "" INT; exec "$0" "$@"', program, *argv] if case.sigint_ignored else [program, *argv]
    stdout = open("/dev/full", "w") if case.stdout_to_full_disk else subprocess.PIPE  # noqa: SIM115
    try:
        child = subprocess.Popen(command, cwd=folder, env=ENVIRONMENT, stdout=stdout,
                                 stdin=subprocess.DEVNULL if case.signal is not None else subprocess.PIPE,
                                 stderr=subprocess.STDOUT if case.merge_stderr else subprocess.PIPE, text=True)
        first = ""
        if case.signal is not None:
            first = child.stdout.readline()  # the program is ready: its handlers are in place
            child.send_signal(case.signal)
            out, err = child.communicate(timeout=TIMEOUT)
        else:
            out, err = child.communicate(case.stdin, timeout=TIMEOUT)
    finally:
        if stdout is not subprocess.PIPE:
            stdout.close()
    return Outcome(child.returncode, normalise(first + (out or ""), program), normalise(err or "", program))


SETTLE_SECONDS = 0.5  # after a prompt appears, before a key is typed


def run_on_terminal(command: list[str], keys: tuple[bytes, ...], folder: Path) -> tuple[int, str]:
    """Run ``command`` with a pseudo-terminal as stdin/stdout/stderr, typing each key after a prompt."""
    master, slave = pty.openpty()
    # A session of its own with the terminal as controlling terminal, so that Ctrl-C is SIGINT.
    child = subprocess.Popen(command, cwd=folder, env=ENVIRONMENT, stdin=slave, stdout=slave, stderr=slave, close_fds=True,
                             start_new_session=True, preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
    os.close(slave)
    output = b""

    def read_until(done, seconds: float) -> None:
        nonlocal output
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not done():
            if select.select([master], [], [], 0.05)[0]:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # the child closed the terminal
                    return
                if not chunk:
                    return
                output += chunk

    try:
        read_until(lambda: output.endswith(b">>> "), TIMEOUT)
        for key in keys:
            prompts = output.count(b">>> ")
            # The prompt is written before readline blocks in select(); a Ctrl-C in between only trips
            # CPython's flag and surfaces later (python3 itself then dies of it): let readline settle.
            time.sleep(SETTLE_SECONDS)
            os.write(master, key)
            read_until(lambda: output.count(b">>> ") > prompts or child.poll() is not None, TIMEOUT)
        child.wait(TIMEOUT)
        read_until(lambda: False, 0.2)
    finally:
        os.close(master)
        if child.poll() is None:
            child.kill()
    return child.wait(), output.decode(errors="replace").replace("\r\n", "\n")


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, tuple[Outcome, Outcome]]:
    """Every row through both interpreters, in parallel: {id: (python3's outcome, the host's)}."""

    # Made here, one by one: pytest's mktemp is not thread-safe (its base folder is made on first use).
    folders = {case.id: tmp_path_factory.mktemp(case.id) for case in CASES}

    def both(case: Case) -> tuple[Outcome, Outcome]:
        folder = folders[case.id]
        if case.script is not None:
            (folder / "script.py").write_text(case.script)
        return run(PYTHON, case, folder), run(PYHOST, case, folder)

    with ThreadPoolExecutor(max_workers=8) as pool:
        return dict(zip([case.id for case in CASES], pool.map(both, CASES)))


def test_matrix_is_large_and_ids_unique():
    assert len(CASES) >= 20 and len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_host_behaves_like_python3(case, outcomes):
    expected, actual = outcomes[case.id]
    compare(expected, actual)


# Negative controls: the comparison fails when behaviour differs.

def test_comparison_fails_on_a_different_exit_code(tmp_path):
    row = CASES[0]
    altered = replace(row, argv=c("import sys; sys.exit(4)"))
    with pytest.raises(AssertionError):
        compare(run(PYTHON, row, tmp_path), run(PYTHON, altered, tmp_path))


def test_comparison_fails_when_sigint_ends_the_process_at_once(tmp_path):
    """The old host's SIGINT (default action: no KeyboardInterrupt, no finally) does not pass."""
    row = next(case for case in CASES if case.id == "sigint-finally")
    (tmp_path / "script.py").write_text(row.script)
    expected = run(PYTHON, row, tmp_path)
    # Same lines (the script waits for its sleep line), SIGINT back to the default action.
    first = row.script.splitlines()[0]
    (tmp_path / "script.py").write_text(row.script.replace(
        first, first + "; import signal; signal.signal(signal.SIGINT, signal.SIG_DFL)", 1))
    old_host = run(PYTHON, row, tmp_path)
    assert old_host.stdout == "ready\n" and old_host.returncode == -signal.SIGINT  # killed in its sleep, no finally
    with pytest.raises(AssertionError):
        compare(expected, old_host)


def test_normalisation_forgives_only_the_program_path_and_addresses():
    python = Outcome(2, "", normalise("/usr/bin/python3: can't open file 'x': [Errno 2] at 0x7f01a2b3c4d0", "/usr/bin/python3"))
    host = Outcome(2, "", normalise("/w/dotnet/pyhost: can't open file 'x': [Errno 2] at 0x942140", "/w/dotnet/pyhost"))
    compare(python, host)
    with pytest.raises(AssertionError):
        compare(python, replace(host, stderr=host.stderr.replace("[Errno 2]", "[Errno 3]")))
    with pytest.raises(AssertionError):
        compare(python, replace(host, stdout="x"))
