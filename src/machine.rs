//! The machine a measurement ran on: its peak memory (Linux `VmHWM`), its processor and cores, and
//! how busy it was. `chaja index` reports the peak; `chaja bench` prints all of it beside its figures.

/// Clears the kernel's peak-RSS mark so the next reading covers only what follows (Linux).
pub fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak resident memory of this process in MB (Linux `VmHWM`).
pub fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

pub fn describe() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown cpu".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    match load_average() {
        Some(load) => format!("{cores} cores, {cpu}, load average {load:.2} at the start"),
        None => format!("{cores} cores, {cpu}"),
    }
}

/// The one-minute load average, where the system reports it. Indexing uses every core and the
/// analyzer one, so other work running during the bench lowers the indexing ratio: the figure tells
/// a reader whether the machine was quiet.
fn load_average() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    parse_load_average(&text)
}

pub(crate) fn parse_load_average(text: &str) -> Option<f64> {
    text.split_whitespace().next()?.parse().ok()
}
