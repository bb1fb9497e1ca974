#include "net/tls_identity.hpp"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "temp_dir.hpp"

namespace smtp::net::tls_identity_test {
namespace {

struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

X509Ptr parse_cert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509Ptr cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return cert;
}

PkeyPtr parse_key(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return key;
}

std::string serial_hex(X509* cert) {
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  char* hex = BN_bn2hex(bn);
  std::string out(hex);
  OPENSSL_free(hex);
  BN_free(bn);
  return out;
}

// Seconds from now to `t` (negative: in the past).
long seconds_from_now(const ASN1_TIME* t) {
  int days = 0;
  int seconds = 0;
  EXPECT_EQ(ASN1_TIME_diff(&days, &seconds, nullptr, t), 1);
  return days * 86400L + seconds;
}

using test::TempDir;

// Runs `f`, which must throw TlsSetupError; returns its message.
template <typename F>
std::string setup_error(F&& f) {
  try {
    f();
  } catch (const TlsSetupError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no TlsSetupError thrown";
  return {};
}

TEST(SelfSigned, CertificateHasExpectedNamesAndExtensions) {
  const TlsIdentity id = make_self_signed("mx.example.test");
  const X509Ptr cert = parse_cert(id.certificate_pem);
  ASSERT_TRUE(cert);

  EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);
  // subjectAltName: matched by type, as a TLS client does (RFC 6125).
  EXPECT_EQ(X509_check_host(cert.get(), "mx.example.test", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "::1", 0), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "other.example.test", 0, 0, nullptr), 0);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.2", 0), 0);

  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr));
  ASSERT_NE(names, nullptr);
  EXPECT_EQ(sk_GENERAL_NAME_num(names), 4);
  GENERAL_NAMES_free(names);

  // Self-issued, CN = host name.
  char cn[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn);
  EXPECT_STREQ(cn, "mx.example.test");
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())), 0);

  EXPECT_EQ(X509_check_ca(cert.get()), 0);  // basicConstraints CA:FALSE
  EXPECT_NE(X509_get_extension_flags(cert.get()) & EXFLAG_BCONS, 0u);
  EXPECT_EQ(X509_get_key_usage(cert.get()), static_cast<uint32_t>(KU_DIGITAL_SIGNATURE));
  EXPECT_EQ(X509_get_extended_key_usage(cert.get()), static_cast<uint32_t>(XKU_SSL_SERVER));

  // Valid from an hour ago for 30 days.
  EXPECT_NEAR(seconds_from_now(X509_get0_notBefore(cert.get())), -3600, 120);
  EXPECT_NEAR(seconds_from_now(X509_get0_notAfter(cert.get())), 30L * 86400 - 3600, 120);

  // A positive serial of 20 octets (RFC 5280 §4.1.2.2).
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert.get());
  EXPECT_EQ(ASN1_STRING_type(serial), V_ASN1_INTEGER);
  EXPECT_EQ(ASN1_STRING_length(serial), 20);
}

TEST(SelfSigned, KeyIsP256AndMatchesAndSignsTheCertificate) {
  const TlsIdentity id = make_self_signed("localhost");
  const X509Ptr cert = parse_cert(id.certificate_pem);
  const PkeyPtr key = parse_key(id.private_key_pem);
  ASSERT_TRUE(cert);
  ASSERT_TRUE(key);
  EXPECT_EQ(id.private_key_pem.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);  // PKCS#8
  EXPECT_EQ(EVP_PKEY_is_a(key.get(), "EC"), 1);
  char group[64] = {};
  ASSERT_EQ(EVP_PKEY_get_utf8_string_param(key.get(), OSSL_PKEY_PARAM_GROUP_NAME, group,
                                           sizeof group, nullptr),
            1);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);
  EXPECT_EQ(X509_verify(cert.get(), key.get()), 1);
  // "localhost" is listed once, not twice.
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr));
  ASSERT_NE(names, nullptr);
  EXPECT_EQ(sk_GENERAL_NAME_num(names), 3);
  GENERAL_NAMES_free(names);
}

TEST(SelfSigned, EveryCallMakesANewKeyAndSerial) {
  const TlsIdentity a = make_self_signed("localhost");
  const TlsIdentity b = make_self_signed("localhost");
  EXPECT_NE(a.private_key_pem, b.private_key_pem);
  const X509Ptr ca = parse_cert(a.certificate_pem);
  const X509Ptr cb = parse_cert(b.certificate_pem);
  ASSERT_TRUE(ca && cb);
  EXPECT_NE(serial_hex(ca.get()), serial_hex(cb.get()));
}

TEST(SelfSigned, AddressLiteralBecomesAnIpName) {
  const TlsIdentity id = make_self_signed("192.0.2.7");
  const X509Ptr cert = parse_cert(id.certificate_pem);
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "192.0.2.7", 0), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "192.0.2.7", 0, 0, nullptr), 0);
}

TEST(SelfSigned, LongHostNameGetsGenericCommonNameButExactSan) {
  const std::string host = std::string(70, 'a') + ".example.test";
  const X509Ptr cert = parse_cert(make_self_signed(host).certificate_pem);
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_check_host(cert.get(), host.c_str(), host.size(), 0, nullptr), 1);
  char cn[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn);
  EXPECT_STREQ(cn, "smtp-harness");
}

