#pragma once
// A server's TLS identity (certificate chain + private key, both PEM), either
// generated in process for demos and tests or loaded from files.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace smtp::net {

// A certificate, key or CA file that cannot be read, parsed or used. The
// message names the file and carries OpenSSL's reason; the CLI reports it as a
// one-line configuration error (ARCHITECTURE.md §6).
class TlsSetupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TlsIdentity {
  std::string certificate_pem;  // leaf first, then any intermediates
  std::string private_key_pem;  // unencrypted
};

// A fresh EC P-256 key and a self-signed X.509 v3 certificate for it: random
// 159-bit serial, valid from one hour ago (clock skew) for 30 days,
// subjectAltName DNS:<hostname> (IP:<hostname> when it is an address literal),
// DNS:localhost, IP:127.0.0.1, IP:::1; basicConstraints CA:FALSE, keyUsage
// digitalSignature, extendedKeyUsage serverAuth (what RFC 5280 §4.2 and
// today's TLS clients expect of a server leaf). `hostname` must be 1-253
// characters of letters, digits, '-', '.', '_' or an IP address literal;
// anything else throws std::invalid_argument. Throws TlsSetupError when
// OpenSSL fails.
TlsIdentity make_self_signed(std::string_view hostname);

// Reads a PEM certificate chain and a PEM private key and checks that they
// parse and that the key belongs to the first certificate. Throws
// TlsSetupError naming the offending file (and OpenSSL's reason) otherwise.
// Encrypted keys are refused rather than prompting for a passphrase.
TlsIdentity load_identity(const std::filesystem::path& cert_file,
                          const std::filesystem::path& key_file);

}  // namespace smtp::net
