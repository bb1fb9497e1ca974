#!/usr/bin/python3
"""Checks every #include of the project against the allowed edges of
docs/ARCHITECTURE.md ("Layers and their edges").

Who owns what comes from the build tree, so it is the build's own view:
  - a source file belongs to the target compile_commands.json compiles it for
    (the object path names the target: .../CMakeFiles/<target>.dir/...);
  - a header belongs to the target that exposes it: build/<preset>/include/
    <target>/<prefix>/<name>.hpp is a link to it (cmake/PublicHeaders.cmake).

Each file's quoted includes are resolved to the owning target; the edge
(file's target -> owner) must be listed for the file's target. Angle-bracket
includes of a third-party family (Asio, Lua, ...) must be listed too; other
angle-bracket includes are the standard library and POSIX.

Test and benchmark executables are rows of the table like any target. A
target the table does not know fails the check, so a new library or test
executable comes with its row.

Usage: layering.py ARCHITECTURE.md BUILD_DIR     exit 1 on a stray include
       layering.py --self-test                   proves a stray edge is caught
"""
import json
import os
import re
import sys
import tempfile

# Third-party include families, as the table names them.
FAMILIES = {
    "Asio": re.compile(r"boost/(asio|system)[/.]"),
    "Beast": re.compile(r"boost/beast[/.]"),
    "OpenSSL": re.compile(r"openssl/"),
    "Lua": re.compile(r"(lua|lauxlib|lualib|luaconf)\.(h|hpp)$"),
    "nlohmann/json": re.compile(r"nlohmann/"),
    "CLI11": re.compile(r"CLI/"),
    "fmt": re.compile(r"fmt/"),
    "GoogleTest": re.compile(r"(gtest|gmock)/"),
    "Benchmark": re.compile(r"benchmark/"),
}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
# The fixtures of repo.layering_enforced_by_build include across the layering
# on purpose: the build must refuse them (tests/tools/CMakeLists.txt).
FIXTURES = ("layering_fixture_proto", "layering_fixture_net")
TABLE_START = "<!-- layering:begin -->"
TABLE_END = "<!-- layering:end -->"


def read_table(path):
    """{target: (set of targets, set of families)} from the marked table."""
    text = open(path, encoding="utf-8").read()
    if TABLE_START not in text or TABLE_END not in text:
        raise SystemExit(f"{path}: no table between {TABLE_START} and {TABLE_END}")
    start = text.index(TABLE_START)
    body = text[start:text.index(TABLE_END)]
    first_line = text[:start].count("\n") + 1
    rules = {}
    for offset, line in enumerate(body.splitlines()):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        where = f"{path}:{first_line + offset}"
        targets = [t.strip("` ") for t in cells[0].split(",")]
        ours = {t.strip("` ") for t in cells[1].split(",") if t.strip() not in ("", "—")}
        families = {f.strip() for f in cells[2].split(",") if f.strip() not in ("", "—")}
        unknown = families - FAMILIES.keys()
        if unknown:
            raise SystemExit(f"{where}: unknown third-party family {sorted(unknown)}")
        for target in targets:
            rules[target] = (ours, families)
    for target, (ours, _) in rules.items():
        stray = ours - rules.keys()
        if stray:
            raise SystemExit(f"{path}: {target} may include unknown targets {sorted(stray)}")
    return rules


def owners(build_dir):
    """(files: {path: target}, headers: {include text: (target, path)})."""
    files = {}
    commands = json.load(open(os.path.join(build_dir, "compile_commands.json")))
    for entry in commands:
        match = re.search(r"CMakeFiles/([^/]+)\.dir/", entry.get("command", "") + " " +
                          entry.get("output", ""))
        if match:
            files[os.path.realpath(entry["file"])] = match.group(1)
    headers = {}
    include_root = os.path.join(build_dir, "include")
    for target in sorted(os.listdir(include_root)):
        for root, _, names in os.walk(os.path.join(include_root, target)):
            for name in names:
                link = os.path.join(root, name)
                text = os.path.relpath(link, os.path.join(include_root, target))
                real = os.path.realpath(link)
                headers[text] = (target, real)
                files.setdefault(real, target)
    return files, headers


