"""Differential vectors for the Group-IB mapping: random portions and templates (paths through
lists, `*` literals, `#path[n]`, `__nested_dot_path_to_list`, `__concatenate`, filter maps) run
through the reference, cyberintegrations 0.14.1; the outputs are written in the schema of
shared/conformance/groupib_vectors.json, for tests/js/run-groupib-vectors.mjs to replay.

  PYTHONHASHSEED=0 python3 tools/groupib_diff.py <dir holding cyberintegrations> <seed> <cases> <out.json>

PYTHONHASHSEED=0: get_iocs' per-feed order is Python set order, which the package reproduces."""
import copy
import json
import random
import sys

sys.path.insert(0, sys.argv[1])
from cyberintegrations.cyberintegrations import Parser  # noqa: E402

seed, n, out = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
R = random.Random(seed)
KEYS = ["a", "b", "c", "ip", "id", "x.y", "", "url", "n"]
# Placeholders replaced in the JSON text by number literals: `1.50`, `1E5`, `-0`, `1e400` (inf),
# 30 digits, `0.1e-5`.
LITERALS = ["#1.50#", "#1E5#", "#-0#", "#1e400#", "#-123456789012345678901234567890#", "#0.1e-5#"]


def scalar():
    return R.choice([
        lambda: R.choice(["", "1.2.3.4", "0.0.0.0", "255.255.255.255", "evil.com", "é✓", "😀\"q\\", "a.b", "x" * R.randint(0, 3)]),
        lambda: R.randint(-3, 3),
        lambda: R.choice([2**53 + 1, -2**63, 10**20, 1]),
        lambda: R.choice(LITERALS),  # a number spelled as Python's json.dumps never would
        lambda: R.choice([0.5, 1.0, -0.0, 1e21, 1e-7, 2.5e-5, 123456789.125]),
        lambda: R.choice([True, False]),
        lambda: None,
    ])()


def value(depth):
    r = R.random()
    if depth <= 0 or r < 0.4:
        return scalar()
    if r < 0.7:
        return {k: value(depth - 1) for k in R.sample(KEYS, R.randint(0, 4))}
    if r < 0.85:
        return [value(depth - 1) for _ in range(R.randint(0, 3))]
    return [{k: value(depth - 1) for k in R.sample(KEYS, R.randint(0, 3))} for _ in range(R.randint(0, 3))]


def path():
    return ".".join(R.choice(KEYS[:6] + ["a", "b"]) for _ in range(R.randint(1, 3)))


def leaf():
    r = R.random()
    if r < 0.7:
        return path()
    if r < 0.8:
        return "*" + R.choice(["", "lit", "*x", "a.b", "#x"])
    if r < 0.95:
        return "#" + path() + "[" + R.choice(["0", "1", "-1", "2", "x", ""]) + "]"
    return R.choice(["#a", "#a[0][1]", "#[0]"])


def template(depth, special=True):
    t = {}
    for name in R.sample(["f1", "f2", "f3", "f4", "n.m"], R.randint(1, 4)):
        r = R.random()
        if depth > 0 and r < 0.2:
            t[name] = template(depth - 1, special)
        elif depth > 0 and special and r < 0.28:
            sub = template(0, False)
            sub["__nested_dot_path_to_list"] = path()
            t[name] = sub
        elif special and r < 0.34:
            c = {"dynamic": path()}
            if R.random() < 0.8:
                c["static"] = R.choice(["http://", "", "x"])
            t[name] = {"__concatenate": c}
        else:
            t[name] = leaf()
    return t


def outcome(fn):
    try:
        return {"ok": fn()}
    except Exception as e:  # noqa: BLE001 - the reference's exception class is the result
        return {"error": {"type": type(e).__name__, "message": str(e)}}


def finite(v):
    """JSON can hold the result (no inf/nan outside strings): JS reads the vectors with JSON.parse."""
    if isinstance(v, float):
        return v == v and v not in (float("inf"), float("-inf"))
    if isinstance(v, dict):
        return all(finite(x) for x in v.values())
    if isinstance(v, list):
        return all(finite(x) for x in v)
    return True


vectors = []
for i in range(n):
    items = [{k: value(3) for k in R.sample(KEYS, R.randint(1, 5))} for _ in range(R.randint(0, 4))]
    r = R.random()
    if r < 0.75:
        env = {"count": len(items), "items": items, "seqUpdate": R.randint(1, 2**60)}
    elif r < 0.82:
        env = {"total": len(items), "items": items, "resultId": "r1"}
    elif r < 0.88:
        env = {"count": None, "items": items}
    elif r < 0.92:
        env = {"count": len(items)}
    else:
        env = items[0] if items else {}
    keys = template(2)
    iocs_keys = {k: path() for k in R.sample(["i1", "i2", "i3"], R.randint(1, 3))}
    keys_list = [template(1) for _ in range(R.randint(0, 2))]
    text = json.dumps(env)
    for lit in LITERALS:
        text = text.replace(json.dumps(lit), lit.strip("#"))
    outputs = {}
    p = lambda: Parser(json.loads(text), None, None)  # noqa: E731
    outputs["parse_portion"] = outcome(lambda: p().parse_portion(keys=copy.deepcopy(keys)))
    outputs["parse_portion_as_json"] = outcome(lambda: p().parse_portion(keys=copy.deepcopy(keys), as_json=True))
    outputs["parse_portion_alternative"] = outcome(lambda: p().parse_portion(keys=copy.deepcopy(keys), use_alternative_parser=True))
    outputs["get_iocs_sorted"] = outcome(lambda: p().get_iocs(keys=copy.deepcopy(iocs_keys)))
    outputs["bulk_parse_portion"] = outcome(lambda: p().bulk_parse_portion(copy.deepcopy(keys_list)))
    outputs["get_iocs_as_json"] = outcome(lambda: p().get_iocs(keys=copy.deepcopy(iocs_keys), as_json=True))
    extra = []
    for _ in range(3):
        fm = [[path(), [R.choice(["1.2.3.4", "evil.com", "", "x", "1"]) for _ in range(R.randint(0, 2))]] for _ in range(R.randint(1, 2))]
        kw = {"filter_map": fm}
        r = R.random()
        if r < 0.3:
            kw["ignore"] = True
        elif r < 0.5:
            kw["check_existence"] = True
        if R.random() < 0.3:
            kw["as_json"] = True
        method = R.choice(["parse_portion", "get_iocs"])
        k = copy.deepcopy(keys if method == "parse_portion" else iocs_keys)
        res = outcome(lambda: getattr(p(), method)(keys=k, **copy.deepcopy(kw)))
        kw2 = dict(kw)
        kw2["keys"] = keys if method == "parse_portion" else iocs_keys
        if method == "get_iocs" and not kw.get("as_json"):
            continue  # unordered: compared sorted elsewhere
        extra.append({"method": method, "kwargs": kw2, "result": res})
    outputs["extra_calls"] = [e for e in extra if finite(e["result"])]
    # a result holding inf (`1e400`) has no JSON form: only its as_json twin is compared
    outputs = {k: o for k, o in outputs.items() if k == "extra_calls" or finite(o)}
    vectors.append({"id": f"diff-{seed}-{i}", "tags": ["diff"], "input": text, "keys": keys, "iocs_keys": iocs_keys,
                    "keys_list": keys_list, "outputs": outputs})

with open(out, "w") as f:
    json.dump({"library": "cyberintegrations 0.14.1", "notes": [], "parser_vectors": vectors, "http_vectors": []}, f, allow_nan=False)
print(f"{len(vectors)} vectors")
