#!/usr/bin/env python3
"""What scraping /metrics costs a stream: frames/s of one `soccer bench` stream with a scraper
fetching /metrics every --interval seconds, against none, alternated on one server.

    tools/scrape-ab --clip 720p --reps 5 --interval 0.1
"""
import argparse
import json
import os
import subprocess
import sys
import threading
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Tests", "interop"))

from harness import Server, alternated, cpu_seconds, make_media, medians  # noqa: E402

CLIPS = {"720p": "1280x720", "1080p": "1920x1080"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=os.environ.get("SOCCER_BIN"), required="SOCCER_BIN" not in os.environ)
    parser.add_argument("--clip", choices=CLIPS, default="720p")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--interval", type=float, default=0.1)
    args = parser.parse_args()
    media = os.path.join(ROOT, ".bench", "media")
    if not os.path.exists(os.path.join(media, f"{args.clip}.mp4")):
        make_media(media, args.clip, "--size", CLIPS[args.clip], "--seconds", "10", "--rate", "30")
    server = Server([args.bin, "serve", "--media", media, "--port", "0", "--metrics", "0", "--log-level", "warning"])
    url = server.process.stdout.readline().split()[-1]
    scrapes = []

    def measure(side):
        done = threading.Event()

        def scrape():
            while not done.wait(args.interval):
                with urllib.request.urlopen(url, timeout=5) as response:
                    scrapes.append(len(response.read()))

        scraper = threading.Thread(target=scrape) if side == "scraped" else None
        if scraper:
            scraper.start()
        try:
            out = subprocess.run([args.bin, "bench", args.clip, "--server", server.target, "--json"],
                                 capture_output=True, text=True, check=True).stdout
        finally:
            done.set()
            if scraper:
                scraper.join()
        return (json.loads(out)["fps"],)

    try:
        runs = alternated(["none", "scraped"], args.reps, measure, lambda f: f"{f[0]:.1f} frames/s")
        # The server's CPU per scrape, from 1000 back to back: steadier than frames/s on a noisy machine.
        before = cpu_seconds(server.process.pid)
        for _ in range(1000):
            with urllib.request.urlopen(url, timeout=5) as response:
                response.read()
        per_scrape_ms = cpu_seconds(server.process.pid) - before  # seconds per 1000 = ms per scrape
    finally:
        server.stop()
    print(f"{args.clip}, one stream, {args.reps} alternated runs each, scraping every {args.interval} s "
          f"({len(scrapes)} scrapes of about {max(scrapes, default=0)} bytes), medians:")
    (plain,), (scraped,) = medians(runs, lambda f: f"{f[0]:.1f} frames/s").values()
    print(f"  scraped/none: {scraped / plain:.3f}")
    print(f"server CPU per scrape: {per_scrape_ms:.3f} ms (1000 scrapes); every {args.interval} s that is "
          f"{per_scrape_ms / 1000 / args.interval * 100:.2f}% of one core")


if __name__ == "__main__":
    main()
