import ArgumentParser
import JobQueue
import Supervisor

struct RetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Send dead letters back to the waiting list with a fresh attempt count."
    )

    @OptionGroup var redis: RedisOptions
    @OptionGroup var eviction: EvictionOptions
    @Argument(help: "The queue's name.") var queue: String
    @Argument(help: "Ids of dead letters.") var ids: [String] = []
    @Flag(help: "Retry every dead letter.") var all = false

    func validate() throws {
        if all == !ids.isEmpty { throw ValidationError("give job ids or --all (not both)") }
    }

    func run() throws {
        try reportingErrors {
            let retried = try redis.queue(queue, .writing(eviction)).retryDead(ids: all ? nil : ids)
            let count = retried.requeued
            print("requeued \(count) job\(count == 1 ? "" : "s")")
            if retried.lost > 0 {
                printError("\(retried.lost) dead letter\(retried.lost == 1 ? " was" : "s were") gone from Redis (evicted): counted lost, not requeued")
            }
            let found = count + retried.lost
            if !all && found < ids.count { throw CommandFailure(.notFound, "\(ids.count - found) of the ids were not dead letters") }
        }
    }
}

struct CancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a waiting or delayed job (or delete a dead letter or a kept completed job). Running jobs cannot be cancelled."
    )

    @OptionGroup var redis: RedisOptions
    @OptionGroup var eviction: EvictionOptions
    @Argument(help: "The queue's name.") var queue: String
    @Argument(help: "The job id.") var id: String

    func run() throws {
        try reportingErrors {
            let state = try redis.queue(queue, .writing(eviction)).cancel(id: id)
            print("cancelled \(id) (was \(state.rawValue))")
        }
    }
}

struct PauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Stop handing out jobs of a queue, on every host; running jobs finish."
    )

    @OptionGroup var redis: RedisOptions
    @OptionGroup var eviction: EvictionOptions
    @Argument(help: "The queue's name.") var queue: String

    func run() throws {
        try reportingErrors {
            try redis.queue(queue, .writing(eviction)).pause()
            print("paused \(queue)")
        }
    }
}

struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Hand out jobs again after pause or emergency-stop: clear the pause and the stop request.",
        discussion: """
        Records who resumed in the queue's events (shown by jobq stats). Units stopped by jobq emergency-stop \
        are not started again: the command to start them is printed.
        """
    )

    @OptionGroup var redis: RedisOptions
    @Argument(help: "Queue names.") var queues: [String] = []
    @Flag(help: "Resume every known queue.") var all = false
    @OptionGroup var alerts: AlertOptions

    func validate() throws {
        if all == !queues.isEmpty { throw ValidationError("give queue names or --all (not both)") }
        for queue in queues where (try? QueueName(queue)) == nil { throw ValidationError("'\(queue)' is not a valid queue name") }
    }

    func run() throws {
        try reportingErrors {
            let connection = try redis.connect(.incident)
            let names = try all ? Queue.knownNames(on: connection) : queues.map(QueueName.init)
            if names.isEmpty { print("no queues known yet") }
            var events: [AlertEvent] = []
            defer { try? alerts.deliver(events, source: "resume", redis: connection.configuration) }
            for name in names {
                let result = try QueueResume.resume(Queue(name: name, connection: connection))
                if let event = AlertEvent.resumed(result, by: OperatorIdentity.current) { events.append(event) }
                var cleared: [String] = []
                if result.wasPaused { cleared.append("pause cleared") }
                if let request = result.clearedStopRequest { cleared.append("stop request of \(request.by) cleared") }
                print("resumed \(name)" + (cleared.isEmpty ? "" : " (\(cleared.joined(separator: "; ")))"))
                if let start = result.startCommand {
                    print("  the emergency stop also stopped units; start them when the cause is fixed: \(start)")
                }
            }
        }
    }
}
