"""Energy exchange rules, one file per concept: ``market`` (set-up, limits, grid prices,
participants), ``orders`` (sealed orders and clearing), ``settlement`` (meter readings and
the day's invoices), ``heat`` (waste heat sold to district heating)."""
