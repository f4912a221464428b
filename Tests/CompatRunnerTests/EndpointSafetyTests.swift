// Safe by default: the runner sends a client only to ipc or loopback endpoints.

@testable import CompatRunner
import Testing

@Suite("Endpoint safety")
struct EndpointSafetyTests {
    @Test("ipc and loopback endpoints are local", arguments: ["ipc:///tmp/x/gateway.sock", "tcp://127.0.0.1:5555", "tcp://127.8.9.1:1", "tcp://[::1]:7000", "tcp://localhost:9"])
    func local(_ endpoint: String) {
        #expect(Endpoint.isLocal(endpoint))
    }

    @Test("anything else needs --allow-remote", arguments: ["tcp://10.0.0.5:5555", "tcp://0.0.0.0:5555", "tcp://example.com:80", "tcp://*:5555", "pgm://eth0;239.1.1.1:5555", "inproc://x", "tcp://127"])
    func remote(_ endpoint: String) {
        #expect(!Endpoint.isLocal(endpoint))
    }
}
