#include "net/tls_identity.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "net/openssl_util.hpp"

namespace smtp::net {
namespace {

using detail::take_openssl_errors;

constexpr long kHour = 60L * 60L;
constexpr long kValiditySeconds = 30L * 24L * kHour;
// RFC 5280 §4.1.2.2: a positive serial of at most 20 octets. 159 random bits
// with the top one set encode in exactly 20 octets with a clear sign bit.
constexpr int kSerialBits = 159;
// RFC 5280 ub-common-name. The CN is informational only (clients match the
// SAN, RFC 6125 §6.4.4), so a longer host name just gets a generic CN.
constexpr std::size_t kMaxCommonName = 64;
constexpr std::size_t kMaxHostname = 253;
// A certificate chain or key file larger than this is not one.
constexpr std::size_t kMaxPemFile = 1 << 20;

[[noreturn]] void fail(const std::string& what) {
  throw TlsSetupError(what + ": " + take_openssl_errors());
}

void check(int ok, const char* what) {
  if (ok <= 0) fail(what);
}

bool valid_hostname(std::string_view name) {
  if (name.empty() || name.size() > kMaxHostname) return false;
  for (const char c : name) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && c != '-' && c != '.' && c != '_') return false;
  }
  return true;
}

// An IP address literal as the 4 or 16 octets of an iPAddress GeneralName, or
// null when `text` is not one.
detail::OctetStringPtr ip_octets(const std::string& text) {
  detail::OctetStringPtr ip(a2i_IPADDRESS(text.c_str()));
  ERR_clear_error();  // a2i_IPADDRESS queues an error for non-addresses
  return ip;
}

detail::PkeyPtr generate_p256_key() {
  detail::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!ctx) fail("cannot create an EC key context");
  check(EVP_PKEY_keygen_init(ctx.get()), "EVP_PKEY_keygen_init");
  check(EVP_PKEY_CTX_set_group_name(ctx.get(), "P-256"), "cannot select the P-256 curve");
  EVP_PKEY* key = nullptr;
  check(EVP_PKEY_generate(ctx.get(), &key), "cannot generate a P-256 key");
  return detail::PkeyPtr(key);
}

void set_random_serial(X509* cert) {
  detail::BignumPtr bn(BN_new());
  if (!bn) fail("BN_new");
  check(BN_rand(bn.get(), kSerialBits, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY), "BN_rand");
  if (BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) {
    fail("cannot set the serial number");
  }
}

// Takes ownership of `value`.
void add_general_name(GENERAL_NAMES* names, int type, ASN1_STRING* value) {
  detail::GeneralNamePtr name(GENERAL_NAME_new());
  if (!name) {
    ASN1_STRING_free(value);
    fail("GENERAL_NAME_new");
  }
  GENERAL_NAME_set0_value(name.get(), type, value);  // the name owns value from here
  if (sk_GENERAL_NAME_push(names, name.get()) <= 0) fail("sk_GENERAL_NAME_push");
  (void)name.release();  // owned by the stack now
}

void add_dns_name(GENERAL_NAMES* names, std::string_view dns) {
  ASN1_IA5STRING* value = ASN1_IA5STRING_new();
  if (value == nullptr) fail("ASN1_IA5STRING_new");
  if (ASN1_STRING_set(value, dns.data(), static_cast<int>(dns.size())) <= 0) {
    ASN1_IA5STRING_free(value);
    fail("ASN1_STRING_set");
  }
  add_general_name(names, GEN_DNS, value);
}

void add_ip_address(GENERAL_NAMES* names, detail::OctetStringPtr ip) {
  add_general_name(names, GEN_IPADD, ip.release());
}

void add_subject_alt_names(X509* cert, const std::string& hostname) {
  detail::GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) fail("sk_GENERAL_NAME_new_null");
  // RFC 6125 §6.4: names are matched by type, so an address literal must be
  // an iPAddress entry; a dNSName "127.0.0.1" would never match.
  std::vector<std::string> seen;
  auto add = [&](const std::string& name) {
    for (const auto& s : seen) {
      if (s == name) return;
    }
    seen.push_back(name);
    if (auto ip = ip_octets(name)) {
      add_ip_address(names.get(), std::move(ip));
    } else {
      add_dns_name(names.get(), name);
    }
  };
  add(hostname);
  add("localhost");
  add("127.0.0.1");
  add("::1");
  check(X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT),
        "cannot add subjectAltName");
}

void add_server_leaf_extensions(X509* cert) {
  detail::BasicConstraintsPtr bc(BASIC_CONSTRAINTS_new());
  if (!bc) fail("BASIC_CONSTRAINTS_new");
  bc->ca = 0;
  // RFC 5280 §4.2.1.9: critical in CA certificates, allowed in end entities.
  check(X509_add1_ext_i2d(cert, NID_basic_constraints, bc.get(), 1, X509V3_ADD_DEFAULT),
        "cannot add basicConstraints");

  detail::AsnBitStringPtr usage(ASN1_BIT_STRING_new());
  if (!usage) fail("ASN1_BIT_STRING_new");
  // Bit 0 is digitalSignature (RFC 5280 §4.2.1.3): all an ECDHE-ECDSA server
  // key does. The extension SHOULD be critical.
  check(ASN1_BIT_STRING_set_bit(usage.get(), 0, 1), "ASN1_BIT_STRING_set_bit");
  check(X509_add1_ext_i2d(cert, NID_key_usage, usage.get(), 1, X509V3_ADD_DEFAULT),
        "cannot add keyUsage");

  detail::ExtKeyUsagePtr eku(sk_ASN1_OBJECT_new_null());
  if (!eku) fail("sk_ASN1_OBJECT_new_null");
  ASN1_OBJECT* server_auth = OBJ_nid2obj(NID_server_auth);  // static, never freed
  if (server_auth == nullptr || sk_ASN1_OBJECT_push(eku.get(), server_auth) <= 0) {
    fail("cannot build extendedKeyUsage");
  }
  check(X509_add1_ext_i2d(cert, NID_ext_key_usage, eku.get(), 0, X509V3_ADD_DEFAULT),
        "cannot add extendedKeyUsage");
}

