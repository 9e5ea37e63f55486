"""The blame rules at work: detector (the rules compiled into spaCy matchers) and engine
(a draft read once into sentences, parsed where a rule needs it, and its flags)."""
