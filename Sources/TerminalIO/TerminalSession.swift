import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
  private let systemWrite = Glibc.write
  private let systemRead = Glibc.read
#elseif canImport(Darwin)
  import Darwin
  private let systemWrite = Darwin.write
  private let systemRead = Darwin.read
#endif

/// A terminal's size in cells and, when it says, in pixels.
public struct TerminalSize: Sendable, Hashable {
  public var columns: Int
  public var rows: Int
  public var pixelWidth: Int
  public var pixelHeight: Int

  public init(columns: Int, rows: Int, pixelWidth: Int = 0, pixelHeight: Int = 0) {
    self.columns = columns
    self.rows = rows
    self.pixelWidth = pixelWidth
    self.pixelHeight = pixelHeight
  }
}

/// Whether `descriptor` is a terminal.
public func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

/// The size of the terminal on `descriptor` (TIOCGWINSZ); nil when it is not a terminal.
public func terminalSize(of descriptor: Int32) -> TerminalSize? {
  var size = winsize()
  guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 else { return nil }
  return TerminalSize(
    columns: Int(size.ws_col), rows: Int(size.ws_row), pixelWidth: Int(size.ws_xpixel),
    pixelHeight: Int(size.ws_ypixel))
}

/// Owns the terminal while a player draws on it, and always gives it back as it was.
///
/// Every write and the restore go through one lock, so a restore from a signal handler's
/// queue cannot interleave with a frame being written, and nothing is written after it.
public final class TerminalSession: Sendable {
  private struct State {
    var started = false
    var suspended = false
    var restored = false
  }

  public let input: Int32
  public let output: Int32
  /// Held while writing: a write can block for as long as the terminal does not read.
  private let state = Mutex(State())
  /// The input settings to put back; never held for long, so a signal can always reach them.
  private let savedInput = Mutex<termios?>(nil)

  /// Takes the terminal on `output` (and keys from `input`, if that is a terminal).
  public init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO) {
    self.input = input
    self.output = output
  }

  /// Turns off echo and line editing, so keys reach the player one by one and never show.
  ///
  /// Ctrl-C arrives as a byte (0x03) rather than a signal, so quitting with it runs the
  /// normal restore.
  public func enterRawInput() {
    savedInput.withLock { savedInput in
      guard savedInput == nil, isTerminal(input) else { return }
      var saved = termios()
      guard tcgetattr(input, &saved) == 0 else { return }
      var raw = saved
      raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN)
      raw.c_iflag &= ~tcflag_t(IXON | ICRNL)
      withUnsafeMutableBytes(of: &raw.c_cc) { cc in
        cc[Int(VMIN)] = 1
        cc[Int(VTIME)] = 0
      }
      guard tcsetattr(input, TCSANOW, &raw) == 0 else { return }
      savedInput = saved
    }
  }

  /// Switches to the alternate screen and hides the cursor.
  public func startScreen() {
    let started = state.withLock { state in
      guard !state.restored, !state.started else { return false }
      state.started = true
      return true
    }
    if started {
      write(ControlSequence.enterAlternateScreen + ControlSequence.hideCursor + ControlSequence.disableAutowrap)
    }
  }

  /// Writes all of `bytes`; returns false once the session is restored or the terminal is gone.
  ///
  /// While suspended (job control), writes are dropped: the shell owns the screen.
  @discardableResult
  public func write(_ bytes: [UInt8]) -> Bool {
    state.withLock { state in
      guard !state.restored else { return false }
      return state.suspended || writeAll(bytes)
    }
  }

  /// Writes `text` as UTF-8.
  @discardableResult
  public func write(_ text: String) -> Bool { write(Array(text.utf8)) }

  /// Gives the terminal back to the shell for job control (Ctrl-Z), until `resume()`.
  public func suspend() {
    state.withLock { state in
      guard !state.restored, !state.suspended else { return }
      state.suspended = true
      if state.started { _ = writeAll(Array(ControlSequence.restore.utf8)) }
      restoreInput()
    }
  }

  /// Takes the terminal again after `suspend()`, with a cleared screen to draw on.
  public func resume() {
    let screen = state.withLock { state in
      guard !state.restored, state.suspended else { return false }
      state.suspended = false
      return state.started
    }
    enterRawInput()
    if screen {
      write(
        ControlSequence.enterAlternateScreen + ControlSequence.hideCursor + ControlSequence.disableAutowrap
          + ControlSequence.clearScreen)
    }
  }

  /// Puts the terminal back: screen, cursor, modes and input settings. Safe to call twice.
  public func restore() {
    state.withLock { restore(&$0) }
  }

  /// Restores from a signal handler's queue: like `restore()`, but if a write has been stuck
  /// for `patience` (a terminal that stopped reading), restores without waiting for it, since
  /// the process is about to exit.
  public func restoreForExit(patience: Duration = .milliseconds(500)) {
    let deadline = ContinuousClock.now + patience
    while ContinuousClock.now < deadline {
      if state.withLockIfAvailable({ restore(&$0) }) != nil { return }
      usleep(5_000)
    }
    // One non-blocking attempt: the terminal may never read again.
    let flags = fcntl(output, F_GETFL)
    _ = fcntl(output, F_SETFL, flags | O_NONBLOCK)
    _ = ControlSequence.restore.utf8CString.withUnsafeBufferPointer {
      systemWrite(output, $0.baseAddress, $0.count - 1)
    }
    restoreInput()
  }

  private func restore(_ state: inout State) {
    guard !state.restored else { return }
    state.restored = true
    if state.started { _ = writeAll(Array(ControlSequence.restore.utf8)) }
    restoreInput()
  }

  private func restoreInput() {
    savedInput.withLock { saved in
      guard var settings = saved else { return }
      // Not TCSAFLUSH: it waits for output to drain, forever if the terminal stopped reading.
      tcsetattr(input, TCSANOW, &settings)
      // Keys typed after the last read go nowhere rather than to the shell.
      tcflush(input, TCIFLUSH)
      saved = nil
    }
  }

  /// Reads whatever arrives on the input within `timeout`, until `isComplete` says enough.
  public func read(until isComplete: ([UInt8]) -> Bool, timeout: Duration) -> [UInt8] {
    var received: [UInt8] = []
    let deadline = ContinuousClock.now + timeout
    var buffer = [UInt8](repeating: 0, count: 256)
    while !isComplete(received) {
      let left = ContinuousClock.now.duration(to: deadline)
      guard left > .zero else { break }
      let milliseconds = Int32(clamping: Int((left / .milliseconds(1)).rounded(.up)))
      var poller = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
      let ready = poll(&poller, 1, milliseconds)
      if ready < 0 && errno == EINTR { continue }
      guard ready > 0 else { break }
      let count = buffer.withUnsafeMutableBytes { systemRead(input, $0.baseAddress, $0.count) }
      guard count > 0 else { break }
      received.append(contentsOf: buffer[0..<count])
    }
    return received
  }

  private func writeAll(_ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { raw in
      guard var pointer = raw.baseAddress else { return true }
      var left = raw.count
      while left > 0 {
        let written = systemWrite(output, pointer, left)
        if written < 0 {
          if errno == EINTR || errno == EAGAIN { continue }
          return false
        }
        pointer += written
        left -= written
      }
      return true
    }
  }
}
