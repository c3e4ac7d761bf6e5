/// The one place the tool's version lives; reports and `mxray --version` read it.
public enum MXRayVersion {
    public static let string = "0.1.0"
}
