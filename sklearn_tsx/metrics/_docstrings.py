"""Shared docstring sections of the metrics that take the same parameters."""


def fill_doc(**sections):
    """Decorator replacing each ``%(name)s`` of a docstring by ``sections[name]``
    (a plain replacement: other ``%`` signs in the text stay as they are)."""

    def decorate(func):
        if func.__doc__:  # None under python -OO
            for name, text in sections.items():
                func.__doc__ = func.__doc__.replace(f"%({name})s", text)
        return func

    return decorate
