#pragma once
// Base64 (RFC 4648 §4) for SASL exchanges (RFC 4954 §4): AUTH initial
// responses and 334 challenges. Decoding is strict: SASL peers must send
// canonical base64, and docs/CONFORMANCE.md A4 expects 501 for anything else.
#include <optional>
#include <string>
#include <string_view>

namespace smtp::proto {

std::string base64_encode(std::string_view bytes);
// nullopt for characters outside the alphabet, bad padding, a length that is
// not a multiple of 4, or non-zero bits in the final padding.
std::optional<std::string> base64_decode(std::string_view text);
// The same rules as base64_decode, without allocating (for syntax checks).
// The empty string is not base64 here: an empty SASL response is "=".
bool is_base64(std::string_view text);

}  // namespace smtp::proto
