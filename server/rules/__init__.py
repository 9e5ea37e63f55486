"""The rules as data: schema (what a rule file may say), lexicons, patterns (word lists
expanded), load (every rule, lexicon and profile, validated)."""
