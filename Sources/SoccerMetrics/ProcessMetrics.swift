import Foundation

/// The standard `process_*` series, read from /proc for this process.
struct ProcessMetrics {
  var residentBytes: Double = 0
  var cpuSeconds: Double = 0
  var openFDs: Double = 0
  var maxFDs: Double = 0
  var startTimeSeconds: Double = 0
  var threads: Double = 0

  static func read() -> ProcessMetrics {
    var metrics = ProcessMetrics()
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
    // /proc/self/stat: the fields after the command's closing parenthesis, from field 3 on.
    if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    {
      let fields = stat[stat.index(after: close)...].split(separator: " ")
      func field(_ n: Int) -> Double { fields.count > n - 3 ? Double(fields[n - 3]) ?? 0 : 0 }
      metrics.cpuSeconds = (field(14) + field(15)) / ticks
      metrics.threads = field(20)
      metrics.residentBytes = field(24) * pageSize
      if let uptime = try? String(contentsOfFile: "/proc/uptime", encoding: .utf8),
        let up = Double(uptime.split(separator: " ").first ?? "")
      {
        // Start time is in ticks since boot; boot is now less the uptime.
        metrics.startTimeSeconds = Date().timeIntervalSince1970 - up + field(22) / ticks
      }
    }
    metrics.openFDs = Double((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0)
    var limit = rlimit()
    if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 { metrics.maxFDs = Double(limit.rlim_cur) }
    return metrics
  }

  /// Prometheus text, with the types and units the Prometheus client libraries use.
  var exposition: String {
    let series: [(String, String, String, Double)] = [
      ("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", residentBytes),
      ("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.", cpuSeconds),
      ("process_open_fds", "gauge", "Number of open file descriptors.", openFDs),
      ("process_max_fds", "gauge", "Maximum number of open file descriptors.", maxFDs),
      (
        "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.",
        startTimeSeconds
      ),
      ("process_threads", "gauge", "Number of OS threads in the process.", threads),
    ]
    return series.map { name, type, help, value in
      "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
    }.joined()
  }
}
