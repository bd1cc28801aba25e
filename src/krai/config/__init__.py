"""Settings, read once from the environment (prefix ``KRAI_``) and the home's ``krai.toml``."""

from krai.config.settings import Settings, load_settings

__all__ = ["Settings", "load_settings"]
