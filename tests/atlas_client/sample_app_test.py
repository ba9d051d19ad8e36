#!/usr/bin/env python3
"""Runs Atlas's sample app (upstream/sample-app/sample_client.py, unchanged) twice in a row
against one real Meridian server. Each run must log no error and complete every step.

Usage: sample_app_test.py MERIDIAN_BINARY
"""
import os
import subprocess
import sys

from meridian_server import UPSTREAM, MeridianServer

SAMPLE_APP = os.path.join(UPSTREAM, "sample-app")

# The app configures no logging of its own; show every record with its level.
RUNNER = """
import logging, runpy, sys
logging.basicConfig(level=logging.INFO, stream=sys.stdout,
                    format="%(levelname)s %(name)s: %(message)s")
runpy.run_path("sample_client.py", run_name="__main__")
"""

# One line each step logs when it succeeds (the app logs failures at INFO level too,
# e.g. "Failed to create ...", so success must be seen, not only errors missed).
STEPS = [
    ("typedefs created or present", None),
    ("database entity", "Created database entity: guid="),
    ("US table entity", "Created US table entity: guid="),
    ("Canada table entity", "Created Canada table entity: guid="),
    ("process entity", "Created process entity: guid="),
    ("entity read back", "Entity(guid="),
    ("DSL search over DataSet", "query: 'from DataSet' retrieved:"),
    ("DSL search over Process", "query: 'from Process' retrieved:"),
    ("quick search", "Quick-search result:"),
    ("basic search", "Basic-search result:"),
    ("glossary created", "Created glossary with name: EmployeeCountry"),
    ("glossary term created", "Created Term for Employee Salary: EmpSalaryTerm"),
    ("glossary read back", "Glossary extended info:"),
    ("glossary category created", "Created Category for Employee Category: EmpSalaryCategory"),
    ("glossary deleted", "Delete is complete for Glossary!"),
    ("entities purged", "Purged entities"),
]
FAILURE_MARKERS = ("ERROR ", "CRITICAL ", "Traceback", "Failed", "failed", "Purge failed", "Not able to find")


def run_once(server, run):
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER],
        input="%s\nadmin\nadmin\n" % server.url,
        cwd=SAMPLE_APP,
        env=dict(os.environ, PYTHONPATH=UPSTREAM, PYTHONDONTWRITEBYTECODE="1"),
        capture_output=True, text=True, timeout=300,
        start_new_session=True)  # no controlling terminal: getpass reads the password from stdin
    out = proc.stdout + proc.stderr
    problems = []
    if proc.returncode != 0:
        problems.append("exit status %d" % proc.returncode)
    for line in out.splitlines():
        if line.startswith("INFO ") and "Failed" not in line and "failed" not in line:
            continue
        if any(m in line for m in FAILURE_MARKERS):
            problems.append("logged: " + line)
    for step, marker in STEPS:
        if marker and marker not in out:
            problems.append("step did not complete: %s (no '%s')" % (step, marker))
    # The lineage step logs one "a (type) -> b (type)" line per relation: the process links the tables.
    if " -> " not in out:
        problems.append("step did not complete: lineage (no relation logged)")
    if problems:
        print("---- run %d output ----\n%s" % (run, out))
        print("---- run %d problems ----" % run)
        for p in problems:
            print("  " + p)
        return False
    print("run %d: all %d steps completed, no errors" % (run, len(STEPS) + 1))
    return True


def main():
    binary = sys.argv[1]
    with MeridianServer(binary) as server:
        ok = True
        for run in (1, 2):
            ok = run_once(server, run) and ok
        if not ok:
            print("---- server log ----\n" + server.log()[-20000:])
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
