"""Run by Program.cs inside the embedded interpreter after start-up, before ``Py_RunMain``.

CPython itself parses the command line and runs the program; this module only restores what
python3 has and an embedding .NET process does not.
"""
import atexit
import ctypes
import faulthandler
import functools
import signal
import sys

# .NET turns these faults in managed code into exceptions (NullReferenceException,
# AccessViolationException, DivideByZeroException); a Python fault handler in front of it would
# print "Fatal Python error" and kill the process instead.
DOTNET_FAULT_SIGNALS = (signal.SIGSEGV, signal.SIGBUS, signal.SIGFPE, signal.SIGILL)
SIGACTION_BUFFER = 256  # bytes; glibc's struct sigaction is 152 on x86-64


def setup(assembly_dir: str, shutdown_address: int) -> None:
    """Prepare the interpreter for ``Py_RunMain``.

    Parameters
    ----------
    assembly_dir : str
        The host's folder, holding ``RnnPort*.dll``; appended to ``sys.path``, where
        ``clr.AddReference`` searches.
    shutdown_address : int
        Address of a native ``int (void)`` function that shuts pythonnet down.
    """
    sys.path.append(assembly_dir)
    # python3 installs its SIGINT handler (KeyboardInterrupt) only where SIGINT still has the
    # default action; the .NET runtime had already installed its own, which ends the process at
    # once. None means "a handler not set from Python"; SIG_IGN (nohup, `cmd &`) stays ignored.
    if signal.getsignal(signal.SIGINT) is None:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    # .NET also hooks SIGTERM and SIGQUIT for its own shutdown; python3 leaves them at the default
    # action, which is what signal.getsignal must report (the process dies by the signal either way).
    for number in (signal.SIGTERM, signal.SIGQUIT):
        if signal.getsignal(number) is None:
            signal.signal(number, signal.SIG_DFL)
    keep_dotnet_fault_handlers()
    # Registered before the program runs, so it runs after every handler the program registers.
    atexit.register(ctypes.PYFUNCTYPE(ctypes.c_int)(shutdown_address))


def keep_dotnet_fault_handlers() -> None:
    """Let faulthandler (``-X faulthandler``, pytest) work without taking .NET's fault signals.

    ``faulthandler.enable`` is wrapped so that, once it has installed its handlers, .NET's are put
    back for :data:`DOTNET_FAULT_SIGNALS`; faulthandler keeps SIGABRT, its tracebacks on demand and
    ``dump_traceback_later``.
    """
    enabled_at_start = faulthandler.is_enabled()
    if enabled_at_start:
        faulthandler.disable()  # gives back the handlers it replaced: .NET's
    libc = ctypes.CDLL(None, use_errno=True)
    saved = {}
    for number in DOTNET_FAULT_SIGNALS:
        saved[number] = ctypes.create_string_buffer(SIGACTION_BUFFER)
        libc.sigaction(number, None, saved[number])
    original_enable = faulthandler.enable

    @functools.wraps(original_enable)
    def enable(*args, **kwargs):
        original_enable(*args, **kwargs)
        for number, action in saved.items():
            libc.sigaction(number, action, None)

    faulthandler.enable = enable
    if enabled_at_start:
        enable()
