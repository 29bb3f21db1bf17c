"""The pure core: models, messages, errors, ports, and one package per feature (knowledge,
grading, interview, daily), each with its rules and the wording of its replies. Stdlib,
rapidfuzz and kiwipiepy only: no database, no settings, no platform."""
