"""A one-minute soak: mixed misbehaving clients leave no upward trend in the server's RSS, threads or files."""

import subprocess
import sys

from soccertest import soccer_binary


def test_one_minute_of_mixed_clients_leaves_no_upward_trend():
    result = subprocess.run(
        [sys.executable, "-m", "soccerbench", "soak", "--minutes", "1", "--bin", soccer_binary(), "--no-save"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    print(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "TRENDS UPWARD" not in result.stdout
    for kind in ["normal ok", "slow ok", "cancelling ok", "stalling ok", "resetting"]:
        assert kind in result.stdout, result.stdout