void set_subject_and_issuer(X509* cert, const std::string& hostname) {
  const std::string cn = hostname.size() <= kMaxCommonName ? hostname : "smtp-harness";
  X509_NAME* name = X509_get_subject_name(cert);
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(cn.data()),
                                   static_cast<int>(cn.size()), -1, 0),
        "cannot set the subject name");
  check(X509_set_issuer_name(cert, name), "cannot set the issuer name");  // self-signed
}

std::string to_pem(X509* cert) {
  detail::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) fail("BIO_new");
  check(PEM_write_bio_X509(bio.get(), cert), "PEM_write_bio_X509");
  return detail::bio_contents(bio.get());
}

std::string to_pem(EVP_PKEY* key) {
  detail::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) fail("BIO_new");
  // PKCS#8, unencrypted: what every TLS stack and `openssl` reads.
  check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr),
        "PEM_write_bio_PrivateKey");
  return detail::bio_contents(bio.get());
}

// ---- loading -------------------------------------------------------------

std::string quoted(const std::filesystem::path& path) {
  return "'" + path.string() + "'";
}

std::string read_pem_file(const std::filesystem::path& path, const char* what) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) {
    const int err = errno;
    throw TlsSetupError("cannot read " + std::string(what) + " " + quoted(path) + ": " +
                        std::generic_category().message(err));
  }
  std::string data;
  char chunk[4096];
  while (const std::size_t n = std::fread(chunk, 1, sizeof chunk, file.get())) {
    data.append(chunk, n);
    if (data.size() > kMaxPemFile) {
      throw TlsSetupError(std::string(what) + " " + quoted(path) + " is larger than " +
                          std::to_string(kMaxPemFile) + " bytes");
    }
  }
  if (std::ferror(file.get()) != 0) {
    const int err = errno;
    throw TlsSetupError("cannot read " + std::string(what) + " " + quoted(path) + ": " +
                        std::generic_category().message(err));
  }
  return data;
}

bool is_end_of_pem(unsigned long err) {
  return ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE;
}

// Parses every certificate of the chain, returns the first (the leaf).
detail::X509Ptr parse_chain(const std::string& pem, const std::filesystem::path& path) {
  ERR_clear_error();
  detail::BioPtr bio = detail::memory_bio(pem);
  detail::X509Ptr leaf(PEM_read_bio_X509(bio.get(), nullptr, &detail::no_passphrase, nullptr));
  if (!leaf) fail("invalid certificate file " + quoted(path));
  while (detail::X509Ptr next{
      PEM_read_bio_X509(bio.get(), nullptr, &detail::no_passphrase, nullptr)}) {
  }
  // The loop ends at the end of the input (no further BEGIN line) or at a
  // broken certificate; only the latter is an error.
  if (!is_end_of_pem(ERR_peek_last_error())) {
    fail("invalid certificate in the chain of " + quoted(path));
  }
  ERR_clear_error();
  return leaf;
}

}  // namespace

TlsIdentity make_self_signed(std::string_view hostname_view) {
  const std::string hostname(hostname_view);
  if (!valid_hostname(hostname) && !ip_octets(hostname)) {
    throw std::invalid_argument("make_self_signed: not a host name or IP address: '" + hostname +
                                "'");
  }
  ERR_clear_error();
  detail::PkeyPtr key = generate_p256_key();
  detail::X509Ptr cert(X509_new());
  if (!cert) fail("X509_new");
  check(X509_set_version(cert.get(), X509_VERSION_3), "X509_set_version");
  set_random_serial(cert.get());
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kHour) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), -kHour + kValiditySeconds) == nullptr) {
    fail("cannot set the validity period");
  }
  set_subject_and_issuer(cert.get(), hostname);
  check(X509_set_pubkey(cert.get(), key.get()), "X509_set_pubkey");
  add_server_leaf_extensions(cert.get());
  add_subject_alt_names(cert.get(), hostname);
  check(X509_sign(cert.get(), key.get(), EVP_sha256()), "cannot sign the certificate");
  return TlsIdentity{to_pem(cert.get()), to_pem(key.get())};
}

TlsIdentity load_identity(const std::filesystem::path& cert_file,
                          const std::filesystem::path& key_file) {
  TlsIdentity identity{read_pem_file(cert_file, "certificate file"),
                       read_pem_file(key_file, "private key file")};
  const detail::X509Ptr leaf = parse_chain(identity.certificate_pem, cert_file);

  ERR_clear_error();
  const detail::BioPtr key_bio = detail::memory_bio(identity.private_key_pem);
  const detail::PkeyPtr key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, &detail::no_passphrase, nullptr));
  if (!key) fail("invalid private key file " + quoted(key_file));

  if (X509_check_private_key(leaf.get(), key.get()) != 1) {
    fail("private key " + quoted(key_file) + " does not match the certificate " +
         quoted(cert_file));
  }
  return identity;
}

}  // namespace smtp::net
