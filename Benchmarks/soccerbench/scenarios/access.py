"""Exact access figures: frames at a position, and frames at chosen indices, against local decoders.

Uses a 5-minute and a 60-second 1280x720 H.264 clip at 25 frames/s with a keyframe every 50
frames, starts a release `soccer serve` on them, and measures over loopback with grpcio,
alternating the sides of each comparison, medians of --reps (the client is the soccerstream
package; the server has no frame cache, so every request decodes):
  1. time to the first frame of Watch with start_frame = the last keyframe + 49 against
     start_seconds at that frame's time, on a fresh server (the frame index scanned) and warm;
  2. the same at 10 %, 50 % and 99 % of the 5-minute clip, each 25 frames past a keyframe;
  3. 16 frames spread evenly over the 60-second clip: one Watch with frame_indices against
     PyAV (seek to the keyframe, decode to the frame) and cv2.VideoCapture with
     CAP_PROP_POS_FRAMES, each decoding in this process.
"""

import statistics
import time

import soccerstream
from soccertest import Server

from ..clips import clip, served

MARKDOWN = True
REPS = 5
RATE = 25
GOP = 50


def first_frame_seconds(client, id, **start):
    started = time.perf_counter()
    for _ in client.frames(id, count=1, **start):
        return time.perf_counter() - started
    raise RuntimeError("no frame")


def chosen_seconds(client, id, indices):
    started = time.perf_counter()
    frames = list(client.iter_frames_at(id, indices))
    assert [f.index for f in frames] == indices
    return time.perf_counter() - started


