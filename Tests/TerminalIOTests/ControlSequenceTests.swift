import TerminalIO
import Testing

@Suite struct ControlSequenceTests {
  @Test func restoreUndoesEveryModeThePlayerSets() {
    let restore = ControlSequence.restore
    #expect(restore.hasPrefix(ControlSequence.stringTerminator))
    for undo in [
      ControlSequence.endSynchronized, ControlSequence.resetAttributes, ControlSequence.enableAutowrap,
      ControlSequence.showCursor, ControlSequence.leaveAlternateScreen,
    ] {
      #expect(restore.contains(undo))
    }
  }

  @Test func capabilityQueriesEndWithDeviceAttributes() {
    #expect(ControlSequence.capabilityQueries.hasSuffix("\u{1B}[c"))
  }
}
