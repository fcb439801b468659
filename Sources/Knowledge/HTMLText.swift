import Foundation

/// Turns recommendation HTML into readable text: tags removed, block ends as line breaks, entities decoded.
public enum HTMLText {
    public static func plain(_ html: String) -> String {
        var out = ""
        var tag = ""
        var inTag = false
        for c in html {
            if inTag {
                if c == ">" {
                    inTag = false
                    let name = tag.lowercased().split(separator: " ").first.map(String.init) ?? ""
                    if ["/p", "br", "br/", "/h4", "/h3", "/li", "/ul", "/ol"].contains(name), !out.hasSuffix("\n") { out += "\n" }
                    if name == "li" { out += "- " }
                    tag = ""
                } else {
                    tag.append(c)
                }
            } else if c == "<" {
                inTag = true
            } else {
                out.append(c)
            }
        }
        for (entity, value) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&nbsp;", " "), ("&amp;", "&")] {
            out = out.replacingOccurrences(of: entity, with: value)
        }
        var lines = out.split(separator: "\n", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .whitespaces) }
        lines.removeAll { $0.isEmpty }
        return lines.joined(separator: "\n")
    }
}
