#!/usr/bin/env python3
"""Runs README.md's "The tutorial, end to end" over HTTPS, command by command as written.

A throw-away CA and a server certificate signed by it (openssl CLI) serve a real `meridian serve --tls-cert
--tls-key` on a free loopback port with a temp data dir. Each README command runs in a temp folder whose
`build` and `tests` link to the build and source trees; the only rewrites are the addresses: curl gets
`--cacert CA` (and `--fail-with-body`), `localhost:21000` becomes `https://localhost:PORT`, import-hive and
lineage-sql get `--url https://localhost:PORT --ca-file CA`, and the stand-in metastore's 9083 becomes a free
port. Every step's result is checked as the README states it; a `# {...}` comment after a command is its
expected JSON. A README step this script has no check for fails the test, so README and test stay together.

Usage: readme_tour_https.py --build-dir DIR --source-dir DIR
"""
import argparse
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import time

COMMAND_TIMEOUT_S = 30
PROPAGATION_WAIT_S = 15


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, process, what, timeout_s=15):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            fail(f"{what} exited with {process.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    fail(f"{what} is not listening on {port} after {timeout_s} s")


def run(args, cwd, **kw):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S, **kw)


def make_certificates(folder):
    """A CA, and a certificate for localhost / 127.0.0.1 signed by it; returns (ca, cert, key) paths."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    steps = [
        ["openssl", "req", "-x509", *ec, "-days", "1", "-subj", "/CN=Meridian test CA",
         "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
         "-keyout", "ca.key", "-out", "ca.crt"],
        ["openssl", "req", "-new", *ec, "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr"],
        ["openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", "2",
         "-days", "1", "-extfile", "server.ext", "-out", "server.crt"],
    ]
    with open(os.path.join(folder, "server.ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    for step in steps:
        r = run(step, folder)
        if r.returncode != 0:
            fail(f"{' '.join(step)}: {r.stderr}")
    return tuple(os.path.join(folder, n) for n in ("ca.crt", "server.crt", "server.key"))


def tutorial_steps(readme_path):
    """The tutorial's sh block as [(step number, [(command, expected JSON or None)])]."""
    text = open(readme_path, encoding="utf-8").read()
    section = text.split("## The tutorial, end to end", 1)
    if len(section) != 2:
        fail("README.md has no section 'The tutorial, end to end'")
    block = re.search(r"```sh\n(.*?)```", section[1], re.S)
    if not block:
        fail("the tutorial section has no ```sh block")
    lines = block.group(1).replace("\\\n", " ").splitlines()
    steps = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        numbered = re.match(r"#\s*(\d+)\.", line)
        if numbered:
            steps.append((int(numbered.group(1)), []))
        elif line.startswith("# {"):
            if not steps or not steps[-1][1]:
                fail(f"expected output without a command before it: {line}")
            command, _ = steps[-1][1][-1]
            steps[-1][1][-1] = (command, json.loads(line[2:]))
        elif line.startswith("#"):
            continue
        else:
            if not steps:
                fail(f"command before the first numbered step: {line}")
            steps[-1][1].append((re.sub(r"\s+", " ", line), None))
    return steps


