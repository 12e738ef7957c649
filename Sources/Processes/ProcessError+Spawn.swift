import CJobqSystem
import Glibc

extension ProcessError {
    /// Turns the C shim's (stage, errno, index) report into an error a person can act on.
    init(spawnFailure failure: jobq_spawn_failure, path: String, options: LaunchOptions, rlimits: [jobq_rlimit]) {
        let error = failure.error_number
        let index = Int(failure.index)
        switch Int(failure.stage) {
        case Int(JOBQ_STAGE_CGROUP.rawValue):
            let cgroup = options.cgroupProcsPaths.indices.contains(index) ? options.cgroupProcsPaths[index] : "#\(index)"
            self.init(code: .cgroupJoinFailed, message: "cannot join cgroup \(cgroup)", errno: error)
        case Int(JOBQ_STAGE_CHDIR.rawValue):
            self.init(
                code: .workingDirectoryFailed,
                message: "cannot change to working directory \(options.workingDirectory ?? "")", errno: error
            )
        case Int(JOBQ_STAGE_RLIMIT.rawValue):
            let limit = rlimits.indices.contains(index) ? ResourceLimits.describe(rlimits[index]) : "#\(index)"
            self.init(code: .resourceLimitFailed, message: "cannot apply resource limit \(limit)", errno: error)
        case Int(JOBQ_STAGE_EXEC.rawValue):
            let code: Code = switch error {
            case ENOENT, ENOTDIR: .executableNotFound
            case EACCES, ENOEXEC, EISDIR, EPERM, ELOOP: .notExecutable
            default: .spawnFailed
            }
            self.init(code: code, message: "cannot execute \(path)", errno: error)
        case Int(JOBQ_STAGE_PROCESS_GROUP.rawValue):
            self.init(code: .spawnFailed, message: "cannot put \(path) in a new process group", errno: error)
        case Int(JOBQ_STAGE_STDIO.rawValue):
            self.init(code: .spawnFailed, message: "cannot set up standard stream \(index) for \(path)", errno: error)
        case Int(JOBQ_STAGE_SIGNALS.rawValue):
            self.init(code: .spawnFailed, message: "cannot reset signal handling for \(path)", errno: error)
        case Int(JOBQ_STAGE_PARENT_DEATH.rawValue):
            let why = error == ESRCH ? ": the parent died before it was started" : ""
            self.init(code: .spawnFailed, message: "cannot set the parent-death signal of \(path)\(why)", errno: error)
        case Int(JOBQ_STAGE_FORK.rawValue):
            self.init(code: .spawnFailed, message: "cannot fork to start \(path)", errno: error)
        default:
            self.init(code: .spawnFailed, message: "cannot create the launch report pipe for \(path)", errno: error)
        }
    }
}
