"""An HTTP media origin: Debian's nginx on loopback."""

import os
import re
import shutil
import signal
import socket
import subprocess
import time

from .paths import ROOT, MissingComponent
from .processes import free_port


class Nginx:
    """nginx serving `folder` at http://127.0.0.1:PORT/media/ with a JSON directory listing, as
    a media store would; also at /empty/ with no listing and at /slow/ at 64 kB/s. Its own
    prefix, pid file and logs in a temporary folder. With `server`, that server block instead,
    whose `listen` line becomes this port."""

    def __init__(self, folder, workdir, server=None, tls=None):
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not os.path.exists(binary):
            raise MissingComponent("nginx is missing: tools/install-deps installs it")
        self.workdir = str(workdir)
        self.port = free_port()
        os.makedirs(os.path.join(self.workdir, "logs"), exist_ok=True)
        config = os.path.join(self.workdir, "nginx.conf")
        if server is None:
            server = self.shipped_server(folder, tls)
        else:
            server = re.sub(r"listen \d+", f"listen 127.0.0.1:{self.port}", server)
        with open(config, "w") as f:
            # One process (no master): killing it stops every transfer. As root, nginx's workers
            # would drop to www-data, who cannot read the tests' folders.
            user = "user root root;" if os.geteuid() == 0 else ""
            f.write(f"""
{user}
daemon off;
master_process off;
pid {self.workdir}/nginx.pid;
error_log {self.workdir}/logs/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {self.workdir}/logs/access.log;
    client_body_temp_path {self.workdir}/body;
    proxy_temp_path {self.workdir}/proxy;
    fastcgi_temp_path {self.workdir}/fastcgi;
    uwsgi_temp_path {self.workdir}/uwsgi;
    scgi_temp_path {self.workdir}/scgi;
    {server}
}}""")
        self.process = subprocess.Popen(
            [binary, "-p", self.workdir, "-c", config], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError as error:
                if self.process.poll() is not None:
                    raise RuntimeError(f"nginx did not start: {self.process.stderr.read().decode()}") from error
                time.sleep(0.05)
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}/media/"

    def shipped_server(self, folder, tls=None):
        """deploy/nginx/media-origin.conf on this port and folder, plus /empty/ (no listing) and
        /slow/ (64 kB/s) for the tests; with `tls` (certificate and key files), over HTTPS."""
        with open(os.path.join(ROOT, "deploy", "nginx", "media-origin.conf")) as f:
            text = f.read()
        root = os.path.abspath(folder)
        listen = f"listen 127.0.0.1:{self.port};"
        if tls:
            listen = f"listen 127.0.0.1:{self.port} ssl; ssl_certificate {tls[0]}; ssl_certificate_key {tls[1]};"
        text = text.replace("listen 8080;", listen).replace("/srv/soccer/media/", root + "/")
        extra = (
            f"    location /empty/ {{ alias {root}/; }}\n    location /slow/ {{ alias {root}/; limit_rate 64k; }}\n}}"
        )
        return text.rstrip()[:-1] + extra

    def kill(self):
        """Stops nginx at once, cutting every transfer in flight."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
