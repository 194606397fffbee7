"""Float vectors for the Group-IB mapping: JSON number texts that are hard to read or to write
back (random doubles, 25-digit texts, exact ties, exact midpoints between two doubles written out
in full, the subnormal and overflow edges, powers of two and ten) in portions run through the
reference, cyberintegrations 0.14.1. In the wasm, floats are read and written by the JS engine
(src/core/mapping/pyfloat.rs): these hold its `float(text)` and `repr(x)` to CPython's, byte for
byte (`parse_portion_as_json`) and as values (`parse_portion`).

  python3 tools/groupib_float_vectors.py <dir holding cyberintegrations> <out.json>

Deterministic (fixed seed); tests/data/groupib_float_vectors.json is its output."""
import json
import math
import random
import struct
import sys

sys.path.insert(0, sys.argv[1])
from cyberintegrations.cyberintegrations import Parser  # noqa: E402

R = random.Random(20261208)
out = sys.argv[2]


def random_double():
    while True:
        x = struct.unpack("<d", R.getrandbits(64).to_bytes(8, "little"))[0]
        if math.isfinite(x):
            return x


def exact_decimal(num, shift):
    """num / 10**shift as a plain decimal text."""
    s = str(num).rjust(shift + 1, "0")
    return s[:-shift] + "." + s[-shift:] if shift else s


def midpoint_text():
    """The exact midpoint between two adjacent doubles (correct rounding goes to the even one)."""
    m = R.getrandbits(52) | (1 << 52)
    e = -R.randint(1, 60)  # (2m + 1) * 2^(e - 1) = (2m + 1) * 5^(1 - e) / 10^(1 - e)
    return exact_decimal((2 * m + 1) * 5 ** (1 - e), 1 - e)


texts = []
texts += [repr(random_double()) for _ in range(1200)]
texts += ["%.25g" % random_double() for _ in range(400)]
# exact ties at the 17th digit (like 899807564243624.25): two shortest candidates, equally close
texts += [exact_decimal(R.randint(10**15, 9 * 10**15) * 100 + R.choice([25, 75]), 2) for _ in range(300)]
texts += [exact_decimal(R.randint(10**14, 9 * 10**14) * 1000 + R.choice([125, 375, 625, 875]), 3) for _ in range(200)]
for _ in range(150):
    t = midpoint_text()
    texts += [t, t + "0000001", t[:-1] + str(int(t[-1]) - 1) + "9999"]
texts += ["5e-324", "2.4703282292062327e-324", "2.4703282292062328e-324", "4.9406564584124654e-324", "2.2250738585072014e-308",
          "2.2250738585072011e-308", "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "1e400",
          "-1e400", "1e-400", "-1e-400", "-0.0", "0.0", "0e0", "1E5", "1.50", "9007199254740993.0", "0.1e-5", "123456789.125"]
texts += [repr(2.0 ** e) for e in range(-1074, 1024, 7)]
texts += [f"1e{e}" for e in range(-330, 320, 3)]
texts = [("-" if R.random() < 0.25 and not t.startswith("-") else "") + t for t in texts]

vectors = []
per = 150
for i in range(0, len(texts), per):
    chunk = texts[i:i + per]
    # items as JSON text with the numbers spelled exactly as above
    text = '{"count": %d, "items": [%s]}' % (len(chunk), ", ".join('{"v": %s}' % t for t in chunk))
    keys = {"v": "v"}
    p = Parser(json.loads(text), None, None)
    outputs = {"parse_portion_as_json": {"ok": p.parse_portion(keys=dict(keys), as_json=True)}}
    values = Parser(json.loads(text), None, None).parse_portion(keys=dict(keys))
    if all(math.isfinite(r["v"]) for r in values):
        outputs["parse_portion"] = {"ok": values}
    vectors.append({"id": f"float-{i // per}", "tags": ["float"], "input": text, "keys": keys, "outputs": outputs})

with open(out, "w") as f:
    json.dump({"library": "cyberintegrations 0.14.1", "notes": [__doc__.split("\n\n")[0]], "parser_vectors": vectors, "http_vectors": []}, f,
              allow_nan=False)
print(f"{len(texts)} numbers in {len(vectors)} vectors")
