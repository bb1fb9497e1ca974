"""The reversed soak's CI form (integration.soak.reversed): one round of
soak_reversed.py, smtp-harness load and check at once against each hostile
server (a dripped greeting, replies that never end, a 10 MiB greeting,
resets mid-greeting and mid-reply). Every run must end by itself, exit 1
with errors that name what the server did, keep its RSS bounded and its
stderr free of sanitizer reports.
"""

import time
import unittest

from soak_reversed import run_round, summary


class ReversedSoakRound(unittest.TestCase):
    def test_one_round(self):
        started = time.monotonic()
        rows = run_round(log=lambda line: print(line, flush=True))
        print(summary(rows, time.monotonic() - started), flush=True)
        problems = {f"{server} / {tool}": p for server, tool, _, p in rows if p}
        self.assertEqual(problems, {})


if __name__ == "__main__":
    unittest.main()
