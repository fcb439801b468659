import Foundation
@testable import Server
import Testing

/// The pure pieces of a CDS call that run on every request: matching a drafted drug's text to a finding's drug, and
/// the replay memory of client tokens.
@Suite struct CDSMatchingTests {
    @Test(arguments: [
        ("Clopidogrel 75 MG Oral Tablet", "clopidogrel", true),
        ("clopidogrel", "clopidogrel", true),
        ("CLOPIDOGREL bisulfate", "clopidogrel", true),
        ("Acetaminophen / Codeine 300/30", "codeine", true),
        ("codeine-containing syrup", "codeine", true),
        ("Codeines", "codeine", false),
        ("hydrocodeine", "codeine", false),
        ("Simvastatin 20 MG", "statin", false),
        ("éclopidogrel", "clopidogrel", false),
        ("clopidogrelé", "clopidogrel", false),
        ("«clopidogrel»", "clopidogrel", true),
        ("5-fluorouracil cream", "fluorouracil", true),
        ("", "warfarin", false),
        ("warfarin", "", false),
        ("warf", "warfarin", false),
        ("peginterferon alfa-2a and ribavirin", "peginterferon alfa-2a", true),
    ])
    func draftTextMentionsDrug(_ text: String, _ drug: String, _ expected: Bool) {
        #expect(CDSHooksRoutes.mentions(text, drug) == expected)
    }

    @Test func replayedTokensAreRefusedAcrossSweeps() async {
        let seen = CDSClientVerifier.SeenTokens()
        let now = Date(timeIntervalSince1970: 1_000_000)
        let live = now.addingTimeInterval(300)
        let total = CDSClientVerifier.SeenTokens.minimumSweep * 3
        for index in 0..<total {
            #expect(await seen.first("jti-\(index)", until: live, now: now))
        }
        // Live tokens do not make every call sweep: the next sweep waits until twice as many are held.
        #expect(await seen.sweepAt > seen.expiries.count)
        // Every one is still live: each is refused the second time, however many sweeps have passed.
        for index in stride(from: 0, to: total, by: 997) {
            #expect(await !seen.first("jti-\(index)", until: live, now: now))
        }
        // Once expired, a sweep drops them and the threshold comes back down.
        let later = live.addingTimeInterval(1)
        for index in 0..<(await seen.sweepAt - (await seen.expiries.count) + 1) {
            _ = await seen.first("fresh-\(index)", until: later.addingTimeInterval(300), now: later)
        }
        #expect(await seen.expiries.count < total)
        #expect(await seen.first("jti-0", until: later.addingTimeInterval(300), now: later))
    }
}
