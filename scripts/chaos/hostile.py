"""Messages for the malformed-input scenario, pushed straight onto a queue's waiting list: valid
jobs in varied shapes, and hostile messages that must each end as a `malformed:` dead letter."""
import json
import random

# How much of a malformed message jobq keeps with its dead letter.
KEPT_BYTES = 65536


def valid(index, rng):
    """A valid job the example worker completes: payload {"n": index, ...} in one of several shapes."""
    payload = {"n": index}
    message = {"payload": payload, "id": f"valid-{index}"}
    shape = index % 5
    if shape == 1:
        payload["text"] = "héllo ✓ \u2028 \U0001F600 \"quoted\" \\ /"
    elif shape == 2:
        message.update(type="chaos", max_attempts=rng.randint(1, 1000), enqueued_at=1_700_000_000_000)
    elif shape == 3:
        message["unknown_field"] = {"kept": [1, 2, {"x": None}]}
    elif shape == 4:
        payload["nested"] = json.loads("[" * 50 + "]" * 50)
    return json.dumps(message, ensure_ascii=shape != 1).encode()


def _deep(depth):
    return b'{"payload":' + b"[" * depth + b"]" * depth + b"}"


# Each hostile kind: a name and a function of (rng) giving the raw bytes.
HOSTILE_KINDS = [
    # Never starting with "@", which marks a reference (its own kind below).
    ("random bytes", lambda rng: bytes([rng.randrange(65, 256)]) + bytes(rng.randrange(256) for _ in range(rng.randint(0, 200)))),
    ("reference to no job", lambda rng: rng.choice([b"@", b"@no-such-job", b"@" + bytes(rng.randrange(256) for _ in range(20))])),
    ("truncated JSON", lambda rng: b'{"payload":{"n":1,"text":"abc"},"id":"t"}'[:rng.randint(1, 40)]),
    ("trailing garbage", lambda rng: b'{"payload":{"n":1}} trailing'),
    ("NUL byte", lambda rng: rng.choice([b'{"payload":{"n":1}}\x00', b'{"payload":2\x00}', b'\x00{"payload":1}'])),
    ("byte-order mark", lambda rng: b'\xef\xbb\xbf{"payload":{"n":1}}'),
    ("invalid UTF-8", lambda rng: rng.choice([b'{"payload":"\xff\xfe"}', b'{"payload":{"n":1,"s":"\xc3"}}',
                                              b'{"payload":{"n":1},"type":"\xed\xa0\x80"}'])),
    ("not an object", lambda rng: rng.choice([b"[1,2,3]", b"[]", b"42", b"-0.5e3", b'"payload"', b"null", b"true",
                                              b"", b"   ", b'[{"payload":1}]'])),
    ("no payload", lambda rng: rng.choice([b"{}", b'{"id":"x"}', b'{"Payload":1}', b'{"payload ":1}'])),
    ("wrong field type", lambda rng: rng.choice([
        b'{"payload":{"n":1},"id":5}', b'{"payload":{"n":1},"id":""}', b'{"payload":{"n":1},"id":"@ref"}',
        b'{"payload":{"n":1},"id":null}', b'{"payload":{"n":1},"id":"a\\u0001b"}', b'{"payload":{"n":1},"id":"' + b"x" * 201 + b'"}',
        b'{"payload":{"n":1},"type":[]}', b'{"payload":{"n":1},"type":""}', b'{"payload":{"n":1},"max_attempts":"3"}',
        b'{"payload":{"n":1},"max_attempts":0}', b'{"payload":{"n":1},"max_attempts":1001}', b'{"payload":{"n":1},"max_attempts":1.5}',
        b'{"payload":{"n":1},"max_attempts":1e400}', b'{"payload":{"n":1},"enqueued_at":"yesterday"}',
        b'{"payload":{"n":1},"limiter":"has space"}', b'{"payload":{"n":1},"concurrency_key":{}}'])),
    ("numbers only Lua accepts", lambda rng: rng.choice([b'{"payload":nan}', b'{"payload":0x10}', b'{"payload":inf}',
                                                         b'{"payload":{"n":1},"max_attempts":nan}'])),
    ("deep nesting", lambda rng: _deep(rng.choice([600, 1001, 5000]))),
    ("huge", lambda rng: b'{"payload":{"n":1,"blob":"' + b"x" * (2 * 1024 * 1024) + b'"}}'),
]
# How many of each kind, out of the hostile total (the rest go to the cheap kinds, round robin).
CAPPED = {"huge": 10, "deep nesting": 60}


def messages(total, seed):
    """`total` messages, half valid and half hostile, shuffled. Returns (raw bytes, kind) pairs,
    kind being "valid" or the hostile kind's name."""
    rng = random.Random(seed)
    valid_count = total // 2
    items = [(valid(index, rng), "valid") for index in range(valid_count)]
    hostile_count = total - valid_count
    for name, make in HOSTILE_KINDS:
        if name in CAPPED:
            items += [(make(rng), name) for _ in range(CAPPED[name])]
    cheap = [(name, make) for name, make in HOSTILE_KINDS if name not in CAPPED]
    remaining = hostile_count - sum(CAPPED.values())
    items += [(cheap[i % len(cheap)][1](rng), cheap[i % len(cheap)][0]) for i in range(remaining)]
    rng.shuffle(items)
    return items
