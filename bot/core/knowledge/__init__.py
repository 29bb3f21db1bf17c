"""Knowledge, pure: decoding and parsing notes, names and aliases, Korean-aware text, the search
index, the loaded knowledge, and how lookup answers read."""
