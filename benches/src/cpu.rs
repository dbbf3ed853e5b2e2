//! CPU time of a process, from `/proc/<pid>/stat`.

/// Clock ticks per second of `/proc/<pid>/stat` (`USER_HZ`, 100 on every Linux platform the
/// harness runs on).
const TICKS_PER_S: f64 = 100.0;

/// User plus system CPU seconds used so far by process `pid` (all its threads), or `None`
/// where `/proc` is not available.
pub fn process_cpu_s(pid: u32) -> Option<f64> {
    parse_stat_cpu_s(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// [`process_cpu_s`] of this process.
pub fn own_cpu_s() -> Option<f64> {
    process_cpu_s(std::process::id())
}

/// `utime + stime` (fields 14 and 15) of a `/proc/<pid>/stat` line, in seconds. The command
/// name (field 2) may contain spaces and parentheses, so fields are counted after its last `)`.
pub fn parse_stat_cpu_s(stat: &str) -> Option<f64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    // After the name: state (3), ppid (4), ... utime is field 14, i.e. the 12th from here.
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((utime + stime) as f64 / TICKS_PER_S)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_utime_and_stime() {
        let stat = "4242 (collect (b) ench) S 1 2 3 4 5 6 7 8 9 10 250 75 0 0 20 0 9 0 100 0 0";
        assert_eq!(parse_stat_cpu_s(stat), Some(3.25));
        assert_eq!(parse_stat_cpu_s("garbage"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn reads_this_process() {
        assert!(own_cpu_s().is_some());
    }
}
