"""The deterministic state engine: modules, dispatch by (type, version), views and writes."""
