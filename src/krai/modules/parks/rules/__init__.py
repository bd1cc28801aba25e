"""Park registry rules, one file per concept: ``check_*`` (stateless), ``validate_*`` (reads
state), ``apply_*`` (writes state and emits events).

``territory``: regions, clusters, parks and stated facts; ``land``: sites;
``capacity``: infrastructure and power allocations; ``residents``: residency, commitments and
actuals; ``agreements``: agreements among several parties; ``support``: support measures and
regional targets.
"""
