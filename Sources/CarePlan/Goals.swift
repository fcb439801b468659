import Foundation

/// FHIR Goal.lifecycleStatus.
public enum GoalLifecycleStatus: String, Codable, Sendable, Hashable {
    case proposed, planned, accepted, active, onHold = "on-hold", completed, cancelled, enteredInError = "entered-in-error", rejected
    var isTerminal: Bool { [.completed, .cancelled, .enteredInError, .rejected].contains(self) }
}

/// FHIR Goal.achievementStatus.
public enum GoalAchievementStatus: String, Codable, Sendable, Hashable {
    case inProgress = "in-progress", improving, worsening, noChange = "no-change", achieved, sustaining, notAchieved = "not-achieved"
    case noProgress = "no-progress", notAttainable = "not-attainable"
}

/// Goal category. `dietary` and `behavioral` are codes of the HL7 goal-category system; `physiologic` is not, so it
/// is exported as text only.
public enum GoalCategory: String, Codable, Sendable, Hashable { case dietary, behavioral, physiologic }

/// A goal target: a LOINC measure (when one exists) and a low/high/value with a UCUM unit.
public struct GoalTarget: Codable, Sendable, Hashable {
    public var measureLOINC: String?
    public var low: Double?
    public var high: Double?
    public var unit: String
    public var due: PlanDate
    public init(measureLOINC: String?, low: Double? = nil, high: Double? = nil, unit: String, due: PlanDate) {
        self.measureLOINC = measureLOINC
        self.low = low
        self.high = high
        self.unit = unit
        self.due = due
    }
}

/// One entry of a goal's history: what changed, when, and the previous wording/target.
public struct GoalEvent: Codable, Sendable, Hashable {
    public var date: PlanDate
    public var change: String
    public var previousDescription: String?
    public var previousTarget: GoalTarget?
    public var status: GoalLifecycleStatus
}

/// A SMART goal the plan proposes; the patient accepts, edits or declines it (a partnership, not an order).
public struct ProposedGoal: Codable, Sendable, Hashable, Identifiable {
    public var id: String
    public var description: String
    public var category: GoalCategory
    public var target: GoalTarget
    /// LOINC codes used to track progress (e.g. steps 41950-7) when the target itself has no measure.
    public var tracking: [String]
    /// The plan item this goal serves.
    public var planItem: String
    public var lifecycleStatus: GoalLifecycleStatus
    public var achievementStatus: GoalAchievementStatus?
    /// True once the patient has agreed (FHIR `expressedBy` = Patient).
    public var expressedByPatient: Bool
    /// Set when the goal was scaled down because confidence was <7 (the full goal is kept as `nextStep`).
    public var shrunk: Bool
    public var nextStep: String?
    public var why: String
    public var history: [GoalEvent]
}

/// The patient's answer to a proposed goal.
public enum GoalDecision: Sendable, Hashable {
    case accept(on: PlanDate)
    case edit(on: PlanDate, description: String? = nil, target: GoalTarget? = nil)
    case decline(on: PlanDate, reason: String)
    /// Progress recorded against an accepted goal (from home readings, steps, self-report).
    case progress(on: PlanDate, status: GoalAchievementStatus)
}

public struct GoalLifecycleError: Error, Sendable, Equatable, CustomStringConvertible {
    public var goal: String
    public var from: GoalLifecycleStatus
    public var decision: String
    public var description: String { "goal \(goal): cannot \(decision) a goal that is \(from.rawValue)" }
}

/// Pure lifecycle transitions (FHIR Goal.lifecycleStatus), keeping every change in the goal's history.
public enum GoalLifecycle {
    /// - accept: proposed/planned → accepted (expressedBy = Patient, achievement in-progress)
    /// - edit: proposed/planned → accepted with the edited wording/target; accepted/active/on-hold stay as they are;
    ///   the previous wording and target are kept in the history
    /// - decline: proposed/planned → rejected; accepted/active/on-hold → cancelled
    /// - progress: only for accepted/active/on-hold goals; `achieved` does not complete the goal by itself
    /// Terminal goals (completed, cancelled, rejected, entered-in-error) refuse every decision.
    public static func apply(_ decision: GoalDecision, to goal: ProposedGoal) throws(GoalLifecycleError) -> ProposedGoal {
        var g = goal
        let open: Set<GoalLifecycleStatus> = [.proposed, .planned]
        let running: Set<GoalLifecycleStatus> = [.accepted, .active, .onHold]
        switch decision {
        case .accept(let date):
            guard open.contains(goal.lifecycleStatus) else { throw GoalLifecycleError(goal: goal.id, from: goal.lifecycleStatus, decision: "accept") }
            g.lifecycleStatus = .accepted
            g.expressedByPatient = true
            g.achievementStatus = .inProgress
            g.history.append(GoalEvent(date: date, change: "accepted by the patient", status: .accepted))
        case .edit(let date, let description, let target):
            guard open.contains(goal.lifecycleStatus) || running.contains(goal.lifecycleStatus) else {
                throw GoalLifecycleError(goal: goal.id, from: goal.lifecycleStatus, decision: "edit")
            }
            if let description { g.description = description }
            if let target { g.target = target }
            if open.contains(goal.lifecycleStatus) {
                g.lifecycleStatus = .accepted
                g.achievementStatus = .inProgress
            }
            g.expressedByPatient = true
            g.history.append(
                GoalEvent(
                    date: date, change: "edited by the patient", previousDescription: goal.description, previousTarget: goal.target,
                    status: g.lifecycleStatus))
        case .decline(let date, let reason):
            if open.contains(goal.lifecycleStatus) {
                g.lifecycleStatus = .rejected
            } else if running.contains(goal.lifecycleStatus) {
                g.lifecycleStatus = .cancelled
            } else {
                throw GoalLifecycleError(goal: goal.id, from: goal.lifecycleStatus, decision: "decline")
            }
            g.history.append(GoalEvent(date: date, change: "declined: \(reason)", status: g.lifecycleStatus))
        case .progress(let date, let status):
            guard running.contains(goal.lifecycleStatus) else { throw GoalLifecycleError(goal: goal.id, from: goal.lifecycleStatus, decision: "record progress on") }
            if goal.lifecycleStatus == .accepted { g.lifecycleStatus = .active }
            g.achievementStatus = status
            g.history.append(GoalEvent(date: date, change: "progress: \(status.rawValue)", status: g.lifecycleStatus))
        }
        return g
    }
}
