import Dispatch
import Foundation
import Glibc
import JobQueue
import RedisClient

extension Supervisor {
    /// Fires the queue's schedules while the supervisor runs, standing by or active: on a thread
    /// of its own, over a connection of its own, as `host/pid` (see ``Scheduler``).
    final class ScheduleThread: Sendable {
        private let scheduler: Scheduler
        private let finished = DispatchSemaphore(value: 0)

        init(_ scheduler: Scheduler) {
            self.scheduler = scheduler
            let thread = Thread { [scheduler, finished] in
                scheduler.run()
                finished.signal()
            }
            thread.name = "jobq-scheduler"
            thread.start()
        }

        /// Stops the scheduler and waits (a bounded time) for its thread to end.
        func stop() {
            scheduler.stop()
            _ = finished.wait(timeout: .now() + .seconds(5))
        }
    }

    /// Starts firing the queue's schedules, unless ``Configuration/scheduler`` is `nil`.
    func startScheduler() -> ScheduleThread? {
        guard var schedulerConfiguration = configuration.scheduler else { return nil }
        schedulerConfiguration.holder = "\(configuration.host)/\(getpid())"
        let connection = RedisConnection(openingLazily: queue.connection.configuration)
        let queue = Queue(name: queue.name, connection: connection, configuration: queue.configuration)
        return ScheduleThread(Scheduler(queues: [queue], configuration: schedulerConfiguration, logger: logger))
    }
}
