#pragma once
// How many SMTP sessions fake-smtpd can serve at once: each holds one file
// descriptor (its socket), and a session accepted past RLIMIT_NOFILE costs
// an accept() that fails with EMFILE, not a reply. So the default session
// cap is the open-file limit minus what the rest of the server needs, and
// the session past it is answered "421 4.3.2" (RFC 5321 §3.8) while a
// descriptor is still free to say so.
#include <cstddef>
#include <cstdint>

namespace smtp::fake {

// Descriptors kept for everything but sessions: stdin/stdout/stderr, the
// event loop's own (epoll, its wake-up and timer descriptors, the signal
// pipe), the listeners, the HTTP API and its clients, the maildir store's
// file and directory while a message is written, and a session or two past
// the cap while they are told 421. Each of those is one to three; the
// rest is headroom for the API's clients.
inline constexpr std::uint64_t kReservedDescriptors = 64;

// Raises the soft RLIMIT_NOFILE to the hard one (a server that holds
// thousands of sessions wants them all) and returns the soft limit then in
// force. An infinite hard limit leaves the soft one as it is.
std::uint64_t raise_descriptor_limit();

// The default session cap for an open-file limit: the limit minus
// kReservedDescriptors, and at least 1.
std::size_t sessions_for_descriptors(std::uint64_t open_file_limit);

}  // namespace smtp::fake
