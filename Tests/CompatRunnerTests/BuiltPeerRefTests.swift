// What a built peer's configuration may say, checked before anything builds: a product is a name
// and never an option of swift build.

import BuiltBinaries
import CompatRunner
import Foundation
import Testing

@Suite("A built peer's ref and product")
struct BuiltPeerRefTests {
    @Test(
        "a product that swift build would read as an option is exit 2 naming the peer and the key",
        arguments: ["--help", "-x", "a/b", ".."])
    func productLikeOption(product: String) throws {
        let (matrix, _) = try BuiltPeerSupport.repositoryMatrix()
        let text = try String(contentsOfFile: matrix.path, encoding: .utf8)
        try text.replacingOccurrences(of: "\"product\": \"peer-v3\"", with: "\"product\": \"\(product)\"").write(
            toFile: matrix.path, atomically: true, encoding: .utf8)

        let run = try runCompat(["peers", "build", "--matrix", matrix.path])
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(
            run.stderr.hasPrefix(
                "compat: \(matrix.path): peers[1].build.product: peer \"v3@r1\": \"\(product)\" is not the name of an executable product"),
            "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: matrix.folder + "/" + PeerCache.folderName), "something was built")
    }
}
