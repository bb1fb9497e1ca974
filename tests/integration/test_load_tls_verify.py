"""smtp-harness load with certificate verification (--tls-verify, --ca-file,
--sni) against fake-smtpd serving a certificate made for the test: a trusted
chain and a matching name pass; an unknown CA and a wrong name fail the
handshake, are counted as TLS errors and deliver nothing (RFC 6125 §6).
"""

import os
import shutil
import subprocess
import tempfile
import unittest

from loadharness import LoadTestCase

OPENSSL_TIMEOUT = 60.0


class Verification(LoadTestCase):
    @classmethod
    def setUpClass(cls):
        openssl = shutil.which("openssl")
        if not openssl:
            raise AssertionError("openssl not found: install the Debian package 'openssl'")
        cls.dir = tempfile.mkdtemp(prefix="load-tls-")
        cls.cert = os.path.join(cls.dir, "cert.pem")
        cls.key = os.path.join(cls.dir, "key.pem")
        # A self-signed certificate for localhost and 127.0.0.1, its own CA.
        subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=DNS:localhost,IP:127.0.0.1",
                        "-addext", "basicConstraints=critical,CA:TRUE",
                        "-keyout", cls.key, "-out", cls.cert],
                       check=True, capture_output=True, timeout=OPENSSL_TIMEOUT)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def server(self):
        return self.start_fake("--cert", self.cert, "--key", self.key)

    def run_tls(self, server, *extra, expect=0):
        return self.load("--target", f"{server.host}:{server.smtp_port}", "--tls", "starttls",
                         "--connections", 2, "--messages", 20, "--threads", 1, "-q", *extra,
                         expect=expect)

    def test_trusted_chain_and_matching_name_deliver(self):
        server = self.server()
        run = self.run_tls(server, "--tls-verify", "--ca-file", self.cert, "--sni", "localhost")
        c = run.result["load"]["counters"]
        self.assertEqual(c["delivered"], 20, c)
        self.assertEqual(run.result["load"]["errors"]["tls"], 0)
        self.assertEqual(server.stats()["messages_accepted"], 20)

    def test_ip_literal_target_is_checked_against_the_ip_address(self):
        server = self.server()
        run = self.run_tls(server, "--tls-verify", "--ca-file", self.cert)
        self.assertEqual(run.result["load"]["counters"]["delivered"], 20)

    def test_unknown_issuer_fails_the_handshake(self):
        server = self.server()
        # Verification on, no --ca-file: the system store does not know it.
        run = self.run_tls(server, "--tls-verify", "--sni", "localhost", "--duration", "1s",
                           expect=None)
        load = run.result["load"]
        self.assertEqual(load["counters"]["delivered"], 0, load["counters"])
        self.assertGreater(load["errors"]["tls"], 0, load["errors"])
        self.assertEqual(server.stats()["messages_accepted"], 0)
        self.assertTrue(any("TLS handshake" in s for s in load["error_samples"]),
                        load["error_samples"])

    def test_wrong_name_fails_the_handshake(self):
        server = self.server()
        run = self.run_tls(server, "--tls-verify", "--ca-file", self.cert, "--sni",
                           "mx.example.org", "--duration", "1s", expect=None)
        load = run.result["load"]
        self.assertEqual(load["counters"]["delivered"], 0)
        self.assertGreater(load["errors"]["tls"], 0)
        self.assertTrue(any("hostname mismatch" in s for s in load["error_samples"]),
                        load["error_samples"])

    def test_without_verification_any_certificate_is_accepted(self):
        server = self.server()
        run = self.run_tls(server, "--sni", "mx.example.org")
        self.assertEqual(run.result["load"]["counters"]["delivered"], 20)


if __name__ == "__main__":
    unittest.main()
