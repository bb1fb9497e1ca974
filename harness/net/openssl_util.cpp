#include "net/openssl_util.hpp"

#include <openssl/err.h>

#include <limits>
#include <stdexcept>

namespace smtp::net::detail {

std::string take_openssl_errors(std::string_view fallback) {
  std::string out;
  const char* data = nullptr;
  int flags = 0;
  while (const unsigned long code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
    if (!out.empty()) out += "; ";
    const char* lib = ERR_lib_error_string(code);
    const char* reason = ERR_reason_error_string(code);
    if (lib != nullptr) {
      out += lib;
      out += ": ";
    }
    if (reason != nullptr) {
      out += reason;
    } else {
      out += "error " + std::to_string(ERR_GET_REASON(code));
    }
    // Extra data such as the file name of a failed fopen or the name of a
    // missing algorithm.
    if ((flags & ERR_TXT_STRING) != 0 && data != nullptr && *data != '\0') {
      out += " (";
      out += data;
      out += ")";
    }
  }
  return out.empty() ? std::string(fallback) : out;
}

BioPtr memory_bio(std::string_view bytes) {
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw std::length_error("memory_bio: input larger than INT_MAX");
  }
  BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
  if (!bio) throw std::bad_alloc();
  return bio;
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  if (size <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<std::size_t>(size));
}

int no_passphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*user*/) noexcept {
  return 0;
}

}  // namespace smtp::net::detail
