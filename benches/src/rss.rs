//! Peak resident set size of this process, from `/proc/self/status`.

/// `VmHWM` (peak resident set size) of this process in KiB, or `None` where `/proc` is not
/// available (not Linux).
pub fn peak_rss_kib() -> Option<u64> {
    own_status_kib("VmHWM")
}

/// `VmRSS` (current resident set size) of this process in KiB, or `None` where `/proc` is not
/// available.
pub fn current_rss_kib() -> Option<u64> {
    own_status_kib("VmRSS")
}

fn own_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_status_kib(&status, field)
}

/// The value in KiB of the `field:   N kB` line of a `/proc/<pid>/status` text.
pub fn parse_status_kib(status: &str, field: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        let mut parts = rest.split_whitespace();
        let n = parts.next()?.parse::<u64>().ok()?;
        (parts.next() == Some("kB")).then_some(n)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_field_in_kib() {
        let status = "Name:\tx\nVmPeak:\t  2000 kB\nVmHWM:\t    1234 kB\nVmRSS:\t 999 kB\n";
        assert_eq!(parse_status_kib(status, "VmHWM"), Some(1234));
        assert_eq!(parse_status_kib(status, "VmRSS"), Some(999));
        assert_eq!(parse_status_kib(status, "VmSwap"), None);
        assert_eq!(parse_status_kib("VmHWM:\tlots kB\n", "VmHWM"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn reads_this_process() {
        assert!(peak_rss_kib().unwrap() > 0);
        assert!(current_rss_kib().unwrap() > 0);
        // One snapshot: the kernel reports VmHWM as at least the VmRSS it reports with it (two
        // reads could see the RSS grow in between).
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let peak = parse_status_kib(&status, "VmHWM").unwrap();
        let now = parse_status_kib(&status, "VmRSS").unwrap();
        assert!(peak >= now, "peak {peak} KiB, now {now} KiB");
    }
}
