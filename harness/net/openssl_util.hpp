#pragma once
// RAII owners and error text for the OpenSSL objects this layer creates.
// Internal to harness/net: nothing above net/ includes OpenSSL directly.
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <string_view>

namespace smtp::net::detail {

template <auto Free>
struct OpensslFree {
  template <typename T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};

using AsnBitStringPtr = std::unique_ptr<ASN1_BIT_STRING, OpensslFree<&ASN1_BIT_STRING_free>>;
using BasicConstraintsPtr =
    std::unique_ptr<BASIC_CONSTRAINTS, OpensslFree<&BASIC_CONSTRAINTS_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpensslFree<&BN_free>>;
using BioPtr = std::unique_ptr<BIO, OpensslFree<&BIO_free_all>>;
using ExtKeyUsagePtr = std::unique_ptr<EXTENDED_KEY_USAGE, OpensslFree<&EXTENDED_KEY_USAGE_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, OpensslFree<&GENERAL_NAME_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OpensslFree<&GENERAL_NAMES_free>>;
using OctetStringPtr = std::unique_ptr<ASN1_OCTET_STRING, OpensslFree<&ASN1_OCTET_STRING_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OpensslFree<&EVP_PKEY_CTX_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpensslFree<&EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpensslFree<&X509_free>>;

// Drains OpenSSL's thread-local error queue into one line such as
// "PEM routines: no start line", oldest first, so that a stale error can never
// leak into the next, unrelated message. Returns `fallback` when it is empty.
std::string take_openssl_errors(std::string_view fallback = "unknown OpenSSL error");

// A read-only memory BIO over `bytes` (which must outlive it).
BioPtr memory_bio(std::string_view bytes);

// The whole content of a memory BIO (what PEM_write_bio_* produced).
std::string bio_contents(BIO* bio);

// A PEM passphrase callback that never supplies one: encrypted keys then fail
// with a clear error instead of OpenSSL prompting on the terminal.
int no_passphrase(char* buf, int size, int rwflag, void* user) noexcept;

}  // namespace smtp::net::detail
