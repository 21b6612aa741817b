"""The servers and clients a scenario runs: a quiet `soccer serve`, and commands that print JSON."""

import json
import subprocess

from soccertest import Server


def serve(binary, media, *options, env=()):
    """`soccer serve` of `media` on a free loopback port, logging warnings only; `env` (NAME=VALUE
    strings) is added to its environment."""
    prefix = ["env", *env] if env else []
    return Server([*prefix, binary, "serve", "--media", media, "--port", "0", "--log-level", "warning", *options])


def json_of(argv):
    """The JSON object a command prints on its last line (`soccer bench --json`, a Python client)."""
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])
