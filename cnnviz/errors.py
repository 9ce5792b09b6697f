"""The library's one translatable error and the registry of its English messages.

A module registers its messages once (``MESSAGES = register({...})``) and raises ``CnnvizError``
(or a subclass named for its topic) with a message key and arguments. The English text lives only
here; the UI's English catalog reads it from ``ALL_MESSAGES``, the Vietnamese catalog translates
it. Knows nothing about Streamlit.
"""

from __future__ import annotations

__all__ = ["ALL_MESSAGES", "CnnvizError", "english", "register"]

ALL_MESSAGES: dict[str, str] = {}


def register(messages: dict[str, str]) -> dict[str, str]:
    """Add a module's messages to the registry; a key registered twice with another text is a bug."""
    for key, text in messages.items():
        if ALL_MESSAGES.get(key, text) != text:
            raise ValueError(f"message key {key!r} is registered twice with different texts")
        ALL_MESSAGES[key] = text
    return messages


def english(key: str, args: dict[str, object]) -> str:
    """The English text of ``key`` with ``args`` filled in (the key itself if unknown)."""
    text = ALL_MESSAGES.get(key, key)
    try:
        return text.format(**args)
    except (KeyError, IndexError, ValueError):
        return f"{text} {args}"


class CnnvizError(ValueError):
    """Something a person asked for that cannot be done; ``key`` and ``args_`` translate it.

    ``str(error)`` is the English message, so logs and tests read naturally.
    """

    def __init__(self, key: str, **args: object) -> None:
        super().__init__(english(key, args))
        self.key = key
        self.args_ = args
