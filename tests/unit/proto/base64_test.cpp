#include "proto/base64.hpp"

#include <gtest/gtest.h>

#include <string>

namespace smtp::proto::base64_test {
namespace {

// RFC 4648 §10 test vectors.
TEST(Base64, EncodesRfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(Base64, DecodesRfc4648Vectors) {
  EXPECT_EQ(base64_decode("Zm9vYmFy"), "foobar");
  EXPECT_EQ(base64_decode("Zm9vYg=="), "foob");
  EXPECT_EQ(base64_decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(base64_decode(""), "");
}

TEST(Base64, DecodesSaslPlainWithNuls) {
  // "\0user\0pass", what swaks sends for AUTH PLAIN.
  EXPECT_EQ(base64_decode("AHVzZXIAcGFzcw=="), std::string("\0user\0pass", 10));
}

TEST(Base64, RoundTripsEveryByteValue) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    const auto part = all.substr(0, n);
    EXPECT_EQ(base64_decode(base64_encode(part)), part) << n;
  }
}

TEST(Base64, RefusesMalformedInput) {
  EXPECT_FALSE(base64_decode("Zm9"));        // not a multiple of 4
  EXPECT_FALSE(base64_decode("Zm9v!A=="));   // outside the alphabet
  EXPECT_FALSE(base64_decode("Zg=a"));       // "=" then data
  EXPECT_FALSE(base64_decode("Z==="));       // too much padding
  EXPECT_FALSE(base64_decode("Zg==Zm9v"));   // padding before the end
  EXPECT_FALSE(base64_decode("Zh=="));       // non-zero bits under the padding
  EXPECT_FALSE(base64_decode("Zm9v Zm9v"));  // spaces are not base64
  EXPECT_FALSE(base64_decode("*"));          // the SASL cancel, handled before decoding
}

TEST(Base64, IsBase64AgreesWithDecode) {
  for (auto text : {"Zm9vYmFy", "Zm9vYg==", "Zm9vYmE=", "AHVzZXIAcGFzcw=="}) {
    EXPECT_TRUE(is_base64(text)) << text;
  }
  for (auto text : {"", "Zm9", "Zm9v!A==", "Zg=a", "Z===", "Zh==", "Zm9v Zm9v"}) {
    EXPECT_FALSE(is_base64(text)) << text;
    if (*text != '\0') {
      EXPECT_FALSE(base64_decode(text)) << text;
    }
  }
}

}  // namespace
}  // namespace smtp::proto::base64_test
