"""Regular expressions compiled on first use, to keep importing the extraction modules fast."""

from __future__ import annotations

import re


class LazyPattern:
    """A module-level regular expression compiled on its first use.

    The extraction modules hold a few hundred patterns, some of them large alternations of agency
    names; compiling them all when the package is imported costs tens of milliseconds that callers
    who never read a letter (the web app's start-up, most tests) should not pay. On first use the
    pattern is compiled and stored in ``namespace`` (the defining module's globals) in place of this
    stand-in, so functions that read the global afterwards get the compiled pattern with no
    indirection per call. Holders of the stand-in itself (an import into another module, a tuple)
    still work, through attribute forwarding.
    """

    __slots__ = ("_name", "_pattern", "_flags", "_namespace", "_compiled")

    def __init__(self, name: str, pattern: str, flags: int = 0, namespace: dict | None = None):
        self._name, self._pattern, self._flags = name, pattern, flags
        self._namespace, self._compiled = namespace, None

    def compiled(self) -> re.Pattern:
        """The compiled pattern (compiling it the first time)."""
        if self._compiled is None:
            self._compiled = re.compile(self._pattern, self._flags)
            if self._namespace is not None and self._namespace.get(self._name) is self:
                self._namespace[self._name] = self._compiled
        return self._compiled

    def __getattr__(self, attr: str):
        return getattr(self.compiled(), attr)

    def __repr__(self) -> str:
        return f"LazyPattern({self._name})"


def lazy_compiler(namespace: dict):
    """A ``re.compile`` look-alike for one module: ``_X_RE = _lazy_re("_X_RE", pattern, flags)``."""

    def _lazy_re(name: str, pattern: str, flags: int = 0) -> LazyPattern:
        return LazyPattern(name, pattern, flags, namespace)

    return _lazy_re