class Tour:
    def __init__(self, work, ca, port, hms_port):
        self.work, self.ca, self.hms_port = work, ca, hms_port
        self.base = f"https://localhost:{port}"
        self.background = []
        self.env = dict(os.environ, MERIDIAN_PASSWORD="admin")

    def rewrite(self, command):
        command = command.replace("9083", str(self.hms_port))
        command = command.replace("localhost:21000", self.base)
        if command.startswith("curl "):
            command = f"curl --cacert {shlex.quote(self.ca)} --fail-with-body --show-error " + command[len("curl "):]
        if re.match(r"build/meridian (import-hive|lineage-sql)\b", command):
            command += f" --url {self.base} --ca-file {shlex.quote(self.ca)}"
        return command

    def execute(self, command):
        """Runs one README command; returns its stdout (a background command: None, once it listens)."""
        shell = self.rewrite(command)
        print(f"$ {shell}", flush=True)
        if shell.endswith("&"):
            process = subprocess.Popen(shlex.split(shell[:-1]), cwd=self.work, env=self.env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.background.append(process)
            wait_for_port(self.hms_port, process, command)
            return None
        r = subprocess.run(["bash", "-c", shell], cwd=self.work, env=self.env, capture_output=True, text=True,
                           timeout=COMMAND_TIMEOUT_S)
        if r.returncode != 0:
            fail(f"exit {r.returncode} from {shell}\nstdout: {r.stdout[-2000:]}\nstderr: {r.stderr[-2000:]}")
        return r.stdout

    def get(self, path):
        r = run(["curl", "-s", "--fail-with-body", "--show-error", "--cacert", self.ca, "-u", "admin:admin",
                 self.base + path], self.work)
        if r.returncode != 0:
            fail(f"GET {path}: {r.stdout} {r.stderr}")
        return json.loads(r.stdout)

    def stop(self):
        for p in self.background:
            p.terminate()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()


def entities_of(output):
    return json.loads(output).get("entities") or []


def names(entities):
    return sorted(e.get("attributes", {}).get("name") or e.get("displayText") for e in entities)


def check(condition, message):
    if not condition:
        fail(message)


def check_search(outs, tour, commands):
    found = entities_of(outs[0])
    check("trip_details" in names(found), f"basic search finds trip_details: {names(found)}")
    check(all(e["typeName"] == "hive_table" for e in found), f"only hive_tables: {found}")


def check_lineage(outs, tour, commands):
    lineage = json.loads(outs[0])
    guid_of = {e["attributes"]["name"]: g for g, e in lineage["guidEntityMap"].items() if e["typeName"] == "hive_table"}
    check(sorted(guid_of) == ["trip_details", "trip_details_by_zone", "trip_zone_lookup"], f"table lineage: {sorted(guid_of)}")
    edges = {(r["fromEntityId"], r["toEntityId"]) for r in lineage["relations"]}
    ctas = [g for g, e in lineage["guidEntityMap"].items() if e["typeName"] == "hive_process"
            and {(guid_of["trip_details"], g), (guid_of["trip_zone_lookup"], g), (g, guid_of["trip_details_by_zone"])} <= edges]
    check(len(ctas) == 1, f"trip_details and trip_zone_lookup -> one CTAS process -> trip_details_by_zone: {edges}")
    column = json.loads(outs[1])["guidEntityMap"].values()
    names_ = {e["attributes"].get("qualifiedName") for e in column}
    check("atlas_emr.trip_details.location_id@primary" in names_, f"column lineage reaches trip_details.location_id: {names_}")
    check(any(e["typeName"] == "hive_column_lineage" for e in column), "column lineage goes through a hive_column_lineage")


def check_classification(outs, tour, commands):
    check([d["name"] for d in json.loads(outs[0]).get("classificationDefs", [])] == ["PII"], f"PII created: {outs[0]}")
    # Propagation runs in the background: the README's search, repeated until it has caught up.
    search_command = commands[2]
    deadline = time.monotonic() + PROPAGATION_WAIT_S
    found = names(entities_of(outs[2]))
    while "trip_details_by_zone" not in found and time.monotonic() < deadline:
        time.sleep(0.3)
        found = names(entities_of(tour.execute(search_command)))
    # Downstream of trip_zone_lookup: the CTAS process and trip_details_by_zone; never the other input.
    check({"trip_details_by_zone", "trip_zone_lookup"} <= set(found) and "trip_details" not in found,
          f"PII on trip_zone_lookup and propagated downstream: {found}")
    source = tour.get("/api/atlas/v2/entity/uniqueAttribute/type/hive_table?attr:qualifiedName=atlas_emr.trip_zone_lookup@primary")
    target = tour.get("/api/atlas/v2/entity/uniqueAttribute/type/hive_table?attr:qualifiedName=atlas_emr.trip_details_by_zone@primary")
    tags = target["entity"].get("classifications", [])
    check(any(t["typeName"] == "PII" and t.get("entityGuid") == source["entity"]["guid"] for t in tags),
          f"trip_details_by_zone carries PII propagated from trip_zone_lookup: {tags}")


def check_dsl(outs, tour, commands):
    first = entities_of(outs[0])
    check(names(first) == ["trip_details"] and first[0]["typeName"] == "hive_table", f"from hive_table where name = trip_details: {first}")
    columns = entities_of(outs[1])
    check(all(e["typeName"] == "hive_column" and e["attributes"]["name"] == "location_id" for e in columns), f"location_id columns: {columns}")
    qualified = sorted(e["attributes"]["qualifiedName"] for e in columns)
    check({"atlas_emr.trip_details.location_id@primary", "atlas_emr.trip_details_by_zone.location_id@primary"} <= set(qualified),
          f"location_id of trip_details and trip_details_by_zone: {qualified}")
    check(json.loads(outs[2])["attributes"]["values"] == [[3]], f"the count 3: {outs[2]}")


def check_ran(outs, tour, commands):
    pass


# Step number -> (what it shows, check of its commands' outputs).
CHECKS = {
    1: ("stand-in metastore", check_ran),  # execute() waited for its port
    2: ("import-hive", check_ran),  # exit status 0; its tables are checked by the steps below
    3: ("lineage-sql", check_ran),
    4: ("basic search", check_search),
    5: ("lineage", check_lineage),
    6: ("PII and its propagation", check_classification),
    7: ("DSL", check_dsl),
}

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--source-dir", required=True)
    args = parser.parse_args()
    build_dir, source_dir = os.path.abspath(args.build_dir), os.path.abspath(args.source_dir)

    steps = tutorial_steps(os.path.join(source_dir, "README.md"))
    check([n for n, _ in steps] == sorted(CHECKS), f"README tutorial steps {[n for n, _ in steps]}, checks for {sorted(CHECKS)}")

    with tempfile.TemporaryDirectory(prefix="meridian-tour-") as tmp:
        work = os.path.join(tmp, "work")
        os.makedirs(work)
        os.symlink(build_dir, os.path.join(work, "build"))
        os.symlink(os.path.join(source_dir, "tests"), os.path.join(work, "tests"))
        ca, cert, key = make_certificates(tmp)
        port, hms_port = free_port(), free_port()
        log = open(os.path.join(tmp, "server.log"), "w")
        server = subprocess.Popen(
            [os.path.join(build_dir, "meridian"), "serve", "--port", str(port), "--bind", "127.0.0.1",
             "--data-dir", os.path.join(tmp, "data"), "--tls-cert", cert, "--tls-key", key],
            stdout=log, stderr=subprocess.STDOUT)
        tour = Tour(work, ca, port, hms_port)
        try:
            wait_for_port(port, server, "meridian serve")
            status = tour.get("/api/atlas/admin/status")
            check(status.get("Status") == "ACTIVE", f"status over https: {status}")
            for number, commands in steps:
                what, checker = CHECKS[number]
                print(f"--- step {number}: {what}", flush=True)
                outs = []
                for command, expected in commands:
                    out = tour.execute(command)
                    if expected is not None:
                        check(json.loads(out) == expected, f"README says {json.dumps(expected)}, got {out}")
                    outs.append(out)
                checker(outs, tour, [c for c, _ in commands])
            print("README tutorial over https: every step as the README states")
        except SystemExit:
            log.flush()
            print("--- server log (tail)\n" + open(log.name).read()[-3000:], file=sys.stderr)
            raise
        finally:
            tour.stop()
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()


if __name__ == "__main__":
    main()
