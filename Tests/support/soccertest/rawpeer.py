"""A raw HTTP/2 gRPC client written with `h2`, able to misbehave as grpcio never does."""

import socket
import time


def grpc_message(payload):
    """A length-prefixed gRPC message."""
    return b"\0" + len(payload).to_bytes(4, "big") + payload


def match_message(match_id):
    """A `stream.Match` with only its id set, encoded by hand (field 1, length-delimited)."""
    data = match_id.encode()
    return b"\x0a" + bytes([len(data)]) + data


class RawPeer:
    """An HTTP/2 client written with `h2` that can misbehave as grpcio never does."""

    def __init__(self, target, window=None, handshake=True):
        import h2.config
        import h2.connection
        import h2.settings

        host, port = target.rsplit(":", 1)
        self.authority = target
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        config = h2.config.H2Configuration(
            client_side=True, validate_outbound_headers=False, normalize_outbound_headers=False, header_encoding=None
        )
        self.conn = h2.connection.H2Connection(config=config)
        self.events = []
        if handshake:
            self.conn.initiate_connection()
            if window is not None:
                self.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: window})
            self.flush()

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def call(self, path, body, headers=(), end=True):
        """Opens a stream: POST `path` with gRPC headers, `headers` added, and `body`; returns its id."""
        stream = self.conn.get_next_available_stream_id()
        request = [
            (b":method", b"POST"),
            (b":scheme", b"http"),
            (b":path", path.encode()),
            (b":authority", self.authority.encode()),
            (b"content-type", b"application/grpc"),
            (b"te", b"trailers"),
        ]
        request += [
            (k if isinstance(k, bytes) else k.encode(), v if isinstance(v, bytes) else v.encode()) for k, v in headers
        ]
        self.conn.send_headers(stream, request)
        self.conn.send_data(stream, body, end_stream=end)
        self.flush()
        return stream

    def read(self, timeout):
        """Reads and handles what arrives for up to `timeout` seconds; False once the server closed."""
        import h2.events
        import h2.exceptions

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = self.sock.recv(1 << 20)
            except TimeoutError:
                return True
            except (ConnectionResetError, BrokenPipeError):
                return False
            if not data:
                return False
            try:
                for event in self.conn.receive_data(data):
                    self.events.append(event)
                    if isinstance(event, h2.events.DataReceived):
                        self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                self.flush()
            except (OSError, h2.exceptions.ProtocolError):
                return False
        return True

    def ending(self, stream, timeout=10):
        """The headers that ended `stream` (trailers, or a trailers-only response, as a dict of
        bytes), {b"reset": code} for an RST_STREAM before them, or None."""
        import h2.events

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events:
                if getattr(event, "stream_id", None) != stream:
                    continue
                if isinstance(event, (h2.events.TrailersReceived, h2.events.ResponseReceived)):
                    values = dict(event.headers)
                    if b"grpc-status" in values:
                        return values
                if isinstance(event, h2.events.StreamReset):
                    return {b"reset": int(event.error_code)}
            if not self.read(0.2):
                break
        return None

    def status(self, stream, timeout=10):
        """The grpc-status the server ended `stream` with (int), or the RST_STREAM code as "reset N"."""
        ending = self.ending(stream, timeout)
        if ending is None:
            return None
        if b"reset" in ending:
            return f"reset {ending[b'reset']}"
        return int(ending[b"grpc-status"])

    def closed_by_server(self, timeout):
        """True when the server closes the TCP connection within `timeout` seconds (reading, never answering)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                if not self.sock.recv(1 << 20):
                    return True
            except TimeoutError:
                return False
            except (ConnectionResetError, BrokenPipeError):
                return True
        return False

    def close(self):
        self.sock.close()
