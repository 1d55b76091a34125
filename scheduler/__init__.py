"""NetSword's scheduler: jobs from a YAML file run by APScheduler, with run history, a daemon lock and re-checks."""
