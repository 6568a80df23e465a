"""What the integration tests share: a fixture script of tests/fixtures
(dns-fixture.sh, https-fixture.sh) started for the length of a with
block, its exported variables, the programs it needs, and the closing
count line."""
import contextlib
import os
import shutil
import subprocess


class NotStarted(Exception):
    """The fixture script failed to start (its stderr is the message)."""


def missing(progs, hint):
    """77 (meson's skip) after a SKIP line when one of progs is not
    installed; None when all are."""
    for prog in progs:
        if shutil.which(prog) is None:
            print("SKIP: %s not installed (%s)" % (prog, hint))
            return 77
    return None


@contextlib.contextmanager
def running(script, args, env):
    """`bash script start ARGS...` with env; yields the variables it
    exports (a dict) and runs `bash script stop` on the way out. Raises
    NotStarted."""
    p = subprocess.run(["bash", script, "start", *args], env=env,
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise NotStarted(p.stderr)
    exports = {}
    for line in p.stdout.splitlines():
        if line.startswith("export "):
            k, _, v = line[7:].partition("=")
            exports[k] = v.strip('"')
    try:
        yield exports
    finally:
        subprocess.run(["bash", script, "stop"], env=env, capture_output=True)


def not_started(e):
    """The failed case and count line of a fixture that did not start;
    the exit status."""
    print("FAIL fixture did not start: %s" % e)
    print("0 passed, 1 failed")
    return 1


def readable(top):
    """Make the tree under top world-readable (nginx workers run as
    nobody)."""
    for dirpath, dirnames, filenames in os.walk(top):
        for n in dirnames + filenames:
            os.chmod(os.path.join(dirpath, n),
                     0o755 if n in dirnames else 0o644)


def summary(results):
    """Print "N passed, N failed" for a list of booleans; the exit
    status (1 also when nothing ran)."""
    print("%d passed, %d failed" % (results.count(True),
                                    results.count(False)))
    return 0 if results and all(results) else 1
