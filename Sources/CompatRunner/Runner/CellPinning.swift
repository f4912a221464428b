// When a matrix's workers each keep to a CPU of their own. A cell is a lockstep exchange: the
// runner writes a command, one peer sends, the other reports, the runner reads; only one of
// them works at a time. On one CPU each hand-over is a switch on a warm cache; across CPUs it
// is a wake-up sent to another CPU, and the kernel's share of a run grows with it. A pinned
// worker and its peers are also batch work (SCHED_BATCH): on one CPU, a thread the running one
// wakes (a peer answering, the runner reading) waits for it to block instead of preempting it,
// so a turn's lines go out and are read together, with fewer switches between them.

public enum CellPinning {
    /// Pinning pays when there are at least two workers and no more than the CPUs this process
    /// may use: every worker then has a CPU of its own, the others are busy with their cells,
    /// and nothing a cell does could have run beside it. One worker alone is not pinned: its
    /// peers may use the idle CPUs.
    public static func pays(workers: Int) -> Bool { pays(workers: workers, allowedCPUs: allowedCPUCount()) }

    static func pays(workers: Int, allowedCPUs: Int?) -> Bool {
        guard let allowedCPUs else { return false }
        return workers >= 2 && workers <= allowedCPUs
    }
}
