"""Run by Program.cs inside the embedded interpreter after start-up, before ``Py_RunMain``.

CPython itself parses the command line and runs the program; this module only restores what
python3 has and an embedding .NET process does not.
"""
import atexit
import ctypes
import signal
import sys


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
    # Registered before the program runs, so it runs after every handler the program registers.
    atexit.register(ctypes.PYFUNCTYPE(ctypes.c_int)(shutdown_address))
