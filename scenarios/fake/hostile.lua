-- A hostile server: it breaks the protocol in the way the client asks for
-- by the name it gives in EHLO, so one fake-smtpd serves every poison.
--
--   fake-smtpd scenarios/fake/hostile.lua
--   swaks --server 127.0.0.1:2525 --helo blank-line.test --to a@b.test
--
-- Every reply is correct (RFC 5321 §4.2) unless the EHLO name is one of:
--
-- The EHLO reply itself is broken:
--   blank-line.test   an empty line inside the multi-line EHLO reply
--   mixed-codes.test  continuation lines with another code (§4.2.1 wants
--                     the same code on every line)
--   endless.test      an EHLO reply that never ends: "250-" lines for ever
--   partial.test      only the first 5 octets of the EHLO reply ("250-f"),
--                     then silence: input is read and discarded
--   bare-lf.test      lines end in LF instead of CRLF (§2.3.8)
--   long-line.test    a line of 4000 octets (§4.5.3.1.5 allows 512)
--
-- The session goes on, then breaks:
--   drip.test         every reply after EHLO trickles at 20 octets a second
--   no-space.test     MAIL is answered "250" with no separator before the text
--   bad-code.test     MAIL is answered with a code that is not three digits
--   code-600.test     MAIL is answered with a 6xx code, outside 2xx-5xx (§4.2)
--   extra-reply.test  MAIL is answered "250" twice but not carried out: the
--                     client takes the second copy for the answer to its RCPT
--                     and pairs every later reply with the wrong command;
--                     the real answer to RCPT is 503 (no transaction)
--   slam.test         MAIL: the connection is closed without a word
--   reset.test        MAIL: the connection is aborted with a TCP RST
--   stall.test        MAIL is never answered; input is read and discarded
--
-- What a client should do: treat the reply as a failure (or time out), close
-- the connection and keep the message queued, and never hang without a
-- deadline, mis-pair replies with commands, or read without bound. Python's
-- smtplib, for instance, reports the blank line as reply code -1.
--
-- What the HTTP API shows: each session's transcript has the exact bytes
-- sent and an event naming the rule that broke the reply; GET /api/rules
-- counts how often each poison was served.

-- The EHLO reply poisons match the EHLO command's own argument.
rule { name = "blank-line", on = "EHLO", arg = "blank-line.test", malformed = "blank-line" }
rule { name = "mixed-codes", on = "EHLO", arg = "mixed-codes.test", malformed = "mixed-codes" }
rule { name = "endless", on = "EHLO", arg = "endless.test", malformed = "endless" }
rule { name = "partial", on = "EHLO", arg = "partial.test", partial = 5 }
rule { name = "bare-lf", on = "EHLO", arg = "bare-lf.test", malformed = "bare-lf" }
rule { name = "long-line", on = "EHLO", arg = "long-line.test", malformed = "long-line" }

-- The later poisons match the name the session gave in EHLO (`helo`).
rule {
  name = "drip",
  on = { "MAIL", "RCPT", "DATA", "BDAT", ".", "RSET", "NOOP", "VRFY", "HELP", "QUIT" },
  helo = "drip.test",
  bandwidth = 20,
}
rule { name = "no-space", on = "MAIL", helo = "no-space.test", malformed = "no-space" }
rule { name = "bad-code", on = "MAIL", helo = "bad-code.test", malformed = "bad-code" }
rule { name = "code-600", on = "MAIL", helo = "code-600.test", malformed = "code-600" }
rule {
  name = "extra-reply",
  on = "MAIL",
  helo = "extra-reply.test",
  -- Raw bytes are sent as they are, so the enhanced codes are always there.
  raw = "250 2.1.0 Ok\r\n250 2.1.0 Ok\r\n",
}
rule { name = "slam", on = "MAIL", helo = "slam.test", close = true }
rule { name = "reset", on = "MAIL", helo = "reset.test", reset = true }
rule { name = "stall", on = "MAIL", helo = "stall.test", stall = true }