TEST(SelfSigned, RejectsWhatIsNotAHostName) {
  EXPECT_THROW(make_self_signed(""), std::invalid_argument);
  EXPECT_THROW(make_self_signed("a,IP:10.0.0.1"), std::invalid_argument);
  EXPECT_THROW(make_self_signed("bad host"), std::invalid_argument);
  EXPECT_THROW(make_self_signed(std::string(254, 'a')), std::invalid_argument);
}

TEST(LoadIdentity, ReadsWhatMakeSelfSignedWrote) {
  const TempDir dir;
  const TlsIdentity made = make_self_signed("localhost");
  const auto cert = dir.write("cert.pem", made.certificate_pem);
  const auto key = dir.write("key.pem", made.private_key_pem);
  const TlsIdentity loaded = load_identity(cert, key);
  EXPECT_EQ(loaded.certificate_pem, made.certificate_pem);
  EXPECT_EQ(loaded.private_key_pem, made.private_key_pem);
}

TEST(LoadIdentity, AcceptsAChainAfterTheLeaf) {
  const TempDir dir;
  const TlsIdentity leaf = make_self_signed("localhost");
  const TlsIdentity other = make_self_signed("intermediate.test");
  const auto cert = dir.write("chain.pem", leaf.certificate_pem + other.certificate_pem);
  const auto key = dir.write("key.pem", leaf.private_key_pem);
  EXPECT_EQ(load_identity(cert, key).certificate_pem, leaf.certificate_pem + other.certificate_pem);
}

TEST(LoadIdentity, MissingFileIsNamedWithTheSystemReason) {
  const TempDir dir;
  const auto key = dir.write("key.pem", make_self_signed("localhost").private_key_pem);
  const std::string message = setup_error([&] { load_identity("/nonexistent/cert.pem", key); });
  EXPECT_NE(message.find("'/nonexistent/cert.pem'"), std::string::npos) << message;
  EXPECT_NE(message.find("No such file or directory"), std::string::npos) << message;
}

TEST(LoadIdentity, GarbageCertificateIsNamedWithOpensslReason) {
  const TempDir dir;
  const auto cert = dir.write("cert.pem", "this is not PEM\n");
  const auto key = dir.write("key.pem", make_self_signed("localhost").private_key_pem);
  const std::string message = setup_error([&] { load_identity(cert, key); });
  EXPECT_NE(message.find("invalid certificate file '" + cert.string() + "'"), std::string::npos)
      << message;
  EXPECT_NE(message.find("no start line"), std::string::npos) << message;
}

TEST(LoadIdentity, BrokenSecondCertificateInChainIsAnError) {
  const TempDir dir;
  const TlsIdentity id = make_self_signed("localhost");
  const auto cert = dir.write("cert.pem", id.certificate_pem +
                                              "-----BEGIN CERTIFICATE-----\nAAAA\n"
                                              "-----END CERTIFICATE-----\n");
  const auto key = dir.write("key.pem", id.private_key_pem);
  const std::string message = setup_error([&] { load_identity(cert, key); });
  EXPECT_NE(message.find("chain of '" + cert.string() + "'"), std::string::npos) << message;
}

TEST(LoadIdentity, GarbageKeyIsNamed) {
  const TempDir dir;
  const auto cert = dir.write("cert.pem", make_self_signed("localhost").certificate_pem);
  const auto key = dir.write("key.pem",
                             "-----BEGIN PRIVATE KEY-----\nAAAA\n"
                             "-----END PRIVATE KEY-----\n");
  const std::string message = setup_error([&] { load_identity(cert, key); });
  EXPECT_NE(message.find("invalid private key file '" + key.string() + "'"), std::string::npos)
      << message;
}

TEST(LoadIdentity, CertificateGivenAsKeyIsRefused) {
  const TempDir dir;
  const std::string pem = make_self_signed("localhost").certificate_pem;
  const auto cert = dir.write("cert.pem", pem);
  const auto key = dir.write("key.pem", pem);
  const std::string message = setup_error([&] { load_identity(cert, key); });
  EXPECT_NE(message.find("'" + key.string() + "'"), std::string::npos) << message;
}

TEST(LoadIdentity, KeyOfAnotherCertificateIsRefused) {
  const TempDir dir;
  const auto cert = dir.write("cert.pem", make_self_signed("localhost").certificate_pem);
  const auto key = dir.write("key.pem", make_self_signed("localhost").private_key_pem);
  const std::string message = setup_error([&] { load_identity(cert, key); });
  EXPECT_NE(message.find("private key '" + key.string() + "' does not match the certificate '" +
                         cert.string() + "'"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("key values mismatch"), std::string::npos) << message;
}

TEST(LoadIdentity, EncryptedKeyFailsInsteadOfPrompting) {
  const TempDir dir;
  const TlsIdentity id = make_self_signed("localhost");
  const PkeyPtr key = parse_key(id.private_key_pem);
  ASSERT_TRUE(key);
  BIO* bio = BIO_new(BIO_s_mem());
  static const char kPass[] = "secret";
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(bio, key.get(), EVP_aes_128_cbc(), kPass,
                                          sizeof kPass - 1, nullptr, nullptr),
            1);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  const std::string encrypted(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  ASSERT_NE(encrypted.find("ENCRYPTED"), std::string::npos);

  const auto cert = dir.write("cert.pem", id.certificate_pem);
  const auto key_file = dir.write("key.pem", encrypted);
  const std::string message = setup_error([&] { load_identity(cert, key_file); });
  EXPECT_NE(message.find("invalid private key file '" + key_file.string() + "'"), std::string::npos)
      << message;
}

}  // namespace
}  // namespace smtp::net::tls_identity_test
