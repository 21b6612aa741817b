"""Test support for SoccerStream: the real components the tests and the benchmark harness start.

Each module has one job; the names below are the ones the tests use, so a test imports from
`soccertest` alone. Nothing here needs pytest.
"""

from .browser import Watched, chromium, watched_page
from .envoy import Envoy
from .media import counter, make_8k, make_media
from .netns import ThinLink
from .nginx import Nginx
from .paths import MEDIA, ROOT, MissingComponent, readme_example, soccer_binary
from .pki import make_pki
from .processes import Server, cli, free_port, metric, open_files_limit, serve, terminate
from .procfs import cpu_seconds, open_fds, proc_status, rss_mb, threads_named
from .prometheus import Prometheus
from .rawpeer import RawPeer, grpc_message, match_message
from .terminal import FakeTerminal, Pane
from .web import base_url, http_get, stream_parts, web_address

__all__ = [
    "MEDIA",
    "ROOT",
    "Envoy",
    "FakeTerminal",
    "MissingComponent",
    "Nginx",
    "Pane",
    "Prometheus",
    "RawPeer",
    "Server",
    "ThinLink",
    "Watched",
    "base_url",
    "chromium",
    "cli",
    "counter",
    "cpu_seconds",
    "free_port",
    "grpc_message",
    "http_get",
    "make_8k",
    "make_media",
    "make_pki",
    "match_message",
    "metric",
    "open_fds",
    "open_files_limit",
    "proc_status",
    "readme_example",
    "rss_mb",
    "serve",
    "soccer_binary",
    "stream_parts",
    "terminate",
    "threads_named",
    "watched_page",
    "web_address",
]
