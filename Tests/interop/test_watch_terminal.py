"""`soccer watch` in a real terminal: a tmux pane against a real server, read back with capture-pane."""

import os
import re
import subprocess
import sys
import time

import numpy as np
import pytest

from soccertest import FakeTerminal, Pane, Server, counter, make_media, serve

BLOCKS = re.compile("[\u2580-\u259f\U0001fb00-\U0001fb3b]")
STATUS = re.compile(r"sample  frame (\d+)/100  \S+  \S+ fps  skipped (\d+)  \d+ kB/s")


@pytest.fixture
def pane(request):
    pane = Pane(request.node.name[:20].replace("[", "-").replace("]", ""))
    yield pane
    pane.close()


def status_of(lines):
    for line in lines:
        match = STATUS.search(line)
        if match:
            return int(match.group(1)), int(match.group(2))
    return None


def exit_status(lines):
    for line in lines:
        match = re.search(r"exit=(\d+)", line)
        if match:
            return int(match.group(1))
    return None


def assert_terminal_restored(pane):
    flags = pane.flags()
    assert flags["cursor"], "cursor still hidden"
    assert not flags["alternate"], "still on the alternate screen"
    assert flags["wrap"], "autowrap still off"
    pane.type("stty -a | grep -o -w -E -e '-?(echo|icanon|isig)' | sed 's/^/mode:/'")

    def modes_after_the_last_stty(lines):
        asked = max((i for i, line in enumerate(lines) if "stty -a" in line), default=None)
        if asked is None:
            return None
        found = [m.group(1) for m in (re.match(r"^mode:(-?\w+)$", line) for line in lines[asked:]) if m]
        return found if len(found) == 3 else None

    modes = pane.wait_for(modes_after_the_last_stty, what="stty's modes")
    assert sorted(modes) == ["echo", "icanon", "isig"], modes


def test_blocks_fill_the_pane_and_the_status_advances_then_q_restores(soccer, our_server, pane):
    pane.type(f"{soccer} watch sample --mode blocks --loop --server {our_server.target}; echo exit=$?")
    first = pane.wait_for(status_of, what="the status line")
    time.sleep(1.0)
    lines = pane.screen()
    second = status_of(lines)
    assert second is not None, "\n".join(lines)
    assert second[0] != first[0], f"the status line did not advance: {first} then {second}"

    # The picture: 16:9 in a 100x29 area of 1:2 cells is 100 columns by 28 rows, centred.
    assert pane.flags()["alternate"] and not pane.flags()["cursor"]
    picture = [line for line in lines[:29] if BLOCKS.search(line)]
    assert len(picture) >= 26, f"{len(picture)} rows of blocks:\n" + "\n".join(lines)
    assert max(len(line.rstrip()) for line in picture) >= 98, "the picture does not fill the width"
    assert STATUS.search(lines[29]), f"the status line is not the last row: {lines[29]!r}"

    pane.key("q")
    assert pane.wait_for(exit_status, what="the exit status") == 0
    assert any(re.search(r"sample: showed \d+ of \d+ frames", line) for line in pane.screen())
    assert_terminal_restored(pane)


def test_sigterm_while_playing_restores_the_terminal(soccer, our_server, pane):
    pane.type(f"{soccer} watch sample --mode blocks --loop --server {our_server.target}; echo exit=$?")
    pane.wait_for(status_of, what="the status line")
    pids = subprocess.run(
        ["pgrep", "-f", f"watch sample --mode blocks --loop --server {our_server.target}"],
        capture_output=True,
        text=True,
    ).stdout.split()
    assert pids, "the player's process was not found"
    for pid in pids:
        os.kill(int(pid), 15)
    assert pane.wait_for(exit_status, what="the exit status") == 143
    assert_terminal_restored(pane)


@pytest.mark.parametrize("key", ["Escape", "C-c"])
def test_escape_and_ctrl_c_quit(soccer, our_server, pane, key):
    pane.type(f"{soccer} watch sample --loop --server {our_server.target}; echo exit=$?")
    pane.wait_for(status_of, what="the status line")
    pane.key(key)
    assert pane.wait_for(exit_status, what="the exit status") == 0
    assert_terminal_restored(pane)


