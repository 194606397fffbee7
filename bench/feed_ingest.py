"""Baseline for the feed-ingest bench: the seed script's approach, a Python `requests` loop
over the same simulator pages (cursor chaining, JSON decode of every page)."""
import json
import sys
import time

import requests


def main() -> None:
    base, key, limit, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    url = f"{base}/sekoia/api/v2/inthreat/collections/d6092c37-d8d7-45c3-8aff-c4dc26030608/objects"
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    results = []
    for _ in range(runs):
        t0 = time.perf_counter()
        cursor, count = None, 0
        while True:
            params = {"limit": limit}
            if cursor:
                params["cursor"] = cursor
            r = session.get(url, params=params, timeout=120)
            r.raise_for_status()
            data = r.json()
            count += len(data["items"])
            cursor = data.get("next_cursor") or cursor
            if not data["items"] or len(data["items"]) < limit:
                break
        results.append({"objects": count, "seconds": time.perf_counter() - t0})
    print(json.dumps(results))


if __name__ == "__main__":
    main()
