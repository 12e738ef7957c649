"""What a scenario reports."""
from dataclasses import dataclass, field


@dataclass
class Result:
    name: str
    jobs: int = 0
    completed: int = 0
    duplicates: int = 0
    dead: int = 0
    waiting: int = 0
    lost: int = 0
    recovery: str = "—"
    notes: list = field(default_factory=list)
    failures: list = field(default_factory=list)

    def expect(self, condition, failure):
        """Records `failure` unless `condition` holds."""
        if not condition:
            self.failures.append(failure)

    def take_audit(self, outcome, reasons):
        self.completed = outcome["completed"]
        self.duplicates = outcome["duplicates"]
        self.dead = outcome["dead"]
        self.waiting = outcome["waiting"]
        self.lost = outcome["lost"]
        if reasons:
            self.notes.append("dead letters: " + ", ".join(f"{count} {kind}" for kind, count in reasons.most_common()))
        self.expect(self.lost == 0, f"{self.lost} jobs lost")

    @property
    def passed(self):
        return not self.failures