def test_ctrl_z_gives_the_terminal_back_and_fg_resumes(soccer, our_server, pane):
    pane.type(f"{soccer} watch sample --mode blocks --loop --server {our_server.target}")
    pane.wait_for(status_of, what="the status line")
    pane.key("C-z")
    pane.wait_for(lambda lines: any("Stopped" in line for line in lines) or None, what="the shell's Stopped")
    assert_terminal_restored(pane)
    pane.type("fg")
    first = pane.wait_for(status_of, what="the status line after fg")
    assert pane.flags()["alternate"] and not pane.flags()["cursor"]
    pane.wait_for(lambda lines: (status_of(lines) or first)[0] != first[0] or None, what="playback to go on")
    pane.key("q")
    pane.wait_for(lambda lines: any("showed" in line for line in lines) or None, what="the summary")
    pane.type("echo exit=$?")
    assert pane.wait_for(exit_status, what="the exit status") == 0
    assert_terminal_restored(pane)


def test_a_server_error_is_one_line_after_the_terminal_is_restored(soccer, our_server, pane):
    pane.type(f"{soccer} watch nosuch --server {our_server.target}; echo exit=$?")
    assert pane.wait_for(exit_status, what="the exit status") == 4
    assert any('soccer watch: no match with id "nosuch"' in line for line in pane.screen())
    assert_terminal_restored(pane)


def test_an_unreachable_server_fails_fast_with_one_line(soccer, pane):
    pane.type(f"{soccer} watch sample --server 127.0.0.1:1; echo exit=$?")
    assert pane.wait_for(exit_status, what="the exit status") == 2
    assert any("cannot reach 127.0.0.1:1" in line for line in pane.screen())
    assert_terminal_restored(pane)


