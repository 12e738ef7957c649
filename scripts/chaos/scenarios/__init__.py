"""One module per fault: each `run(context)` returns a Result ending in an audit (or a list of them)."""
