#include "fake-server/rules/rule.hpp"

namespace smtp::fake::rules {

std::string_view to_string(Key key) {
  switch (key) {
    case Key::server:
      return "server";
    case Key::session:
      return "session";
    case Key::ip:
      return "ip";
    case Key::sender:
      return "sender";
    case Key::recipient:
      return "recipient";
  }
  return "server";
}

std::string Action::describe() const {
  std::string out;
  const auto part = [&out](std::string_view text) {
    if (!out.empty()) out += ", ";
    out += text;
  };
  if (reply) {
    std::string text = "reply " + std::to_string(reply->code);
    if (reply->enhanced) text += ' ' + reply->enhanced->to_string();
    if (!reply->lines.empty() && !reply->lines.front().empty()) text += ' ' + reply->lines.front();
    part(text);
  }
  if (raw) part("raw " + std::to_string(raw->size()) + " octets");
  if (close) part("close");
  if (reset) part("reset");
  if (stall) part("stall");
  if (fail_tls) part(*fail_tls == TlsFault::alert ? "fail tls (alert)" : "fail tls (close)");
  if (delay.count() != 0) part("delay " + std::to_string(delay.count()) + "ms");
  if (bandwidth != 0) part("bandwidth " + std::to_string(bandwidth) + " B/s");
  if (partial) part("partial " + std::to_string(*partial) + " octets");
  if (malformed) part("malformed " + std::string(to_string(*malformed)));
  if (out.empty()) out = "nothing";
  return out;
}

void merge(Action& into, const Action& from) {
  into.delay += from.delay;
  if (from.bandwidth != 0 && (into.bandwidth == 0 || from.bandwidth < into.bandwidth)) {
    into.bandwidth = from.bandwidth;
  }
  if (from.partial && (!into.partial || *from.partial < *into.partial)) into.partial = from.partial;
  if (from.malformed) into.malformed = from.malformed;
  if (into.terminal() || !from.terminal()) return;
  into.reply = from.reply;
  into.raw = from.raw;
  into.close = from.close;
  into.reset = from.reset;
  into.stall = from.stall;
  into.fail_tls = from.fail_tls;
}

bool is_command_word(std::string_view word) {
  if (word.empty() || word.size() > 32) return false;
  for (const char c : word) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    if (!alnum && c != '-' && c != '_') return false;
  }
  return true;
}

}  // namespace smtp::fake::rules