def test_once_to_a_pipe_draws_one_frame_as_text(soccer, our_server):
    result = subprocess.run(
        [
            soccer,
            "watch",
            "sample",
            "--once",
            "--mode",
            "ascii",
            "--colors",
            "none",
            "--size",
            "64x20",
            "--server",
            our_server.target,
        ],
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode()
    rows = text.rstrip("\n").split("\n")
    # 640x360 at 1:2 cells in 64 columns: 18 rows.
    assert len(rows) == 18 and all(len(row) == 64 for row in rows), text
    assert all(32 <= ord(c) <= 126 for row in rows for c in row), "not plain ASCII"
    assert len(set(text) - {" ", "\n"}) > 5, "the picture is blank"


def test_once_at_a_start_time_shows_that_frame(soccer, our_server):
    def once(start):
        return subprocess.run(
            [
                soccer,
                "watch",
                "sample",
                "--once",
                "--mode",
                "ascii",
                "--colors",
                "none",
                "--size",
                "64x20",
                "--start",
                start,
                "--server",
                our_server.target,
            ],
            capture_output=True,
            timeout=60,
        ).stdout

    # The frame counter changes the picture: frame 0 and the frame at 2 s differ.
    assert once("0") != once("2")


def test_once_in_blocks_and_sixel_to_a_file(soccer, our_server, tmp_path):
    for mode, _marker in [("blocks", "\u2580"), ("sixel", "\x1bP")]:
        path = tmp_path / f"frame.{mode}"
        with open(path, "wb") as out:
            result = subprocess.run(
                [soccer, "watch", "sample", "--once", "--mode", mode, "--size", "40x12", "--server", our_server.target],
                stdout=out,
                stderr=subprocess.PIPE,
                timeout=60,
            )
        assert result.returncode == 0, result.stderr
        assert path.stat().st_size > 100
        if mode == "sixel":
            decoded = subprocess.run(
                ["sixel2png", "-i", str(path), "-o", str(tmp_path / "frame.png")], capture_output=True, timeout=30
            )
            assert decoded.returncode == 0, decoded.stderr


def test_server_dying_mid_play_is_told_after_the_terminal_is_restored(soccer, pane):
    server = serve()
    try:
        pane.type(f"{soccer} watch sample --mode ascii --loop --server {server.target}; echo exit=$?")
        pane.wait_for(status_of, what="the status line")
        server.process.kill()
        server.process.wait(timeout=10)
        status = pane.wait_for(exit_status, what="the exit status")
    finally:
        if server.process.poll() is None:
            server.process.kill()
    assert status == 7, status
    # Where it broke (the resumptions found no server), then why it ended: two lines, no more.
    lines = [line for line in pane.screen(joined=True) if line.startswith("soccer watch: ")]
    assert len(lines) == 2, pane.screen(joined=True)
    assert "broke after frame" in lines[0] and "resuming at frame" in lines[0], lines
    assert "broke off after frame" in lines[1], lines
    assert_terminal_restored(pane)


def test_playing_with_standard_input_redirected_reads_keys_from_the_terminal(soccer, our_server, pane):
    pane.type(f"{soccer} watch sample --mode blocks --loop --server {our_server.target} < /dev/null; echo exit=$?")
    pane.wait_for(status_of, what="the status line")
    pane.key("q")
    assert pane.wait_for(exit_status, what="the exit status") == 0
    assert_terminal_restored(pane)


def test_live_mode_without_a_terminal_refuses(soccer, our_server):
    result = subprocess.run(
        [soccer, "watch", "sample", "--server", our_server.target],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == b""
    lines = result.stderr.decode().strip().split("\n")
    assert len(lines) == 1 and "not a terminal" in lines[0] and "--once" in lines[0], lines


@pytest.mark.parametrize(
    "args, message",
    [
        (["--size", "80"], "invalid for '--size <COLSxROWS>'"),
        (["--speed", "0"], "--speed must be over 0"),
        (["--mode", "vt52"], "--mode"),
        (["--once", "--loop"], "do not go together"),
    ],
)
def test_bad_options_are_usage_errors(soccer, args, message):
    result = subprocess.run([soccer, "watch", "sample", *args], capture_output=True, text=True, timeout=30)
    assert result.returncode == 64, result.stderr
    assert message in result.stderr


def test_following_a_resize(soccer, our_server, pane):
    pane.type(f"{soccer} watch sample --mode blocks --loop --server {our_server.target}; echo exit=$?")
    pane.wait_for(status_of, what="the status line")
    pane.tmux("resize-window", "-t", "t", "-x", "60", "-y", "20")

    def relaid(lines):
        # The status line moved to the new last row and the picture is no wider than the pane.
        # At 60 columns the status line is cut short: match its start.
        if len(lines) < 20 or not re.match(r"sample  frame \d+/100  ", lines[19]):
            return None
        picture = [line for line in lines[:19] if BLOCKS.search(line)]
        return picture if len(picture) >= 15 and max(len(line.rstrip()) for line in picture) <= 60 else None

    pane.wait_for(relaid, what="the picture to follow the resize")
    pane.key("q")
    assert pane.wait_for(exit_status, what="the exit status") == 0


@pytest.mark.parametrize(
    "reply, drawn",
    [
        (b"\x1b[6;20;10t\x1b[?2026;2$y\x1b[?62;4;22c", b"\x1bP0;1;0q"),  # sixel terminal
        (b"\x1b_Gi=31;OK\x1b\\\x1b[?62;22c", b"\x1b_Ga=T"),  # kitty graphics
        (b"\x1b[?62;22c", "\u2580".encode()),  # neither: blocks
        (None, "\u2580".encode()),  # no answer at all: blocks after the time budget
    ],
)
def test_auto_mode_follows_the_terminal_replies(soccer, our_server, reply, drawn):
    terminal = FakeTerminal([soccer, "watch", "sample", "--loop", "--server", our_server.target], reply)
    try:
        assert terminal.read_until(drawn), terminal.output[-2000:]
        assert terminal.read_until(b"frame "), "no status line"
        synchronized = b"\x1b[?2026h" in terminal.output
        assert synchronized == (reply is not None and b"2026;2$y" in reply)
    finally:
        status = terminal.quit()
    assert status == 0
    if drawn.startswith(b"\x1b_G"):
        # Every kitty frame is preceded by freeing the images before it.
        frames = terminal.output.count(b"\x1b_Ga=T")
        assert frames >= 1 and terminal.output.count(b"\x1b_Ga=d,d=A\x1b\\") >= frames
    tail = terminal.output[terminal.output.rindex(drawn) :]
    for restore in [b"\x1b[?25h", b"\x1b[?1049l", b"\x1b[?7h", b"\x1b[0m"]:
        assert restore in tail, f"{restore!r} missing after the last frame"


def test_sigterm_ends_playback_even_when_the_terminal_stopped_reading(soccer, our_server):
    # kitty frames are about 1.5 MB of text each: the pty's buffer fills and the player's write blocks.
    terminal = FakeTerminal(
        [soccer, "watch", "sample", "--loop", "--server", our_server.target], b"\x1b_Gi=31;OK\x1b\\\x1b[?62;22c"
    )
    try:
        assert terminal.read_until(b"\x1b_Ga=T")
        time.sleep(1.0)
        terminal.process.send_signal(15)
        assert terminal.process.wait(timeout=10) == 143
    finally:
        if terminal.process.poll() is None:
            terminal.process.kill()
        os.close(terminal.master)


def summary_of(lines):
    for line in lines:
        match = re.search(r"showed (\d+) of (\d+) frames \((\d+) skipped\) in ([\d.]+) s", line)
        if match:
            return int(match.group(1)), int(match.group(2)), int(match.group(3)), float(match.group(4))
    return None


def test_frames_are_paced_by_their_time_and_speed(soccer, our_server, pane):
    # The sample is 4 s long: played in about 4 s, and at --speed 4 in about 1 s.
    pane.type(f"{soccer} watch sample --mode ascii --server {our_server.target}; echo exit=$?")
    shown, received, skipped, seconds = pane.wait_for(summary_of, what="the summary")
    assert received == 100 and shown + skipped == received
    assert 3.8 <= seconds <= 6.0, seconds
    pane.type("clear")
    pane.wait_for(lambda lines: summary_of(lines) is None or None, what="a clear screen")
    pane.type(f"{soccer} watch sample --mode ascii --speed 4 --server {our_server.target}; echo exit=$?")
    shown, received, skipped, seconds = pane.wait_for(summary_of, what="the summary")
    assert received == 100
    assert 0.9 <= seconds <= 2.5, seconds


def test_no_status_hides_the_status_line(soccer, our_server, pane):
    pane.type(f"{soccer} watch sample --mode blocks --loop --no-status --server {our_server.target}; echo exit=$?")
    pane.wait_for(lambda lines: sum(1 for line in lines if BLOCKS.search(line)) >= 20 or None, what="the picture")
    time.sleep(0.5)
    assert status_of(pane.screen()) is None
    assert not any("frame " in line for line in pane.screen())
    pane.key("q")
    assert pane.wait_for(exit_status, what="the exit status") == 0


def test_sighup_restores_the_terminal(soccer, our_server, pane):
    pane.type(f"{soccer} watch sample --mode ascii --loop --server {our_server.target}; echo exit=$?")
    pane.wait_for(status_of, what="the status line")
    pids = subprocess.run(
        ["pgrep", "-f", f"watch sample --mode ascii --loop --server {our_server.target}"],
        capture_output=True,
        text=True,
    ).stdout.split()
    assert pids
    for pid in pids:
        os.kill(int(pid), 1)
    assert pane.wait_for(exit_status, what="the exit status") == 129
    assert_terminal_restored(pane)


def test_playing_from_the_python_demo_server(soccer, python_server, pane):
    # The demo sends no presentation times and has no Describe: frames are paced at 25 a
    # second by their number, so its 12 frames take about half a second, not no time at all.
    pane.type(f"{soccer} watch any --mode blocks --server {python_server.target}; echo exit=$?")
    _shown, received, _skipped, seconds = pane.wait_for(summary_of, what="the summary")
    assert received == 12
    assert 0.4 <= seconds <= 3.0, seconds
    assert pane.wait_for(exit_status, what="the exit status") == 0


def test_a_grown_terminal_gets_bigger_frames(soccer, our_server, pane):
    # 80x19 cells for the picture ask for at most 160x76 pixels (135x76 at 16:9, 31 kB a frame);
    # grown to 160x49 they ask for 320x196 (320x180, 173 kB): the stream starts again bigger,
    # from where it was, so playback goes on and the rate of bytes grows about fivefold.
    pane.tmux("resize-window", "-t", "t", "-x", "80", "-y", "20")
    pane.type(f"{soccer} watch sample --mode blocks --loop --server {our_server.target}; echo exit=$?")
    rate = re.compile(r"(\d+) kB/s")

    def kilobytes(lines):
        for line in lines:
            if re.match(r"sample  frame \d+/100  ", line):
                found = rate.search(line)
                return int(found.group(1)) if found else None
        return None

    pane.wait_for(lambda lines: (kilobytes(lines) or 0) > 0 or None, what="a status line with kB/s")
    time.sleep(1.5)
    small = kilobytes(pane.screen())
    pane.tmux("resize-window", "-t", "t", "-x", "160", "-y", "50")
    pane.wait_for(
        lambda lines: (kilobytes(lines) or 0) > 4 * small or None,
        timeout=10,
        what=f"more than {4 * small} kB/s after growing (had {small})",
    )
    pane.key("q")
    assert pane.wait_for(exit_status, what="the exit status") == 0


# --- Playback keys (Play) -----------------------------------------------------------------

PLAY_STATUS = re.compile(r"long  (paused  |×[\d.]+  |paused ×[\d.]+  )?frame (\d+)/\d+  (\d+):(\d+\.\d+)/")


def play_status(lines):
    """(state or "", frame number, seconds) from the status line of the match "long"."""
    for line in lines:
        match = PLAY_STATUS.search(line)
        if match:
            return (match.group(1) or "").strip(), int(match.group(2)), int(match.group(3)) * 60 + float(match.group(4))
    return None


@pytest.fixture(scope="module")
def long_server(soccer, tmp_path_factory):
    media = tmp_path_factory.mktemp("long-media")
    make_media(str(media), "long", "--size", "320x180", "--seconds", "60")
    socket = media / "soccer.sock"
    # Over TCP, and on a Unix socket whose clients take their frames through shared memory.
    server = Server(
        [soccer, "serve", "--media", str(media), "--port", "0", "--unix", str(socket), "--allow-shared-memory"]
    )
    server.unix = f"unix:{socket}"
    yield server
    server.stop()


@pytest.mark.parametrize("path", ["tcp", "shared-memory"])
def test_arrow_keys_seek_and_space_pauses(soccer, long_server, pane, path):
    target = long_server.target if path == "tcp" else long_server.unix
    pane.type(f"{soccer} watch long --mode blocks --server {target}; echo exit=$?")
    pane.wait_for(lambda lines: (play_status(lines) or ("", 0, 0))[1] > 10 or None, what="playback")
    before = play_status(pane.screen())
    for _ in range(3):
        pane.key("Right")
    after = pane.wait_for(
        lambda lines: (s := play_status(lines)) and s[2] >= before[2] + 12 and s, what="the time 15 s later"
    )
    assert after[2] <= before[2] + 19, f"→ ×3 moved from {before} to {after}"

    pane.key("Space")
    paused = pane.wait_for(lambda lines: (s := play_status(lines)) and s[0] == "paused" and s, what="paused")
    time.sleep(2)
    still = play_status(pane.screen())
    assert still[0] == "paused" and still[1] == paused[1], f"moved while paused: {paused} then {still}"
    pane.key("Space")
    pane.wait_for(
        lambda lines: ((s := play_status(lines)) and s[0] == "" and s[1] > still[1] + 5) or None, what="playing again"
    )
    pane.key("q")
    assert pane.wait_for(exit_status, what="the exit status") == 0
    summary = next(line for line in pane.screen(joined=True) if "long: showed" in line)
    assert ("through shared memory" in summary) == (path == "shared-memory"), summary


@pytest.mark.parametrize("path", ["tcp", "shared-memory"])
def test_keys_step_change_speed_and_save_the_frame_on_screen(soccer, long_server, pane, tmp_path, path):
    target = long_server.target if path == "tcp" else long_server.unix
    pane.type(f"cd {tmp_path} && {soccer} watch long --mode blocks --server {target}; echo exit=$?")
    pane.wait_for(lambda lines: (play_status(lines) or ("", 0, 0))[1] > 5 or None, what="playback")
    pane.key("}")
    pane.wait_for(lambda lines: ((s := play_status(lines)) and s[0] == "×2") or None, what="speed ×2")
    pane.key("BSpace")
    pane.wait_for(lambda lines: ((s := play_status(lines)) and s[0] == "") or None, what="speed 1")
    pane.key(".")
    stepped = pane.wait_for(lambda lines: (s := play_status(lines)) and s[0] == "paused" and s, what="a step")
    time.sleep(0.5)
    stepped = play_status(pane.screen())
    pane.key(",")
    back = pane.wait_for(
        lambda lines: (s := play_status(lines)) and s[1] == stepped[1] - 1 and s, what="one frame back"
    )
    pane.key("s")
    name = f"long_{back[1]:06d}.ppm"
    pane.wait_for(lambda lines: any(f"saved {name}" in line for line in lines) or None, what="the saved file's name")
    with open(tmp_path / name, "rb") as f:
        header = f.readline(), f.readline(), f.readline()
        pixels = np.frombuffer(f.read(), dtype=np.uint8)
    assert header[0] == b"P6\n" and header[1] == b"320 180\n", header
    # Frame numbers on the status line count from 1; the counter patch from 0, modulo 256.
    assert counter(pixels.reshape(180, 320, 3)[:, :, ::-1]) == (back[1] - 1) % 256
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".part")]
    pane.key("q")
    assert pane.wait_for(exit_status, what="the exit status") == 0


