#!/usr/bin/env python3
"""Validates FHIR R4 resources against the official R4 models (fhir.resources 6.5.0).

Reads one JSON document from stdin: a resource, or a list of resources. Bundles are validated
whole, entries included. Prints every problem and exits 1 if there was any.
"""
import json
import sys

from fhir.resources import get_fhir_model_class
from pydantic import ValidationError


def main() -> int:
    doc = json.load(sys.stdin)
    resources = doc if isinstance(doc, list) else [doc]
    failures = 0
    for i, resource in enumerate(resources):
        kind = resource.get("resourceType", "?")
        try:
            get_fhir_model_class(kind).parse_obj(resource)
        except (ValidationError, KeyError, ValueError) as e:
            failures += 1
            print(f"[{i}] {kind} {resource.get('id', '')}: {e}")
    print(f"{len(resources) - failures} of {len(resources)} resources are valid FHIR R4")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
