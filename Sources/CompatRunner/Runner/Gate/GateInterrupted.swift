// A gate stopped by SIGINT, SIGTERM or SIGHUP: its schema and golden frames as checked, the
// cells, fleets and upgrades that finished, and every other one NOT RUN.

extension GateResult {
    /// The gate of `units` of which only `finished` had finished.
    public static func interrupted(
        schema: SchemaDiffReport, fixtures: GoldenReport, units: [ShardUnit], finished: [CellResult], config: MatrixConfig,
        seconds: Double, jobs: Int
    ) -> GateResult {
        let matrix = MatrixResult.interrupted(
            cells: units.compactMap(\.cell), finished: finished, config: config, seconds: seconds, jobs: jobs)
        let scenarios = units.compactMap(\.scenario).map { scenario in
            finished.first { $0.client == scenario.name } ?? scenario.notRun
        }
        return GateResult(schema: schema, fixtures: fixtures, matrix: matrix, scenarios: scenarios, seconds: seconds)
    }
}

extension GateScenario {
    /// Its result when the gate was stopped before it finished.
    var notRun: CellResult {
        CellResult(
            client: name, gateway: plan.gateway.name, clientVersion: 0, gatewayVersion: plan.gateway.version, expectedVersion: nil,
            state: .notRun, checks: [], problem: "interrupted before it finished", peers: [], keptDirectory: nil, seconds: 0,
            reproduce: reproduce)
    }
}
