#pragma once
// Helpers shared by client_dialogue.cpp and client_dialogue_transaction.cpp.
#include <optional>
#include <string>

#include "proto/client_dialogue.hpp"
#include "proto/command_encoder.hpp"

namespace smtp::proto::client_detail {

// How a reply code answers a phase.
enum class Verdict : std::uint8_t {
  positive,      // the phase succeeded
  intermediate,  // 354 to DATA, 334 to AUTH: send the rest
  negative,      // 4xx or 5xx: refused
  unexpected,    // a 2xx/3xx that does not answer this phase
};

Verdict judge(Phase phase, int code);

// The encoded line, or nullopt with the encoder's reason in *error.
std::optional<std::string> take(Encoded encoded, std::string* error);

}  // namespace smtp::proto::client_detail
