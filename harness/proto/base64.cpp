#include "proto/base64.hpp"

#include <array>
#include <cstdint>

namespace smtp::proto {
namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Maps a byte to its 6-bit value, or 0xff when it is not in the alphabet.
constexpr std::array<std::uint8_t, 256> make_decode_table() {
  std::array<std::uint8_t, 256> table{};
  for (auto& v : table) v = 0xff;
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return table;
}
constexpr auto decode_table = make_decode_table();

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t n = static_cast<unsigned char>(bytes[i]) << 16 |
                            static_cast<unsigned char>(bytes[i + 1]) << 8 |
                            static_cast<unsigned char>(bytes[i + 2]);
    out += alphabet[n >> 18 & 63];
    out += alphabet[n >> 12 & 63];
    out += alphabet[n >> 6 & 63];
    out += alphabet[n & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += alphabet[n >> 18 & 63];
    out += alphabet[n >> 12 & 63];
    out += rest == 2 ? alphabet[n >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

namespace {

// Decodes `text` quad by quad; `emit` receives each decoded octet. False on
// anything that is not canonical base64 (RFC 4648 §3.5).
template <typename Emit>
bool decode_quads(std::string_view text, Emit&& emit) {
  if (text.size() % 4 != 0) return false;
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int padding = 0;
    std::uint32_t n = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const char c = text[i + k];
      if (c == '=' && last && k >= 2) {
        // Padding only at the end, and "x=y=" is not padding.
        if (k == 2 && text[i + 3] != '=') return false;
        ++padding;
        n <<= 6;
        continue;
      }
      const std::uint8_t v = decode_table[static_cast<unsigned char>(c)];
      if (v == 0xff || padding > 0) return false;
      n = n << 6 | v;
    }
    // RFC 4648 §3.5: the bits dropped by padding must be zero in canonical form.
    if ((padding == 1 && (n & 0xff) != 0) || (padding == 2 && (n & 0xffff) != 0)) {
      return false;
    }
    emit(static_cast<char>(n >> 16 & 0xff));
    if (padding < 2) emit(static_cast<char>(n >> 8 & 0xff));
    if (padding < 1) emit(static_cast<char>(n & 0xff));
  }
  return true;
}

}  // namespace

std::optional<std::string> base64_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  if (!decode_quads(text, [&out](char c) { out += c; })) return std::nullopt;
  return out;
}

bool is_base64(std::string_view text) {
  return !text.empty() && decode_quads(text, [](char) {});
}

}  // namespace smtp::proto
