from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PixelFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PIXEL_FORMAT_BGR24: _ClassVar[PixelFormat]
    PIXEL_FORMAT_RGB24: _ClassVar[PixelFormat]
    PIXEL_FORMAT_GRAY8: _ClassVar[PixelFormat]

class FrameEncoding(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FRAME_ENCODING_RAW: _ClassVar[FrameEncoding]
    FRAME_ENCODING_JPEG: _ClassVar[FrameEncoding]
    FRAME_ENCODING_PNG: _ClassVar[FrameEncoding]
PIXEL_FORMAT_BGR24: PixelFormat
PIXEL_FORMAT_RGB24: PixelFormat
PIXEL_FORMAT_GRAY8: PixelFormat
FRAME_ENCODING_RAW: FrameEncoding
FRAME_ENCODING_JPEG: FrameEncoding
FRAME_ENCODING_PNG: FrameEncoding

class Match(_message.Message):
    __slots__ = ("id", "pixel_format", "max_width", "max_height", "start_seconds", "max_frames", "stride", "real_time", "start_frame", "frame_indices", "shared_memory", "encoding", "jpeg_quality")
    ID_FIELD_NUMBER: _ClassVar[int]
    PIXEL_FORMAT_FIELD_NUMBER: _ClassVar[int]
    MAX_WIDTH_FIELD_NUMBER: _ClassVar[int]
    MAX_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    START_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MAX_FRAMES_FIELD_NUMBER: _ClassVar[int]
    STRIDE_FIELD_NUMBER: _ClassVar[int]
    REAL_TIME_FIELD_NUMBER: _ClassVar[int]
    START_FRAME_FIELD_NUMBER: _ClassVar[int]
    FRAME_INDICES_FIELD_NUMBER: _ClassVar[int]
    SHARED_MEMORY_FIELD_NUMBER: _ClassVar[int]
    ENCODING_FIELD_NUMBER: _ClassVar[int]
    JPEG_QUALITY_FIELD_NUMBER: _ClassVar[int]
    id: str
    pixel_format: PixelFormat
    max_width: int
    max_height: int
    start_seconds: float
    max_frames: int
    stride: int
    real_time: bool
    start_frame: int
    frame_indices: _containers.RepeatedScalarFieldContainer[int]
    shared_memory: SharedMemoryRing
    encoding: FrameEncoding
    jpeg_quality: int
    def __init__(self, id: _Optional[str] = ..., pixel_format: _Optional[_Union[PixelFormat, str]] = ..., max_width: _Optional[int] = ..., max_height: _Optional[int] = ..., start_seconds: _Optional[float] = ..., max_frames: _Optional[int] = ..., stride: _Optional[int] = ..., real_time: bool = ..., start_frame: _Optional[int] = ..., frame_indices: _Optional[_Iterable[int]] = ..., shared_memory: _Optional[_Union[SharedMemoryRing, _Mapping]] = ..., encoding: _Optional[_Union[FrameEncoding, str]] = ..., jpeg_quality: _Optional[int] = ...) -> None: ...

class SharedMemoryRing(_message.Message):
    __slots__ = ("name", "size", "slots", "slot_bytes")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    SLOTS_FIELD_NUMBER: _ClassVar[int]
    SLOT_BYTES_FIELD_NUMBER: _ClassVar[int]
    name: str
    size: int
    slots: int
    slot_bytes: int
    def __init__(self, name: _Optional[str] = ..., size: _Optional[int] = ..., slots: _Optional[int] = ..., slot_bytes: _Optional[int] = ...) -> None: ...

class SharedMemorySlot(_message.Message):
    __slots__ = ("index", "offset", "length")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    LENGTH_FIELD_NUMBER: _ClassVar[int]
    index: int
    offset: int
    length: int
    def __init__(self, index: _Optional[int] = ..., offset: _Optional[int] = ..., length: _Optional[int] = ...) -> None: ...

class Video(_message.Message):
    __slots__ = ("data", "data_type", "data_shape", "frame_index", "pts_seconds", "pixel_format", "command", "refusal", "slot", "encoding")
    DATA_FIELD_NUMBER: _ClassVar[int]
    DATA_TYPE_FIELD_NUMBER: _ClassVar[int]
    DATA_SHAPE_FIELD_NUMBER: _ClassVar[int]
    FRAME_INDEX_FIELD_NUMBER: _ClassVar[int]
    PTS_SECONDS_FIELD_NUMBER: _ClassVar[int]
    PIXEL_FORMAT_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    REFUSAL_FIELD_NUMBER: _ClassVar[int]
    SLOT_FIELD_NUMBER: _ClassVar[int]
    ENCODING_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    data_type: str
    data_shape: str
    frame_index: int
    pts_seconds: float
    pixel_format: PixelFormat
    command: int
    refusal: CommandRefusal
    slot: SharedMemorySlot
    encoding: FrameEncoding
    def __init__(self, data: _Optional[bytes] = ..., data_type: _Optional[str] = ..., data_shape: _Optional[str] = ..., frame_index: _Optional[int] = ..., pts_seconds: _Optional[float] = ..., pixel_format: _Optional[_Union[PixelFormat, str]] = ..., command: _Optional[int] = ..., refusal: _Optional[_Union[CommandRefusal, _Mapping]] = ..., slot: _Optional[_Union[SharedMemorySlot, _Mapping]] = ..., encoding: _Optional[_Union[FrameEncoding, str]] = ...) -> None: ...

class CommandRefusal(_message.Message):
    __slots__ = ("code", "message")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    code: int
    message: str
    def __init__(self, code: _Optional[int] = ..., message: _Optional[str] = ...) -> None: ...

class PlayControl(_message.Message):
    __slots__ = ("sequence", "start", "pause", "resume", "seek", "speed", "resize", "step")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    PAUSE_FIELD_NUMBER: _ClassVar[int]
    RESUME_FIELD_NUMBER: _ClassVar[int]
    SEEK_FIELD_NUMBER: _ClassVar[int]
    SPEED_FIELD_NUMBER: _ClassVar[int]
    RESIZE_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    start: Match
    pause: Pause
    resume: Resume
    seek: Seek
    speed: float
    resize: Resize
    step: Step
    def __init__(self, sequence: _Optional[int] = ..., start: _Optional[_Union[Match, _Mapping]] = ..., pause: _Optional[_Union[Pause, _Mapping]] = ..., resume: _Optional[_Union[Resume, _Mapping]] = ..., seek: _Optional[_Union[Seek, _Mapping]] = ..., speed: _Optional[float] = ..., resize: _Optional[_Union[Resize, _Mapping]] = ..., step: _Optional[_Union[Step, _Mapping]] = ...) -> None: ...

class Pause(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Resume(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Seek(_message.Message):
    __slots__ = ("seconds", "relative_seconds", "frame")
    SECONDS_FIELD_NUMBER: _ClassVar[int]
    RELATIVE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    FRAME_FIELD_NUMBER: _ClassVar[int]
    seconds: float
    relative_seconds: float
    frame: int
    def __init__(self, seconds: _Optional[float] = ..., relative_seconds: _Optional[float] = ..., frame: _Optional[int] = ...) -> None: ...

class Resize(_message.Message):
    __slots__ = ("max_width", "max_height")
    MAX_WIDTH_FIELD_NUMBER: _ClassVar[int]
    MAX_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    max_width: int
    max_height: int
    def __init__(self, max_width: _Optional[int] = ..., max_height: _Optional[int] = ...) -> None: ...

class Step(_message.Message):
    __slots__ = ("frames",)
    FRAMES_FIELD_NUMBER: _ClassVar[int]
    frames: int
    def __init__(self, frames: _Optional[int] = ...) -> None: ...

class MatchInfo(_message.Message):
    __slots__ = ("id", "width", "height", "frame_rate", "duration_seconds", "frame_count", "frame_count_exact", "codec", "source_pixel_format", "damage")
    ID_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    FRAME_RATE_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    FRAME_COUNT_FIELD_NUMBER: _ClassVar[int]
    FRAME_COUNT_EXACT_FIELD_NUMBER: _ClassVar[int]
    CODEC_FIELD_NUMBER: _ClassVar[int]
    SOURCE_PIXEL_FORMAT_FIELD_NUMBER: _ClassVar[int]
    DAMAGE_FIELD_NUMBER: _ClassVar[int]
    id: str
    width: int
    height: int
    frame_rate: float
    duration_seconds: float
    frame_count: int
    frame_count_exact: bool
    codec: str
    source_pixel_format: str
    damage: str
    def __init__(self, id: _Optional[str] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., frame_rate: _Optional[float] = ..., duration_seconds: _Optional[float] = ..., frame_count: _Optional[int] = ..., frame_count_exact: bool = ..., codec: _Optional[str] = ..., source_pixel_format: _Optional[str] = ..., damage: _Optional[str] = ...) -> None: ...

class UploadChunk(_message.Message):
    __slots__ = ("start", "data")
    START_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    start: UploadStart
    data: bytes
    def __init__(self, start: _Optional[_Union[UploadStart, _Mapping]] = ..., data: _Optional[bytes] = ...) -> None: ...

class UploadStart(_message.Message):
    __slots__ = ("id", "size", "sha256", "replace")
    ID_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    REPLACE_FIELD_NUMBER: _ClassVar[int]
    id: str
    size: int
    sha256: bytes
    replace: bool
    def __init__(self, id: _Optional[str] = ..., size: _Optional[int] = ..., sha256: _Optional[bytes] = ..., replace: bool = ...) -> None: ...

class ListRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class MatchList(_message.Message):
    __slots__ = ("ids",)
    IDS_FIELD_NUMBER: _ClassVar[int]
    ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, ids: _Optional[_Iterable[str]] = ...) -> None: ...
