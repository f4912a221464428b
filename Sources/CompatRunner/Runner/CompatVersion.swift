// The version of compat itself, as `compat --version` prints it and every report records it.

public enum CompatVersion {
    /// Raised with every release of the tool (not of TGP: that is the schema's own versions).
    public static let current = "0.16.0"
}
