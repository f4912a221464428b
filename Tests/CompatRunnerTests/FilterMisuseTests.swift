// A filter that selects nothing is a typo: exit 2 with a message, never a silent pass.

import BuiltBinaries
import Testing

@Suite("Filters that select nothing")
struct FilterMisuseTests {
    @Test("--run matching no check exits 2")
    func runMatchingNothing() throws {
        let matrix = try TestMatrix()
        let run = try runCompat([
            "pair", "v3", "v5", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--run", "client=v3/gateway=v5/NoSuchMessage/*",
        ])
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("--run client=v3/gateway=v5/NoSuchMessage/* matches no planned check"))
    }

    @Test("--clients naming nobody exits 2")
    func emptyClients() throws {
        let matrix = try TestMatrix()
        let run = try runCompat(["matrix", "run", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--clients", ""])
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("--clients names no peer"))
    }
}
