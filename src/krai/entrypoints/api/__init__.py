"""The HTTP interface: the ``/v1`` JSON API, the C2SP endpoints, and the dashboard mounted
beside them (``krai.entrypoints.web``), all served by ``krai serve``."""
