"""The loaded rule set kept between start-ups, so a server is ready sooner.

Reading the YAML, validating it and expanding every word list into its inflected forms took
0.6-0.9 s of each start-up; reading the result back takes 0.03 s. The cache is keyed by the
bytes of every file under the rules folder and of the server's own code, and by the versions
of the libraries the loader uses: editing any rule, lexicon or line of code, or upgrading a
library, makes a new key, and the rules are loaded and checked from the YAML again. So a
facilitator's edit is never hidden by a stale copy, and a rule file with an error is never
served from the cache (it was never written there).

The cache holds a pickle. Reading one runs code chosen by whoever wrote it, so it lives in
the user's own cache folder (MEND_CACHE_DIR), which only that user can write, like the code
itself. A cache that cannot be read or written is skipped: the rules load as without it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

from server.rules.load import RuleSet, load_rules

log = logging.getLogger("mend")

SERVER_CODE = Path(__file__).resolve().parent.parent
# The libraries whose behaviour shapes a loaded rule set (word forms, validation, parsing).
LIBRARIES = ("lemminflect", "pydantic", "PyYAML", "spacy")
PREFIX = "rules-"


def cache_key(rules_dir: Path) -> str:
    """A digest of everything a loaded rule set depends on."""
    # The folder too: the loaded rules name their files, for error messages and the rules page.
    digest = hashlib.sha256(f"{sys.version}\0{rules_dir.resolve()}".encode())
    for library in LIBRARIES:
        digest.update(f"\0{library} {version(library)}".encode())
    for root, pattern in ((SERVER_CODE, "*.py"), (rules_dir, "*")):
        for path in sorted(p for p in root.rglob(pattern) if p.is_file()):
            digest.update(f"\0{path.relative_to(root)}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def load_rules_cached(rules_dir: Path, cache_dir: Path | None) -> RuleSet:
    """The rule set under rules_dir, from cache_dir when it holds this exact one; loaded from
    the YAML (and then cached) otherwise. Without cache_dir, always from the YAML."""
    if cache_dir is None:
        return load_rules(rules_dir)
    path = cache_dir / f"{PREFIX}{cache_key(rules_dir)}.pickle"
    try:
        with path.open("rb") as handle:
            cached = pickle.load(handle)
        if isinstance(cached, RuleSet):
            return cached
    except FileNotFoundError:
        pass
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as error:
        log.warning("rules cache %s unreadable (%s); loading the rules", path, type(error).__name__)
    ruleset = load_rules(rules_dir)
    _write(path, ruleset)
    return ruleset


def _write(path: Path, ruleset: RuleSet) -> None:
    """Write atomically (several workers may start at once) and drop older copies."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as handle:
            try:
                pickle.dump(ruleset, handle, protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:
                Path(handle.name).unlink()
                raise
        os.replace(handle.name, path)
        for old in path.parent.glob(f"{PREFIX}*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as error:
        log.warning("rules cache not written to %s (%s)", path.parent, type(error).__name__)
