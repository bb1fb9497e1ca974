#!/usr/bin/python3
"""Validate smtp-harness result files against the JSON Schema.

usage: validate_result.py SCHEMA FILE...

Exit status 0 when every FILE is valid, 1 when one is not (each problem is
printed with its JSON path), 2 for a usage error or an unreadable schema.
Needs only the standard library and jsonschema (Debian's python3-jsonschema).
"""

import json
import sys

import jsonschema


def json_path(error):
    """The place of a validation error, written like the C++ reader's paths:
    load.latency[3].histogram."""
    path = ""
    for part in error.absolute_path:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(document)"


def validate_file(validator, file_name):
    """Prints the file's problems; True when there are none."""
    try:
        with open(file_name, encoding="utf-8") as stream:
            document = json.load(stream)
    except (OSError, ValueError) as error:
        print(f"{file_name}: cannot read: {error}")
        return False
    errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    for error in errors:
        print(f"{file_name}: {json_path(error)}: {error.message}")
    if not errors:
        print(f"{file_name}: valid")
    return not errors


def main(argv):
    if len(argv) < 3:
        print("usage: validate_result.py SCHEMA FILE...", file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as stream:
            schema = json.load(stream)
        validator_class = jsonschema.validators.validator_for(schema)
        validator_class.check_schema(schema)
    except (OSError, ValueError, jsonschema.SchemaError) as error:
        print(f"{argv[1]}: not a usable schema: {error}", file=sys.stderr)
        return 2
    validator = validator_class(schema)
    results = [validate_file(validator, name) for name in argv[2:]]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
