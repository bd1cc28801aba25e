"""Energy: the in-park day-ahead exchange (issue 4).

For now only the pure clearing core: ``book`` (an order book of one delivery period),
``clearing`` (the uniform-price merit-order auction), ``certificate`` (its O(n) optimality
check) and ``result``. No transaction type is registered yet. Normative text:
``docs/spec/clearing.md``.
"""