def test_keys_against_the_python_demo_reopen_watch_at_the_frame(soccer, pane, tmp_path):
    # The demo has no Play and ignores every Match field but the id: a seek opens a new Watch
    # and drops the frames before the target, a pause closes the stream and resuming reopens it.
    demo = Server([sys.executable, "-m", "soccertest.reference_server", "--frames", "600", "--size", "320x180"])
    status = re.compile(r"any  (paused  )?frame (\d+)  ")

    def shown(lines):
        for line in lines:
            match = status.search(line)
            if match:
                return (match.group(1) or "").strip(), int(match.group(2))
        return None

    try:
        folder = str(tmp_path)
        pane.type(f"cd {folder} && {soccer} watch any --mode blocks --server {demo.target}; echo exit=$?")
        pane.wait_for(
            lambda lines: any("seeking reopens the stream" in line for line in lines) or None,
            what="the note that seeking is slower",
        )
        before = pane.wait_for(lambda lines: (s := shown(lines)) and s[1] > 10 and s, what="playback")
        pane.key("Right")
        after = pane.wait_for(
            lambda lines: (s := shown(lines)) and s[1] >= before[1] + 110 and s, what="frame numbers 5 s later"
        )
        assert after[1] <= before[1] + 160, f"→ went from {before} to {after}"
        pane.key("Space")
        paused = pane.wait_for(lambda lines: (s := shown(lines)) and s[0] == "paused" and s, what="paused")
        time.sleep(1.5)
        assert shown(pane.screen()) == paused
        pane.key("s")
        name = f"any_{paused[1]:06d}.ppm"
        pane.wait_for(lambda lines: any(f"saved {name}" in line for line in lines) or None, what="the saved file")
        pane.key("Space")
        pane.wait_for(
            lambda lines: ((s := shown(lines)) and s[0] == "" and s[1] > paused[1] + 5) or None, what="playing again"
        )
        pane.key("q")
        assert pane.wait_for(exit_status, what="the exit status") == 0
        with open(os.path.join(folder, name), "rb") as f:
            assert f.readline() == b"P6\n" and f.readline() == b"320 180\n"
            f.readline()
            pixels = np.frombuffer(f.read(), dtype=np.uint8).reshape(180, 320, 3)
        # The demo numbers frames by their place; its counter patch shows the same number.
        assert counter(pixels[:, :, ::-1]) == (paused[1] - 1) % 256
    finally:
        demo.stop()
