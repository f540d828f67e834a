# Run inside the embedded interpreter by Program.cs: the part of the `python` command line that
# this host supports (-m MODULE, -c CODE, SCRIPT), with python's sys.argv and exit-code rules.
import os
import runpy
import sys
import traceback

USAGE = "usage: rnnport-pyhost (-m MODULE | -c CODE | SCRIPT) [ARG ...]"


def exit_code(code):
    """Map SystemExit.code to a process exit code as CPython does."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def main(argv, assembly_dir):
    # clr.AddReference searches sys.path; the host's own folder holds RnnPort*.dll.
    sys.path.append(assembly_dir)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE, file=sys.stderr)
        return 2 if not argv else 0
    try:
        if argv[0] == "-m" and len(argv) >= 2:
            sys.path.insert(0, os.getcwd())
            sys.argv = [argv[1], *argv[2:]]  # runpy replaces argv[0] with the module's path
            runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        elif argv[0] == "-c" and len(argv) >= 2:
            sys.path.insert(0, "")
            sys.argv = ["-c", *argv[2:]]
            exec(compile(argv[1], "<string>", "exec"), {"__name__": "__main__"})
        elif not argv[0].startswith("-"):
            sys.path.insert(0, os.path.dirname(os.path.abspath(argv[0])))
            sys.argv = list(argv)
            runpy.run_path(argv[0], run_name="__main__")
        else:
            print(f"rnnport-pyhost: unsupported option {argv[0]!r}\n{USAGE}", file=sys.stderr)
            return 2
    except SystemExit as stop:
        return exit_code(stop.code)
    except BaseException:  # noqa: BLE001 - report like python does, then exit 1
        traceback.print_exc()
        return 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    return 0
