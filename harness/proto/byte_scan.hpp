#pragma once
// Internal to the DATA transparency code (dot_stuffer.cpp, dot_unstuffer.cpp):
// finds the next byte that needs attention in a body. Both directions spend
// almost all their time skipping ordinary text between line endings, so this
// one loop decides their speed (≥ 1 GB/s on a typical body, bench/README.md).
#include <bit>
#include <cstddef>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace smtp::proto::detail {

// The first index i in [from, size) with data[i] equal to a, b or c; size if none.
inline std::size_t find_any_scalar(const char* data, std::size_t from, std::size_t size, char a,
                                   char b, char c) {
  for (std::size_t i = from; i < size; ++i) {
    const char x = data[i];
    if (x == a || x == b || x == c) return i;
  }
  return size;
}

// Same contract; 16 bytes per step where SSE2 exists (every x86-64), the
// scalar loop elsewhere and for the tail.
inline std::size_t find_any(const char* data, std::size_t from, std::size_t size, char a, char b,
                            char c) {
  std::size_t i = from;
#ifdef __SSE2__
  const __m128i va = _mm_set1_epi8(a);
  const __m128i vb = _mm_set1_epi8(b);
  const __m128i vc = _mm_set1_epi8(c);
  while (i + 16 <= size) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
    const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)),
                                     _mm_cmpeq_epi8(v, vc));
    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(hit));
    if (mask != 0) return i + static_cast<std::size_t>(std::countr_zero(mask));
    i += 16;
  }
#endif
  return find_any_scalar(data, i, size, a, b, c);
}

}  // namespace smtp::proto::detail
