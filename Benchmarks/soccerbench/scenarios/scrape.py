"""What scraping /metrics costs a stream: frames/s of one `soccer bench` stream with a scraper
fetching /metrics every --interval seconds, against none, alternated on one server.
"""

import threading
import urllib.request

from soccertest import cpu_seconds

from ..clips import SIZES, clip
from ..servers import json_of, serve
from ..stats import alternated, medians

REPS = 5


def add_arguments(parser):
    parser.add_argument("--clip", choices=SIZES, default="720p")
    parser.add_argument("--interval", type=float, default=0.1)


def run(args, figures):
    media, _ = clip(args.clip)
    server = serve(args.bin, media, "--metrics", "0")
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
            report = json_of([args.bin, "bench", args.clip, "--server", server.target, "--json"])
        finally:
            done.set()
            if scraper:
                scraper.join()
        return (report["fps"],)

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
    print(
        f"{args.clip}, one stream, {args.reps} alternated runs each, scraping every {args.interval} s "
        f"({len(scrapes)} scrapes of about {max(scrapes, default=0)} bytes), medians:"
    )
    (plain,), (scraped,) = medians(runs, lambda f: f"{f[0]:.1f} frames/s").values()
    figures["scraped_over_none"] = scraped / plain
    print(f"  scraped/none: {scraped / plain:.3f}")
    print(
        f"server CPU per scrape: {per_scrape_ms:.3f} ms (1000 scrapes); every {args.interval} s that is "
        f"{per_scrape_ms / 1000 / args.interval * 100:.2f}% of one core"
    )
