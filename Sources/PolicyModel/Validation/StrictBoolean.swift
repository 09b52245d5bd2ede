/// Booleans written as text, as environment files and dotenv imports carry them.
public enum StrictBoolean {
    /// The accepted spellings, in any letter case; anything else is an error, never "truthy".
    public static let accepted = ["true", "false", "1", "0", "yes", "no", "on", "off"]

    public static func parse(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "1", "yes", "on": true
        case "false", "0", "no", "off": false
        default: nil
        }
    }
}
