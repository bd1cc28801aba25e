"""The error every key type raises for key material it cannot use.

It lives apart from ``keys`` so that a key type's module (``gost``) can raise it while
``keys`` imports that module to decode its public keys.
"""


class KeyFormatError(ValueError):
    """A public or private key is not in a known form."""
