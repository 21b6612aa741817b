import CSoccerSystem
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct FaultGuardTests {
  /// A shared mapping of a new /dev/shm object of `pages` pages, and the object's descriptor.
  private func sharedObject(pages: Int) throws -> (fd: Int32, mapping: UnsafeMutableRawPointer, name: String) {
    let name = "/dev/shm/soccer-guard-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let fd = open(name, O_RDWR | O_CREAT | O_EXCL, 0o600)
    try #require(fd >= 0)
    try #require(ftruncate(fd, off_t(pages * 4096)) == 0)
    let mapping = try #require(mmap(nil, pages * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0))
    try #require(mapping != MAP_FAILED)
    return (fd, mapping, name)
  }

  // Without the guard this store is a bus error that ends the test process.
  @Test func aStoreIntoAShrunkObjectLandsInPrivateMemoryAndMarksTheRange() throws {
    #expect(soccer_fault_guard_install() == 0)
    let (fd, mapping, name) = try sharedObject(pages: 4)
    defer {
      munmap(mapping, 4 * 4096)
      close(fd)
      unlink(name)
    }
    let handle = soccer_fault_guard_add(mapping, 4 * 4096)
    try #require(handle >= 0)
    defer { soccer_fault_guard_remove(handle) }
    mapping.storeBytes(of: 7, toByteOffset: 4096, as: UInt8.self)
    #expect(soccer_fault_guard_hit(handle) == 0)
    #expect(ftruncate(fd, 4096) == 0)
    mapping.storeBytes(of: 9, toByteOffset: 3 * 4096, as: UInt8.self)
    #expect(soccer_fault_guard_hit(handle) == 1)
    // The whole range is private zeroes now, the faulting store in it.
    #expect(mapping.load(fromByteOffset: 4096, as: UInt8.self) == 0)
    #expect(mapping.load(fromByteOffset: 3 * 4096, as: UInt8.self) == 9)
  }

  @Test func aPrivateCopyKeepsItsBytesWhileTheObjectChanges() throws {
    let (fd, mapping, name) = try sharedObject(pages: 2)
    defer {
      munmap(mapping, 2 * 4096)
      close(fd)
      unlink(name)
    }
    memset(mapping, 5, 2 * 4096)
    #expect(soccer_replace_with_private_copy(mapping, 2 * 4096) == 0)
    var byte: UInt8 = 6
    #expect(pwrite(fd, &byte, 1, 4096) == 1)
    #expect(mapping.load(fromByteOffset: 4096, as: UInt8.self) == 5)
    var read: UInt8 = 0
    #expect(pread(fd, &read, 1, 4096) == 1 && read == 6)
  }
}