def pyav_seconds(path, indices):
    import av

    started = time.perf_counter()
    with av.open(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        tb = stream.time_base
        for index in indices:
            target = round(index / RATE / tb)
            container.seek(target, stream=stream, backward=True, any_frame=False)
            for frame in container.decode(stream):
                if frame.pts >= target:
                    frame.to_ndarray(format="bgr24")
                    break
    return time.perf_counter() - started


def cv2_seconds(path, indices):
    import cv2

    started = time.perf_counter()
    capture = cv2.VideoCapture(path)
    for index in indices:
        capture.set(cv2.CAP_PROP_POS_FRAMES, index)
        ok, _ = capture.read()
        assert ok
    capture.release()
    return time.perf_counter() - started


def serve(binary, media):
    # Without the frame cache: these figures are what landing and decoding cost (`cache` has the
    # same requests answered from memory).
    return Server([binary, "serve", "--media", media, "--port", "0", "--frame-cache", "0"])


def connect(server):
    return soccerstream.connect(server.target)


def add_arguments(parser):
    del parser  # the common options are all it takes


def run(args, figures):
    _, long = clip("720p", seconds=300, rate=RATE, gop=GOP, preset="veryfast")
    _, short = clip("720p", seconds=60, rate=RATE, gop=GOP, preset="veryfast")
    media = served("access", {"long": long, "clip60": short})
    total = 300 * RATE
    target = (total - 1) // GOP * GOP - GOP + 49  # the last full GOP's keyframe + 49
    seconds_of_target = target / RATE

    # 1. start_frame against start_seconds, cold (fresh server, index not scanned yet) and warm.
    cold = {"frame": [], "seconds": []}
    warm = {"frame": [], "seconds": []}
    for rep in range(args.reps):
        for side in ("frame", "seconds") if rep % 2 == 0 else ("seconds", "frame"):
            server = serve(args.bin, media)
            try:
                with connect(server) as client:
                    client.list()  # the connection, timed apart
                    start = {"start_frame": target} if side == "frame" else {"start_seconds": seconds_of_target}
                    cold[side].append(first_frame_seconds(client, "long", **start))
                    warm[side].append(first_frame_seconds(client, "long", **start))
            finally:
                server.stop()

    # 2. far positions, warm, alternating order.
    # Each the same distance (25 frames) past its keyframe, so only the position differs.
    positions = {
        name: p - p % GOP + 25 for name, p in (("10 %", total // 10), ("50 %", total // 2), ("99 %", total * 99 // 100))
    }
    far = {name: [] for name in positions}
    server = serve(args.bin, media)
    try:
        with connect(server) as client:
            first_frame_seconds(client, "long", start_frame=1)
            for rep in range(args.reps):
                names = list(positions) if rep % 2 == 0 else list(reversed(positions))
                for name in names:
                    far[name].append(first_frame_seconds(client, "long", start_frame=positions[name]))

            # 3. sixteen spread frames of the 60 s clip.
            count = 60 * RATE
            indices = [round(i * (count - 1) / 15) for i in range(16)]
            spread = {"ours": [], "pyav": [], "cv2": []}
            path = short
            chosen_seconds(client, "clip60", indices[:1])  # the index scanned, as every later request finds it
            for rep in range(args.reps):
                order = ["ours", "pyav", "cv2"]
                order = order[rep % 3 :] + order[: rep % 3]
                for side in order:
                    if side == "ours":
                        spread[side].append(chosen_seconds(client, "clip60", indices))
                    elif side == "pyav":
                        spread[side].append(pyav_seconds(path, indices))
                    else:
                        spread[side].append(cv2_seconds(path, indices))
            # 4. 2,000 positions of the 5-minute clip walking each keyframe interval backwards,
            # against the same positions ascending (frames 320 wide: the decoding is measured).
            walk = [p for start in range(0, 2000, GOP) for p in reversed(range(start, start + GOP))]
            order_sides = {"ascending": sorted(walk), "backwards": walk}
            order = {side: [] for side in order_sides}
            for rep in range(args.reps):
                for side in order_sides if rep % 2 == 0 else reversed(order_sides):
                    started = time.perf_counter()
                    got = sum(1 for _ in client.iter_frames_at("long", order_sides[side], width=320))
                    assert got == len(walk)
                    order[side].append(time.perf_counter() - started)
    finally:
        server.stop()

    med = statistics.median
    ms = lambda values: f"{med(values) * 1000:.1f}"  # noqa: E731
    print(f"{args.reps} runs, release server, soccerstream client over loopback, medians, sides alternated.\n")
    print(f"### First frame at frame {target} of a 5-minute clip (the last keyframe + 49)\n")
    print("| request | fresh server (index scanned) ms | warm ms |")
    print("| --- | ---: | ---: |")
    print(f"| start_frame {target} | {ms(cold['frame'])} | {ms(warm['frame'])} |")
    print(f"| start_seconds {seconds_of_target:.2f} | {ms(cold['seconds'])} | {ms(warm['seconds'])} |")
    print(
        f"| ratio | {med(cold['frame']) / med(cold['seconds']):.2f} "
        f"| {med(warm['frame']) / med(warm['seconds']):.2f} |\n"
    )
    print("### First frame by position in the 5-minute clip (warm)\n")
    print("| position | frame | ms |")
    print("| --- | ---: | ---: |")
    for name, position in positions.items():
        print(f"| {name} | {position} | {ms(far[name])} |")
    values = [med(v) for v in far.values()]
    print(f"\nSlowest over fastest: {max(values) / min(values):.2f}.\n")
    print("### 16 frames spread evenly over a 60-second clip\n")
    print("| how | ms | frames/s |")
    print("| --- | ---: | ---: |")
    for side, label in (
        ("ours", "our server, one Watch with frame_indices (soccerstream)"),
        ("pyav", "PyAV in-process: seek + decode to each frame"),
        ("cv2", "cv2.VideoCapture in-process: CAP_PROP_POS_FRAMES"),
    ):
        print(f"| {label} | {ms(spread[side])} | {16 / med(spread[side]):.1f} |")
    figures["spread_over_pyav"] = med(spread["pyav"]) / med(spread["ours"])
    figures["spread_over_cv2"] = med(spread["cv2"]) / med(spread["ours"])
    figures["start_frame_over_start_seconds_warm"] = med(warm["frame"]) / med(warm["seconds"])
    figures["far_slowest_over_fastest"] = max(values) / min(values)
    print(
        f"\nOurs over PyAV: {med(spread['pyav']) / med(spread['ours']):.2f}x as fast; "
        f"over cv2: {med(spread['cv2']) / med(spread['ours']):.2f}x."
    )
    print("\n### 2,000 positions of the 5-minute clip, each keyframe interval walked backwards\n")
    print("| order | s | frames/s |")
    print("| --- | ---: | ---: |")
    for side in order:
        print(f"| {side} | {med(order[side]):.2f} | {len(walk) / med(order[side]):.0f} |")
    figures["backwards_over_ascending"] = med(order["backwards"]) / med(order["ascending"])
    print(f"\nBackwards over ascending: {figures['backwards_over_ascending']:.2f}.")
