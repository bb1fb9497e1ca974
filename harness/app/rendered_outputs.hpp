#pragma once
// The report formats `load` and `check` write directly (--html, --markdown,
// and --junit for load), rendered from the run's result JSON exactly as
// `smtp-harness report` renders a result file (ARCHITECTURE.md §2, load step
// 6: the renderers read the JSON, never the run).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace smtp::app {

// Where to write each format; empty: not asked for.
struct RenderedOutputs {
  std::string html;
  std::string markdown;
  std::string junit;  // only where the command has no --junit of its own
};

// Adds --html and --markdown (and --junit when `with_junit`) to `command`.
void add_render_flags(CLI::App* command, RenderedOutputs& outputs, bool with_junit);

// Renders `document` (the result the run just produced; `name` heads the
// report and names it in errors) into every format asked for. Prints
// "smtp-harness COMMAND: cannot write FILE" (or why it cannot render) for
// each failure and returns false when any output failed.
bool write_rendered(const char* command, const std::string& name, const nlohmann::json& document,
                    const RenderedOutputs& outputs);

}  // namespace smtp::app
