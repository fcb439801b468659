import Foundation

/// Alert once at order-select, not again at order-sign (the HL7 PDDI-CDS coordination pattern, applied to PGx).
///
/// The rule, chosen to be safe rather than quiet: an order-sign card is suppressed only when
///
/// - the same CDS client (`iss`) was shown a card at **order-select** for the same patient, the same draft order
///   (`MedicationRequest` id), the same encounter (`context.encounterId`, or none in both calls), the same drug, the same
///   guideline source and the same recommendation(s) — so any change of genotype, knowledge, drug or order shows it again;
/// - the clinician's **feedback** on that order-select card said `overridden` (the spec's evidence that the card was
///   displayed and consciously declined; an override reason is audited with it); and
/// - the override is less than ``window`` old.
///
/// Without feedback the EHR may not have displayed the card at all (a busy worklist, a failed render), so the card is
/// shown again. `accepted` does not suppress either: the card's only suggestion removes the draft, so a draft that still
/// reaches order-sign after an "accepted" card contradicts the acceptance and deserves the alert. Each suppression is
/// written to the audit log (`cds_suppressed`) naming the order-select card and its override.
///
/// The memory is this process's only, bounded and time-limited: behind several server processes an order-sign reaching
/// another process shows the card again, which errs on the side of alerting.
actor CDSCardMemory {
    /// How long an override at order-select keeps the same card from repeating at order-sign.
    static let window: TimeInterval = 3600
    /// At most this many remembered cards; the oldest expired ones go first.
    static let capacity = 20_000

    struct Shown: Sendable {
        var key: String
        var issuer: String
        var at: Date
    }

    struct Override: Sendable {
        var card: String
        var at: Date
    }

    private var shown: [String: Shown] = [:]
    private var overrides: [String: Override] = [:]

    /// The coordination key of a card: who saw it, about whom, for which order and advice.
    static func key(issuer: String, patient: String, encounter: String?, card: String) -> String {
        [issuer, patient, encounter ?? "", card].joined(separator: "\u{1F}")
    }

    /// Remembers an order-select card shown under `key`.
    func shown(card uuid: String, key: String, issuer: String, now: Date = Date()) {
        if shown.count >= Self.capacity { shown = Self.pruned(shown, now: now, at: \.at) }
        shown[uuid] = Shown(key: key, issuer: issuer, at: now)
    }

    /// `entries` without the expired ones and, if that is not enough, only the newest half of the capacity: pruning
    /// then happens once per capacity / 2 insertions, not on each one. A card forgotten early is only ever shown again.
    static func pruned<Value>(_ entries: [String: Value], now: Date, at: (Value) -> Date) -> [String: Value] {
        let live = entries.filter { now.timeIntervalSince(at($0.value)) < window }
        guard live.count > capacity / 2 else { return live }
        return Dictionary(uniqueKeysWithValues: live.sorted { at($0.value) > at($1.value) }.prefix(capacity / 2).map { ($0.key, $0.value) })
    }

    /// Records feedback on an order-select card; true when it was an override of a card this client was shown (and so
    /// may suppress the same card at order-sign).
    func feedback(card uuid: String, outcome: String, issuer: String, now: Date = Date()) -> Bool {
        guard outcome == "overridden", let entry = shown[uuid], entry.issuer == issuer, now.timeIntervalSince(entry.at) < Self.window else { return false }
        if overrides.count >= Self.capacity { overrides = Self.pruned(overrides, now: now, at: \.at) }
        overrides[entry.key] = Override(card: uuid, at: now)
        return true
    }

    /// The order-select override that suppresses a card with `key` at order-sign, if any.
    func suppressing(key: String, now: Date = Date()) -> Override? {
        guard let found = overrides[key], now.timeIntervalSince(found.at) < Self.window else { return nil }
        return found
    }
}
