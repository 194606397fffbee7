"""Baseline for the Group-IB mapping bench: the reference library (cyberintegrations 0.14.1 from
PyPI) on the same portion file. Prints JSON: seconds per step, per run."""
import json
import sys
import time

sys.path.insert(0, sys.argv[1])  # where make bench pip-installed the reference
from cyberintegrations.utils import ParserHelper  # noqa: E402,F401  (import check)
from cyberintegrations.cyberintegrations import Parser  # noqa: E402


def main() -> None:
    path, keys_path, runs = sys.argv[2], sys.argv[3], int(sys.argv[4])
    text = open(path, encoding="utf8").read()
    keys = json.load(open(keys_path, encoding="utf8"))
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        chunk = json.loads(text)
        t1 = time.perf_counter()
        parser = Parser(chunk, keys["parse"], keys["iocs"])
        parsed = parser.parse_portion()
        t2 = time.perf_counter()
        iocs = parser.get_iocs()
        t3 = time.perf_counter()
        out.append({"decode": t1 - t0, "parse": t2 - t1, "iocs": t3 - t2, "items": len(parsed), "iocCount": sum(len(v) for v in iocs.values())})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
