"""Fixtures that start real servers on loopback for the interoperability tests."""

import os
import sys

import pytest

from soccertest import ROOT, Server, soccer_binary


@pytest.fixture(scope="module")
def soccer():
    return soccer_binary()


@pytest.fixture(scope="module")
def our_server(soccer):
    server = Server([soccer, "serve", "--media", os.path.join(ROOT, "media"), "--port", "0"])
    yield server
    assert server.stop() == 0, "soccer serve did not exit cleanly on SIGTERM"


@pytest.fixture(scope="module")
def python_server():
    server = Server([sys.executable, "-m", "soccertest.reference_server", "--frames", "12", "--size", "320x180"])
    yield server
    server.stop()


@pytest.fixture(scope="module")
def python_gray_server():
    server = Server([sys.executable, "-m", "soccertest.reference_server", "--frames", "3", "--size", "64x36", "--gray"])
    yield server
    server.stop()
