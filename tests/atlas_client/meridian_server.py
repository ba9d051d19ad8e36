"""A real `meridian serve` on a free loopback port with a temporary data directory.

Used by the Atlas client tests:

    with MeridianServer(binary) as server:
        server.url        # http://127.0.0.1:PORT
        server.log()      # what the server logged so far
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
UPSTREAM = os.path.join(HERE, "upstream")  # Atlas's client and sample app, unchanged


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MeridianServer:
    def __init__(self, binary, data_dir=None):
        self.binary = binary
        self.own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="meridian-atlas-client-")
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.process = None
        self.log_path = os.path.join(self.data_dir, "server.log")

    def __enter__(self):
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [self.binary, "serve", "--port", str(self.port), "--bind", "127.0.0.1", "--data-dir", self.data_dir],
            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("meridian serve exited with %s:\n%s" % (self.process.returncode, self.log()))
            try:
                with urllib.request.urlopen(self.url + "/api/atlas/admin/status", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("meridian serve did not answer within 60 s:\n" + self.log())

    def __exit__(self, *exc):
        self.stop()
        if self.own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""
