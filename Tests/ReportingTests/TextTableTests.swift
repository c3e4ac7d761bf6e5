import Testing
import Reporting

@Suite struct ReportingBasicsTests {
    @Test func tablePadsColumns() {
        var t = TextTable(["host", "pref"])
        t.add(["mx1.good.lab.test", "10"])
        t.add(["mx2", "20"])
        let lines = t.rendered().split(separator: "\n").map(String.init)
        #expect(lines[0] == "host               pref")
        #expect(lines[1] == "-----------------  ----")
        #expect(lines[3] == "mx2                20")
    }

    @Test func escapesHTML() {
        #expect(htmlEscape("<a href=\"x\">&'") == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;")
    }

    @Test func jsonIsSorted() throws {
        struct S: Encodable { let b = 1; let a = "x/y" }
        #expect(try JSONOutput.encode(S(), pretty: false) == "{\"a\":\"x/y\",\"b\":1}")
    }
}
