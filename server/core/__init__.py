"""What every part reads with: the strict YAML reader, the one text normaliser, the spaCy
pipeline."""
