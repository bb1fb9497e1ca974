"""The server soak's CI form (integration.soak.server): soak.py's SHORT plan,
50 s of every hostile client at once beside 1,000 idle sessions, rules
replaced over the API and well-behaved smtplib clients. It fails on a
sanitizer report line, a well-behaved message that is not stored byte for byte,
an idle session cut off, an API request not answered as expected, or a
fake-smtpd that does not exit cleanly (soak_plan.py has the marks). The
RSS is reported, not judged: that takes a run of minutes (scripts/soak.sh,
on the release build for figures without ASan's quarantine).
"""

import unittest

import soak_plan
from soak import ServerSoak, render


class ServerSoakShort(unittest.TestCase):
    def test_short_soak(self):
        report = ServerSoak(soak_plan.SHORT, log=lambda line: print(line, flush=True)).run()
        text = render(report)
        print("\n" + text, flush=True)
        self.assertEqual(report["failed"], [], text)


if __name__ == "__main__":
    unittest.main()
