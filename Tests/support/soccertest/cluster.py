"""The scaled-out service on one machine: an nginx media store over a folder, three replicas
reading it, and Envoy in front on 127.0.0.1:50051 (gRPC) and 127.0.0.1:8080 (the web viewer and
API), until Ctrl-C. deploy/prometheus/prometheus.yml
scrapes the replicas and Envoy at the ports it uses.

    tools/local-cluster [--media DIR] [--port 50051]
    soccer dump sample --out out/cluster          # through Envoy
    soccer dump sample --out out/rr --server 127.0.0.1:50061,127.0.0.1:50062,127.0.0.1:50063
"""

import argparse
import os
import signal
import tempfile

from .envoy import Envoy
from .nginx import Nginx
from .paths import ROOT
from .processes import Server


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=os.environ.get("SOCCER_BIN"), required="SOCCER_BIN" not in os.environ)
    parser.add_argument("--media", default=os.path.join(ROOT, "media"))
    parser.add_argument(
        "--port",
        type=int,
        default=50051,
        help="Envoy's port; its admin is 9 above, replicas 10 above, their metrics 20 above, their web API 30 above",
    )
    parser.add_argument("--web-port", type=int, default=8080, help="Envoy's port for the web viewer and API")
    args = parser.parse_args()
    ports = [args.port + 10 + n for n in range(3)]
    with tempfile.TemporaryDirectory(prefix="soccer-cluster-") as work:
        store = Nginx(args.media, os.path.join(work, "nginx"))
        replicas = []
        envoy = None
        try:
            for n, port in enumerate(ports):
                replicas.append(
                    Server(
                        [
                            args.bin,
                            "serve",
                            "--media",
                            store.url,
                            "--host",
                            "127.0.0.1",
                            "--port",
                            str(port),
                            "--replica",
                            f"r{n + 1}",
                            "--metrics",
                            str(port + 10),
                            "--http",
                            str(port + 20),
                        ]
                    )
                )
            envoy = Envoy(
                ports,
                os.path.join(work, "envoy"),
                port=args.port,
                admin_port=args.port + 9,
                web_ports=[port + 20 for port in ports],
                web_port=args.web_port,
            )
            print(f"media store  {store.url} (nginx, {args.media})")
            for n, port in enumerate(ports):
                print(f"replica r{n + 1}   127.0.0.1:{port} (metrics http://127.0.0.1:{port + 10}/metrics)")
            print(f"envoy        127.0.0.1:{args.port} (admin http://127.0.0.1:{args.port + 9}/clusters)")
            print(f"web viewer   http://127.0.0.1:{args.web_port}/ (through Envoy)")
            print("Ctrl-C stops them all.", flush=True)
            signal.pause()
        except KeyboardInterrupt:
            pass
        finally:
            if envoy:
                envoy.stop()
            for replica in replicas:
                replica.stop()
            store.stop()


def interrupted(*_):
    raise KeyboardInterrupt


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, interrupted)
    main()