def check(table_path, build_dir, out=sys.stdout):
    rules = read_table(table_path)
    files, headers = owners(build_dir)
    problems = []
    for path, target in sorted(files.items()):
        if target in FIXTURES:
            continue
        if target not in rules:
            problems.append(f"{path}: its target {target} is not in the table of {table_path}")
            continue
        ours, families = rules[target]
        try:
            lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
        except OSError as error:
            problems.append(f"{path}: {error}")
            continue
        for number, line in enumerate(lines, 1):
            match = INCLUDE.match(line)
            if not match:
                continue
            kind, name = match.groups()
            if kind == '"':
                if name in headers:
                    owner = headers[name][0]
                    if owner != target and owner not in ours:
                        problems.append(f"{path}:{number}: {target} includes \"{name}\" of "
                                        f"{owner}, which it may not (allowed: "
                                        f"{', '.join(sorted(ours)) or 'none'})")
                continue
            for family, pattern in FAMILIES.items():
                if pattern.search(name) and family not in families:
                    problems.append(f"{path}:{number}: {target} includes <{name}> ({family}), "
                                    f"which it may not")
    for problem in problems:
        print(problem, file=out)
    print(f"layering: {len(files)} files, {len(problems)} stray include(s)", file=out)
    return 1 if problems else 0


def self_test():
    """A tiny build tree with a stray edge must fail; without it, pass."""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "src")
        build = os.path.join(tmp, "build")
        os.makedirs(os.path.join(src, "proto"))
        os.makedirs(os.path.join(src, "net"))
        for target, prefix, name in (("smtp_proto", "proto", "reply.hpp"),
                                     ("smtp_net", "net", "transport.hpp")):
            with open(os.path.join(src, prefix, name), "w") as f:
                f.write("#pragma once\n")
            os.makedirs(os.path.join(build, "include", target, prefix))
            os.symlink(os.path.join(src, prefix, name),
                       os.path.join(build, "include", target, prefix, name))
        table = os.path.join(tmp, "ARCHITECTURE.md")
        with open(table, "w") as f:
            f.write(f"{TABLE_START}\n| target | ours | third-party |\n|---|---|---|\n"
                    "| `smtp_proto` | — | — |\n| `smtp_net` | `smtp_proto` | Asio |\n"
                    f"{TABLE_END}\n")

        def run(proto_source):
            source = os.path.join(src, "proto", "reply.cpp")
            with open(source, "w") as f:
                f.write(proto_source)
            with open(os.path.join(build, "compile_commands.json"), "w") as f:
                json.dump([{"file": source, "directory": build,
                            "command": "c++ -o proto/CMakeFiles/smtp_proto.dir/reply.cpp.o "
                                       "-c " + source}], f)
            lines = []

            class Sink:
                def write(self, text):
                    lines.append(text)

            status = check(table, build, out=Sink())
            return status, "".join(lines)

        clean, text = run('#include "proto/reply.hpp"\n#include <string>\n')
        if clean != 0:
            print("self-test: a clean tree was refused:\n" + text)
            return 1
        stray, text = run('#include "proto/reply.hpp"\n#include "net/transport.hpp"\n')
        if stray != 1 or "smtp_proto includes \"net/transport.hpp\" of smtp_net" not in text:
            print("self-test: an injected proto -> net edge was not caught:\n" + text)
            return 1
        asio, text = run('#include <boost/asio/io_context.hpp>\n')
        if asio != 1 or "(Asio)" not in text:
            print("self-test: Asio included by proto was not caught:\n" + text)
            return 1
        print("self-test: the injected proto -> net edge and the Asio include are caught:")
        print("  " + text.strip().replace("\n", "\n  "))
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(self_test())
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[-2].strip(), file=sys.stderr)
        sys.exit(2)
    sys.exit(check(sys.argv[1], sys.argv[2]))
