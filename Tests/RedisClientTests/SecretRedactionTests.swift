import RedisClient
import Testing

@Suite("Credentials masked in text jobq shows or stores") struct SecretRedactionTests {
    /// Each form a credential takes in a command line, an environment dump, a config line or an
    /// error, and how it must read once masked.
    static let textForms: [(String, String)] = [
        ("ingest-worker --redis redis://:c4n4ry@10.0.0.5:6379/0", "ingest-worker --redis redis://:***@10.0.0.5:6379/0"),
        ("redis://worker:c4n4ry@host/2", "redis://worker:***@host/2"),
        ("REDIS_URL=rediss://u:c4n4ry@cache.internal:6380", "REDIS_URL=rediss://u:***@cache.internal:6380"),
        ("celery -b amqp://guest:c4n4ry@mq// worker", "celery -b amqp://guest:***@mq// worker"),
        ("redis-cli -a c4n4ry -h 127.0.0.1 PING", "redis-cli -a *** -h 127.0.0.1 PING"),
        ("redis-server --requirepass c4n4ry --port 7000", "redis-server --requirepass *** --port 7000"),
        ("redis-server --requirepass=c4n4ry", "redis-server --requirepass=***"),
        ("app --pass c4n4ry", "app --pass ***"),
        ("app --password=c4n4ry --verbose", "app --password=*** --verbose"),
        ("redis-server --masterauth c4n4ry", "redis-server --masterauth ***"),
        ("JOBQ_REDIS_PASSWORD=c4n4ry", "JOBQ_REDIS_PASSWORD=***"),
        ("host=db password=c4n4ry user=app", "host=db password=*** user=app"),
        ("API_TOKEN=c4n4ry SECRET_KEY=c4n4ry", "API_TOKEN=*** SECRET_KEY=***"),
        ("requirepass c4n4ry", "requirepass ***"),
        ("postgres://app:c4n4ry@db:5432/app?sslmode=require", "postgres://app:***@db:5432/app?sslmode=require"),
    ]

    /// Text without a credential, left exactly as it was.
    static let cleanForms = [
        "ingest-worker --queue ingest --idle-exit 60s -- python3 /opt/app/ingest.py",
        "redis://127.0.0.1:6379/0",
        "unix:///run/redis/redis.sock?db=1",
        "ingest-worker --pass-env HOME --pass-redis-url -- ./job",
        "nginx: worker process",
        "python3 handler.py --batch 10 --verbose",
    ]

    @Test(arguments: textForms)
    func everyFormOfCredentialIsMasked(_ form: (String, String)) {
        #expect(SecretRedaction.redact(form.0) == form.1)
        #expect(!SecretRedaction.redact(form.0).contains("c4n4ry"))
    }

    @Test(arguments: cleanForms)
    func textWithoutACredentialIsLeftAlone(_ text: String) {
        #expect(SecretRedaction.redact(text) == text)
    }

    /// Text outside ASCII goes through the patterns whatever it holds.
    @Test func nonASCIITextIsMaskedToo() {
        #expect(SecretRedaction.redact("DB_PASSWORD=c4n4ry nom=café") == "DB_PASSWORD=*** nom=café")
        #expect(SecretRedaction.redact("café --queue q") == "café --queue q")
        // Letters that fold into a-z (long s, Kelvin sign) belong to a name, as they did with ICU.
        #expect(SecretRedaction.redact("PASSWORD\u{17F}=c4n4ry \u{212A}EY_TOKEN=c4n4ry") == "PASSWORD\u{17F}=*** \u{212A}EY_TOKEN=***")
    }

    @Test func argumentVectorsMaskTheValueAfterAPasswordOptionAndKeepTheirLength() {
        let arguments = ["redis-cli", "-a", "c4n4ry", "--user", "jobs", "-u", "redis://jobs:c4n4ry@h:6379", "--pass", "p w"]
        let masked = SecretRedaction.redact(arguments: arguments)
        #expect(masked == ["redis-cli", "-a", "***", "--user", "jobs", "-u", "redis://jobs:***@h:6379", "--pass", "***"])
        #expect(SecretRedaction.redact(arguments: ["redis-server", "--requirepass"]) == ["redis-server", "--requirepass"])
    }
}
