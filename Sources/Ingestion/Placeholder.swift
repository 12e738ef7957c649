// Placeholder until the module's first change lands.
